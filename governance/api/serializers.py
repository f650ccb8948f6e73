from rest_framework import serializers

from governance.models import ExceptionReport, ProjectException
from projects.models import Project


class ExceptionSerializer(serializers.ModelSerializer):
    """An exception as read; `report` is the id of its exception report."""

    report = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = ProjectException
        fields = [
            "id",
            "project",
            "tolerance",
            "forecast_value",
            "limit",
            "unit",
            "summary",
            "state",
            "raised_at",
            "raised_by",
            "closed_at",
            "closing_note",
            "report",
            "version",
        ]
        read_only_fields = fields


class ExceptionCreateSerializer(serializers.Serializer):
    """An exception raised by hand. For cost, time and risk the forecast and the limit default to
    the measured ones; for quality and scope they are required."""

    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    tolerance = serializers.ChoiceField(choices=ProjectException.Tolerance.choices)
    summary = serializers.CharField()
    forecast_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    limit = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only visible projects: another portfolio's project is an unknown id (400), not a 403.
            self.fields["project"].queryset = Project.objects.visible_to(request.user).active()


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="The decision that closes the exception.")


class OptionSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    cost_impact = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="Against the budget (BAC); negative for a saving; null: to be estimated.",
    )
    schedule_impact_days = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Working days against the baseline."
    )
    risk = serializers.CharField(required=False, allow_blank=True, default="")


class ExceptionReportSerializer(serializers.ModelSerializer):
    """The exception report: its texts and options are writable while it is a draft."""

    options = OptionSerializer(many=True, required=False)
    facts = serializers.JSONField(read_only=True)

    class Meta:
        model = ExceptionReport
        fields = [
            "id",
            "exception",
            "title",
            "cause",
            "consequences",
            "options",
            "recommendation",
            "decision_requested",
            "facts",
            "state",
            "sent_at",
            "sent_by",
            "version",
        ]
        read_only_fields = ["id", "exception", "facts", "state", "sent_at", "sent_by", "version"]
