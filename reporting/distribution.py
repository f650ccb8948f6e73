"""Who receives what: e-mail with the PDF and in-app notifications, each sent once per run.

Recipients of a run: its distribution list (per portfolio and kind: the sponsor, the manager, the
PMO officers, the executives, named users, external addresses); without a list, the sponsor, the
manager and the PMO officers. E-mails go through Django's e-mail backend (console in development,
SMTP from the environment in production).
"""

import logging
import smtplib
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from pmo.core.models import Notification
from pmo.core.notifications import notify
from pmo.core.periods import week_start
from pmo.core.roles import Role
from portfolio.models import Membership
from projects.models import Project, StatusReport
from projects.team_selectors import report_stakeholders
from reporting.generators import TransientError
from reporting.models import DistributionList, ReportRun

logger = logging.getLogger(__name__)


def run_project(run: ReportRun) -> Project | None:
    return run.project or (run.exception.project if run.exception_id else None)


def recipients(run: ReportRun) -> tuple[list, list[str]]:
    """(users, external addresses) who receive the run's report."""
    project = run_project(run)
    portfolio = project.portfolio if project else run.portfolio
    dist = (
        DistributionList.objects.filter(portfolio=portfolio, kind=run.kind).prefetch_related("users").first()
    )
    include = {
        "sponsor": dist.include_sponsor if dist else True,
        "manager": dist.include_manager if dist else True,
        "pmo": dist.include_pmo if dist else True,
        "executives": dist.include_executives if dist else False,
    }
    users = {}
    if project is not None:
        if include["sponsor"] and project.sponsor:
            users[project.sponsor_id] = project.sponsor
        if include["manager"] and project.manager:
            users[project.manager_id] = project.manager
    elif run.programme_id and include["sponsor"] and run.programme.sponsor:
        users[run.programme.sponsor_id] = run.programme.sponsor
    roles = [
        role
        for role, wanted in ((Role.PMO, include["pmo"]), (Role.EXECUTIVE, include["executives"]))
        if wanted
    ]
    if roles:
        for membership in Membership.objects.filter(portfolio=portfolio, role__in=roles).select_related(
            "user"
        ):
            users[membership.user_id] = membership.user
    if dist:
        users.update({user.pk: user for user in dist.users.all()})
    externals = [line.strip() for line in (dist.extra_emails.splitlines() if dist else []) if line.strip()]
    # Stakeholders who asked for this kind of report (a user of the site, or an e-mail address).
    scope = _stakeholder_scope(run, project)
    if scope is not None:
        picked, emails = report_stakeholders(kind=run.kind, project_ids=scope)
        users.update({user.pk: user for user in picked})
        externals += [email for email in emails if email not in externals]
    return [user for user in users.values() if user.is_active], externals


def _stakeholder_scope(run: ReportRun, project: Project | None):
    """The projects whose stakeholders may receive the run: the project of a highlight report, the
    open projects of the portfolio or programme of a steering pack; None for other kinds."""
    if run.kind == ReportRun.Kind.HIGHLIGHT and project is not None:
        return [project.pk]
    if run.kind == ReportRun.Kind.STEERING:
        projects = Project.objects.filter(archived_at__isnull=True)
        if run.programme_id:
            return projects.filter(programme_id=run.programme_id).values("pk")
        if run.portfolio_id:
            return projects.filter(portfolio_id=run.portfolio_id).values("pk")
    return None


