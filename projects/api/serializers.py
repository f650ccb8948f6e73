from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from portfolio.models import Portfolio, Programme
from projects.models import (
    Assumption,
    CostLine,
    Deliverable,
    Dependency,
    Issue,
    Milestone,
    Project,
    Risk,
    StatusReport,
)
from projects.thresholds import TOLERANCE_FIELDS


class LatestStatusSerializer(serializers.ModelSerializer):
    """The project's latest submitted report, embedded in project lists (no extra query)."""

    watermelon = serializers.SerializerMethodField()

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "period_start",
            "overall",
            "quality",
            "cost",
            "schedule",
            "risk",
            "submitted_at",
            "watermelon",
        ]

    def get_watermelon(self, report) -> bool:
        in_sql = getattr(report, "watermelon_in_sql", None)  # set from selectors.project_rows
        if in_sql is not None:
            return in_sql
        return bool((report.indicated or {}).get("watermelon"))


class ProjectSerializer(serializers.ModelSerializer):
    latest_status = serializers.SerializerMethodField(
        help_text="The latest submitted status report (null until the weekly loop records one)."
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "portfolio",
            "programme",
            "code",
            "name",
            "description",
            "manager",
            "deputy",
            "sponsor",
            "stage",
            "state",
            "start_date",
            "end_date",
            "budget",
            *TOLERANCE_FIELDS,
            "latest_status",
            "version",
            "archived_at",
        ]
        read_only_fields = ["id", "version", "archived_at", "latest_status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Choices matter for input only (the browsable API's forms clone the request as POST/PUT).
        if request is not None and request.method not in SAFE_METHODS and request.user.is_authenticated:
            # Only portfolios where the user is PMO can receive a new project; others are unknown ids.
            self.fields["portfolio"].queryset = Portfolio.objects.editable_by(request.user).active()
            self.fields["programme"].queryset = Programme.objects.visible_to(request.user).active()
            active_users = get_user_model().objects.filter(is_active=True)
            for name in ("manager", "deputy", "sponsor"):
                self.fields[name].queryset = active_users
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True

    @cached_property
    def _latest_status(self) -> LatestStatusSerializer:
        # One serializer for every row of a list: building a ModelSerializer's fields costs more
        # than rendering a row, so a new one per project made the 100-row page 5 times slower.
        return LatestStatusSerializer(context=self.context)

    @extend_schema_field(LatestStatusSerializer(allow_null=True))
    def get_latest_status(self, project) -> dict | None:
        report = project.latest_report
        if report is None:
            return None
        if hasattr(project, "latest_watermelon"):  # the list's queryset did not load the snapshot
            report.watermelon_in_sql = bool(project.latest_watermelon)
        return self._latest_status.to_representation(report)

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The end date must be on or after the start date."}
            )
        return attrs


