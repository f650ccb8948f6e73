from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portfolio.models import Portfolio, Programme
from projects.models import Project


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
            "latest_status",
            "version",
            "archived_at",
        ]
        read_only_fields = ["id", "version", "archived_at", "latest_status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only portfolios where the user is PMO can receive a new project; others are unknown ids.
            self.fields["portfolio"].queryset = Portfolio.objects.editable_by(request.user).active()
            self.fields["programme"].queryset = Programme.objects.visible_to(request.user).active()
        active_users = get_user_model().objects.filter(is_active=True)
        for name in ("manager", "deputy", "sponsor"):
            self.fields[name].queryset = active_users
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True

    @extend_schema_field({"type": "object", "nullable": True})
    def get_latest_status(self, project) -> dict | None:
        return None

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": "The end date must be on or after the start date."}
            )
        return attrs