def distribute(run_id: int) -> int:
    """Send a finished run once: claim it (conditional UPDATE), notify, e-mail; returns e-mails sent."""
    claimed = ReportRun.objects.filter(
        pk=run_id, status=ReportRun.Status.DONE, distributed_at__isnull=True
    ).update(distributed_at=timezone.now())
    if not claimed:
        return 0
    run = ReportRun.objects.select_related(
        "project__portfolio",
        "project__sponsor",
        "project__manager",
        "portfolio",
        "programme__sponsor",
        "exception__project__portfolio",
        "exception__project__sponsor",
        "exception__project__manager",
    ).get(pk=run_id)
    users, externals = recipients(run)
    with override(settings.LANGUAGE_CODE):
        title = _("%(kind)s ready: %(scope)s") % {"kind": run.get_kind_display(), "scope": run.scope_label}
        url = reverse("reporting:run", kwargs={"pk": run.pk})
        notify(recipients=users, kind=Notification.Kind.REPORT, title=title, key=f"run-{run.pk}", url=url)
        addresses = sorted({user.email for user in users if user.email} | set(externals))
        if not addresses:
            return 0
        body = _(
            'Hello,\n\nPlease find attached the %(kind)s "%(scope)s" (%(period)s).\n'
            "It is also available in the application: %(url)s\n\n-- PMO"
        ) % {
            "kind": run.get_kind_display().lower(),
            "scope": run.scope_label,
            "period": date_format(run.period, "DATE_FORMAT"),
            "url": settings.SITE_URL.rstrip("/") + url,
        }
        message = EmailMessage(subject=title, body=body, to=[settings.DEFAULT_FROM_EMAIL], bcc=addresses)
        with run.file.open("rb") as handle:
            message.attach(run.file.name.rsplit("/", 1)[-1], handle.read(), "application/pdf")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        ReportRun.objects.filter(pk=run_id).update(distributed_at=None)  # let the retry claim it again
        raise TransientError(str(error)) from error
    return len(addresses)


def notify_failure(run_id: int) -> None:
    """Tell whoever requested the run, and the portfolio's PMO officers, that it failed."""
    run = ReportRun.objects.select_related(
        "project__portfolio", "exception__project__portfolio", "portfolio"
    ).get(pk=run_id)
    project = run_project(run)
    portfolio = project.portfolio if project else run.portfolio
    users = [
        m.user for m in Membership.objects.filter(portfolio=portfolio, role=Role.PMO).select_related("user")
    ]
    if run.requested_by_id:
        users.append(run.requested_by)
    with override(settings.LANGUAGE_CODE):
        notify(
            recipients=users,
            kind=Notification.Kind.REPORT,
            title=_("Report failed: %(scope)s") % {"scope": run.scope_label},
            body=run.error,
            key=f"run-failed-{run.pk}-{run.attempts}",
            url=reverse("reporting:run", kwargs={"pk": run.pk}),
        )


def missing_updates(*, period: date, projects=None):
    """Active projects with a manager and no submitted report for the week of `period`."""
    monday = week_start(period)
    projects = projects if projects is not None else Project.objects.all()
    submitted = StatusReport.objects.filter(
        period_start=monday, is_current=True, state=StatusReport.State.SUBMITTED
    ).values("project_id")
    return (
        projects.filter(state=Project.State.ACTIVE, archived_at__isnull=True, manager__isnull=False)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=monday + timedelta(days=6)))
        .exclude(pk__in=submitted)
        .select_related("manager", "portfolio")
    )


def send_update_reminders(*, period: date, actor, projects=None) -> int:
    """One reminder per manager (e-mail + in-app) listing their projects whose report of the week of
    `period` is missing; idempotent per manager and week. Returns the number of managers reminded."""
    monday = week_start(period)
    by_manager: dict[int, list[Project]] = {}
    for project in missing_updates(period=monday, projects=projects):
        by_manager.setdefault(project.manager_id, []).append(project)
    sent = 0
    with override(settings.LANGUAGE_CODE):
        week = date_format(monday, "DATE_FORMAT")
        for projects_of in by_manager.values():
            manager = projects_of[0].manager
            key = f"reminder-{monday.isoformat()}" + (f"-by-{actor.pk}" if actor else "")
            title = _("Weekly update missing for the week of %(week)s") % {"week": week}
            lines = "\n".join(f"- {p.code} {p.name}" for p in projects_of)
            body = _("Your weekly update is missing for:\n%(projects)s") % {"projects": lines}
            url = reverse("projects:my-projects")
            if not notify(
                recipients=[manager],
                kind=Notification.Kind.REMINDER,
                title=title,
                body=body,
                key=key,
                url=url,
            ):
                continue  # already reminded for this week
            sent += 1
            if manager.email:
                EmailMessage(
                    subject=title,
                    body=body + "\n\n" + settings.SITE_URL.rstrip("/") + url,
                    to=[manager.email],
                ).send(fail_silently=True)
    return sent
