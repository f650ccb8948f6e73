"""Report runs (one per kind, scope and period), frozen highlight reports and distribution lists."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import ProjectException
from pmo.core.audit import tracked
from portfolio.models import Portfolio, Programme
from projects.models import Project


def report_file_path(run: "ReportRun", filename: str) -> str:
    """Deterministic: a re-run of the same (kind, scope, period) overwrites nothing, it is a no-op."""
    return f"reports/{run.kind}/{run.period:%Y/%m}/{filename}"


class ReportRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Runs whose scope the user can see (a portfolio, a programme, a project or an exception)."""
        if not user.is_authenticated:
            return self.none()
        projects = Project.objects.visible_to(user)
        return self.filter(
            Q(project__in=projects)
            | Q(exception__project__in=projects)
            | Q(programme__in=Programme.objects.visible_to(user))
            | Q(portfolio__in=Portfolio.objects.visible_to(user))
        )


@tracked(exclude=["progress", "step"])
class ReportRun(models.Model):
    """One generation of one report: highlight (project, week), exception (exception) or steering pack
    (portfolio or programme, meeting date).

    `key` is unique, so the generation is idempotent: a second request, a redelivered message or a
    second beat finds the run and produces no second file. Application state lives here, in
    PostgreSQL, not in Celery's result backend; a sweeper re-queues runs a lost message left behind.
    """

    class Kind(models.TextChoices):
        HIGHLIGHT = "highlight", _("Highlight report")
        EXCEPTION = "exception", _("Exception report")
        STEERING = "steering", _("Steering committee pack")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200, unique=True, editable=False)
    portfolio = models.ForeignKey(
        Portfolio,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("portfolio"),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("project"),
    )
    exception = models.ForeignKey(
        ProjectException,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("exception"),
    )
    period = models.DateField(_("period"))
    options = models.JSONField(_("options"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("current step"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to=report_file_path, blank=True, max_length=300)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file_size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(_("pages"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty when the schedule started the run."),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    distributed_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="highlight", project__isnull=False)
                    | Q(kind="exception", exception__isnull=False)
                    | Q(kind="steering", portfolio__isnull=False)
                ),
                name="report_run_scope_matches_kind",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_run_progress_max_100"),
        ]
        indexes = [models.Index(fields=["status", "enqueued_at"], name="report_run_pending")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.scope_label} — {self.period:%d/%m/%Y}"

    @property
    def scope_label(self) -> str:
        if self.kind == self.Kind.HIGHLIGHT:
            return f"{self.project.code} {self.project.name}"
        if self.kind == self.Kind.EXCEPTION:
            return str(self.exception)
        return str(self.programme or self.portfolio)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @staticmethod
    def make_key(kind: str, *, scope: str, period) -> str:
        return f"{kind}:{scope}:{period.isoformat()}"


@tracked()
class HighlightReport(models.Model):
    """The frozen highlight report (rapport de synthèse) of a project for one week.

    `content` holds every figure shown, as it was at generation; `diff` compares it with the
    previous period's report; `html` is the rendered snapshot. Nothing is recomputed later.
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="highlight_reports", verbose_name=_("project")
    )
    period_start = models.DateField(_("week of (Monday)"))
    run = models.OneToOneField(
        ReportRun, on_delete=models.PROTECT, related_name="highlight", verbose_name=_("run")
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous report"),
    )
    content = models.JSONField(_("content"), default=dict)
    diff = models.JSONField(_("changes since the previous report"), default=dict)
    html = models.TextField(_("frozen HTML"), blank=True)
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("highlight report")
        verbose_name_plural = _("highlight reports")
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["project", "period_start"], name="one_highlight_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} — {self.period_start:%d/%m/%Y}"


@tracked()
class DistributionList(models.Model):
    """Who receives a kind of report of a portfolio, beside the sponsor and the PMO officers."""

    class Kind(models.TextChoices):
        HIGHLIGHT = "highlight", _("Highlight reports")
        EXCEPTION = "exception", _("Exception reports")
        STEERING = "steering", _("Steering committee packs")

    portfolio = models.ForeignKey(
        Portfolio, on_delete=models.PROTECT, related_name="+", verbose_name=_("portfolio")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    include_sponsor = models.BooleanField(_("the project's sponsor"), default=True)
    include_manager = models.BooleanField(_("the project manager"), default=True)
    include_pmo = models.BooleanField(_("the portfolio's PMO officers"), default=True)
    include_executives = models.BooleanField(_("the portfolio's executives"), default=False)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("other recipients")
    )
    extra_emails = models.TextField(
        _("external addresses"), blank=True, help_text=_("One e-mail address per line.")
    )

    class Meta:
        verbose_name = _("distribution list")
        verbose_name_plural = _("distribution lists")
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "kind"], name="one_distribution_list_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.portfolio.code} — {self.get_kind_display()}"