class ProjectScopedSerializer(serializers.ModelSerializer):
    """A register row: `project` must be a project the user can see (others are unknown ids)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # The choices only matter for input (and the browsable API's forms, whose request is cloned
        # with POST/PUT): a read skips building the scoped querysets, a third of a small list's cost.
        writing = request is not None and request.method not in SAFE_METHODS
        # An existing row never moves to another project: its `project` is read-only, no choices.
        one_row = self.instance is not None and not isinstance(self.instance, list | tuple)
        if "project" in self.fields and one_row:
            self.fields["project"].read_only = True
        elif "project" in self.fields and writing and request.user.is_authenticated:
            self.fields["project"].queryset = Project.objects.visible_to(request.user).active()
        for name in ("owner",):
            if name in self.fields and writing:
                self.fields[name].queryset = get_user_model().objects.filter(is_active=True)


READ_ONLY = ["id", "version", "created_at", "updated_at"]


class MilestoneSerializer(ProjectScopedSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "name",
            "description",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "is_key",
            "weight",
            "status",
            "version",
        ]
        read_only_fields = ["id", "version"]


class CostLineSerializer(ProjectScopedSerializer):
    period = serializers.DateField(source="month", help_text="First day of the month.")

    class Meta:
        model = CostLine
        fields = ["id", "project", "category", "period", "planned", "actual", "forecast", "version"]
        read_only_fields = ["id", "version"]
        validators = []  # uniqueness per month and category is checked by the service, with a field message


class DeliverableSerializer(ProjectScopedSerializer):
    class Meta:
        model = Deliverable
        fields = ["id", "project", "name", "owner", "due_date", "acceptance_criteria", "state", "version"]
        read_only_fields = ["id", "version", "state"]


class RiskSerializer(ProjectScopedSerializer):
    class Meta:
        model = Risk
        fields = [
            "id",
            "project",
            "title",
            "cause",
            "effect",
            "is_opportunity",
            "probability",
            "impact",
            "score",
            "proximity_date",
            "response",
            "owner",
            "mitigation",
            "status",
            "trend",
            "due_date",
            "version",
        ]
        read_only_fields = ["id", "version", "score", "trend", "due_date"]

    due_date = serializers.DateField(source="proximity_date", read_only=True, allow_null=True)


class IssueSerializer(ProjectScopedSerializer):
    class Meta:
        model = Issue
        fields = [
            "id",
            "project",
            "title",
            "description",
            "severity",
            "owner",
            "due_date",
            "resolution",
            "status",
            "version",
        ]
        read_only_fields = ["id", "version"]


class AssumptionSerializer(ProjectScopedSerializer):
    class Meta:
        model = Assumption
        fields = ["id", "project", "title", "description", "owner", "due_date", "status", "version"]
        read_only_fields = ["id", "version"]


class DependencySerializer(ProjectScopedSerializer):
    class Meta:
        model = Dependency
        fields = [
            "id",
            "project",
            "title",
            "description",
            "depends_on_project",
            "depends_on_milestone",
            "needed_by",
            "status",
            "version",
        ]
        read_only_fields = ["id", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            visible = Project.objects.visible_to(request.user)
            self.fields["depends_on_project"].queryset = visible
            self.fields["depends_on_milestone"].queryset = Milestone.objects.filter(
                project__in=visible.values("pk")
            )

    def validate(self, attrs):
        target_project = attrs.get("depends_on_project", getattr(self.instance, "depends_on_project", None))
        target_milestone = attrs.get(
            "depends_on_milestone", getattr(self.instance, "depends_on_milestone", None)
        )
        if target_project is None and target_milestone is None:
            raise serializers.ValidationError(
                {"depends_on_project": "Name the project or the milestone this depends on."}
            )
        return attrs


class StatusReportSerializer(ProjectScopedSerializer):
    comments = serializers.SerializerMethodField()

    class Meta:
        model = StatusReport
        fields = [
            "id",
            "project",
            "period_start",
            "revision",
            "is_current",
            "state",
            "overall",
            "quality",
            "cost",
            "schedule",
            "risk",
            "overall_comment",
            "quality_comment",
            "cost_comment",
            "schedule_comment",
            "risk_comment",
            "comments",
            "percent_complete",
            "achievements",
            "next_steps",
            "help_needed",
            "submitted_at",
            "submitted_by",
            "correction_reason",
            "indicated",
            "version",
        ]
        read_only_fields = [
            "id",
            "revision",
            "is_current",
            "state",
            "submitted_at",
            "submitted_by",
            "correction_reason",
            "indicated",
            "version",
        ]
        validators = []  # one report per week is checked by the service, with a field message

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["period_start"].read_only = True

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_comments(self, report) -> dict:
        return {
            axis: getattr(report, f"{axis}_comment")
            for axis in ("overall", "quality", "cost", "schedule", "risk")
        }


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    overall = serializers.ChoiceField(choices=StatusReport._meta.get_field("overall").choices, required=False)
    quality = serializers.ChoiceField(choices=StatusReport._meta.get_field("quality").choices, required=False)
    cost = serializers.ChoiceField(choices=StatusReport._meta.get_field("cost").choices, required=False)
    schedule = serializers.ChoiceField(
        choices=StatusReport._meta.get_field("schedule").choices, required=False
    )
    risk = serializers.ChoiceField(choices=StatusReport._meta.get_field("risk").choices, required=False)
    overall_comment = serializers.CharField(required=False, allow_blank=True)
    percent_complete = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True
    )


class DeliverableReviewSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["in_review", "accepted", "rejected"])
    comment = serializers.CharField(required=False, allow_blank=True, default="")
