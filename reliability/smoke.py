"""Smoke test of a live copy: gunicorn on the database, the main pages and API reads answer 200.

    .venv/bin/python -m reliability.smoke --db pmo_reliability_restored [--media DIR]

Used by the backup drill on the restored copy (RELIABILITY row 21). Exit 0 when every request
answered 200 (and, with --media, when a report file of the database is readable there).
"""

from __future__ import annotations

import argparse
import sys

from reliability import common

PAGES = {
    "pm1": ["/projects/mine/", "/projects/", "/portfolios/", "/reports/runs/", "/api/v1/me/"],
    "pmo": ["/dashboard/", "/projects/?page=2", "/programmes/", "/api/v1/projects/?page_size=100"],
    "team": ["/projects/", "/api/v1/status-reports/?page_size=50", "/api/v1/risks/"],
}


def run(dbname: str, media: str | None = None) -> list[str]:
    import requests
    from django.contrib.auth import get_user_model

    from projects.models import Project

    extra = {"MEDIA_ROOT": media} if media else {}
    failures = []
    project = Project.objects.visible_to(get_user_model().objects.get(username="pm1")).order_by("pk").first()
    with common.Gunicorn(dbname, workers=1, threads=4, extra_env=extra) as server:
        for username, paths in PAGES.items():
            session = common.Session(username)
            http = session.requests_session(server.base_url)
            for path in [*paths, f"/projects/{project.pk}/", f"/api/v1/projects/{project.pk}/qcdr/"]:
                response = http.get(server.base_url + path, timeout=60, allow_redirects=False)
                if response.status_code != 200:
                    failures.append(f"{username} GET {path}: {response.status_code}")
            if media and username == "pmo":
                failures += check_report_download(http, server.base_url)
        health = requests.get(server.base_url + "/healthz/", timeout=30)
        if health.status_code >= 500:
            failures.append(f"healthz: {health.status_code}")
    return failures


def check_report_download(http, base_url: str) -> list[str]:
    """A generated report of the copy downloads with the bytes its row's SHA-256 names."""
    import hashlib

    from reporting.models import ReportRun

    run = ReportRun.objects.filter(status="done").exclude(file="").order_by("-pk").first()
    if run is None:
        return []
    response = http.get(f"{base_url}/reports/runs/{run.pk}/download/", timeout=60)
    if response.status_code != 200:
        return [f"report download: {response.status_code}"]
    if hashlib.sha256(response.content).hexdigest() != run.file_sha256:
        return ["report download: SHA-256 differs from the run's"]
    return []


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--media")
    args = parser.parse_args(argv)
    common.setup_django(args.db)
    failures = run(args.db, args.media)
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    print(f"smoke: {'PASS' if not failures else 'FAIL'} ({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
