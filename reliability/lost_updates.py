"""RELIABILITY row 16: 50 concurrent writers PATCH one status report and one project through the API.

Against gunicorn on loopback and the `pmo_reliability` database (created and seeded here). Each
writer holds its own session of the project manager and sends the ETag it read as If-Match. The
sponsor (who may read but not write) hammers the same objects meanwhile and must only get 403.

    .venv/bin/python -m reliability.lost_updates [--writers 50] [--rounds 10] [--free 4]

Pass: per version read exactly one 200 and the rest 412; 0 × 5xx; final version = initial +
successes; update events in the audit trail = successes; 0 lost updates (every 200's value is in
the history at the version it returned).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from reliability import common
from reliability.concurrency import Writer, race, verify


def http_writer(session: common.Session, base_url: str, path: str, field: str) -> Writer:
    http = session.requests_session(base_url)
    url = base_url + path

    def read() -> int:
        response = http.get(url, timeout=60)
        response.raise_for_status()
        return int(response.headers["ETag"].strip('"'))

    def write(version: int, token: str) -> tuple[int, int | None]:
        response = http.patch(url, json={field: token}, headers={"If-Match": f'"{version}"'}, timeout=60)
        new = int(response.headers["ETag"].strip('"')) if response.status_code == 200 else None
        return response.status_code, new

    return Writer(read=read, write=write, done=http.close)


def forbidden_hammer(session, base_url, path, field, stop: threading.Event, statuses: list) -> None:
    """The sponsor tries to write all along the race: every answer must be 403."""
    http = session.requests_session(base_url)
    while not stop.is_set():
        etag = http.get(base_url + path, timeout=60).headers.get("ETag", '"0"')
        response = http.patch(
            base_url + path, json={field: "sponsor"}, headers={"If-Match": etag}, timeout=60
        )
        statuses.append(response.status_code)
        time.sleep(0.02)
    http.close()


def make_targets(run_id: str):
    """A fresh project (manager pm1, sponsor `sponsor`) and a draft report of this week."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from pmo.core.periods import week_start
    from portfolio.models import Portfolio
    from projects import services
    from projects.models import Project

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["pmo", "pm1", "sponsor"])}
    portfolio = Portfolio.objects.filter(
        projects__manager=users["pm1"], projects__sponsor=users["sponsor"]
    ).first()
    project = services.project_create(
        actor=users["pmo"],
        data={
            "portfolio": portfolio,
            "code": f"race-{run_id}",
            "name": f"Course {run_id}",
            "manager": users["pm1"],
            "sponsor": users["sponsor"],
            "state": Project.State.ACTIVE,
        },
    )
    report = services.status_report_start(
        actor=users["pm1"], project=project, period_start=week_start(timezone.localdate())
    )
    return project, report


def audit_updates(model, pk: int, since_id: int, field: str) -> list[tuple[int, str]]:
    from django.apps import apps

    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    return list(
        events.objects.filter(pgh_obj_id=pk, pgh_label="update", pgh_id__gt=since_id).values_list(
            "version", field
        )
    )


def last_event_id(model) -> int:
    from django.apps import apps

    events = apps.get_model(model._meta.app_label, f"{model.__name__}Event")
    return events.objects.order_by("-pgh_id").values_list("pgh_id", flat=True).first() or 0


def run_target(server, *, label, model, instance, path, field, writers, rounds, free) -> tuple[dict, list]:
    sessions = [common.Session("pm1") for _ in range(writers)]
    sponsor = common.Session("sponsor")
    instance.refresh_from_db()
    initial = instance.version
    since = last_event_id(model)
    stop = threading.Event()
    sponsor_statuses: list[int] = []
    hammer = threading.Thread(
        target=forbidden_hammer, args=(sponsor, server.base_url, path, field, stop, sponsor_statuses)
    )
    hammer.start()
    started = time.monotonic()
    result = race(
        [http_writer(s, server.base_url, path, field) for s in sessions], rounds=rounds, free_attempts=free
    )
    elapsed = time.monotonic() - started
    stop.set()
    hammer.join()
    instance.refresh_from_db()
    figures, problems = verify(
        result,
        initial_version=initial,
        final_version=instance.version,
        final_token=getattr(instance, field),
        events=audit_updates(model, instance.pk, since, field),
    )
    wrong = [s for s in sponsor_statuses if s != 403]
    if wrong:
        problems.append(f"sponsor writes answered {sorted(set(wrong))} (expected 403)")
    figures.update(sponsor_403=len(sponsor_statuses) - len(wrong), seconds=round(elapsed, 1), label=label)
    return figures, [f"{label}: {p}" for p in problems]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--free", type=int, default=4, help="attempts per writer without a barrier")
    parser.add_argument("--db", default=common.DEFAULT_DB)
    args = parser.parse_args(argv)

    common.log(f"preparing {args.db}")
    common.prepare_database(args.db)
    common.setup_django(args.db)
    from projects.models import Project, StatusReport

    project, report = make_targets(run_id=str(int(time.time())))
    report_path = f"/api/v1/status-reports/{report.pk}/"
    all_figures, all_problems = [], []
    with common.Gunicorn(args.db, workers=2, threads=16) as server:
        common.log(f"gunicorn on {server.base_url}")
        for label, model, instance, path, field in [
            ("status report", StatusReport, report, report_path, "overall_comment"),
            ("project", Project, project, f"/api/v1/projects/{project.pk}/", "description"),
        ]:
            figures, problems = run_target(
                server,
                label=label,
                model=model,
                instance=instance,
                path=path,
                field=field,
                writers=args.writers,
                rounds=args.rounds,
                free=args.free,
            )
            common.log(f"{label}: {figures}")
            all_figures.append(figures)
            all_problems.extend(problems)
        server_errors = server.server_errors()
    if server_errors:
        all_problems.append(f"{len(server_errors)} 5xx in the access log, e.g. {server_errors[0]}")
    for problem in all_problems:
        print(f"FAIL {problem}", file=sys.stderr)
    summary = "; ".join(
        f"{f['label']}: {args.writers} writers, {f['attempts']} PATCHes over {f['versions']} versions → "
        f"{f['ok']}×200 (1 per version), {f['stale']}×412, {f['server_errors']}×5xx, "
        f"{f['events']} audit events, {f['lost']} lost, sponsor {f['sponsor_403']}×403"
        for f in all_figures
    )
    common.figure(16, ("PASS " if not all_problems else "FAIL ") + summary)
    return 1 if all_problems else 0


if __name__ == "__main__":
    sys.exit(main())
