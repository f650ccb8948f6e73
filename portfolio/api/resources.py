"""API of the resource pool: resources (with skills and absences) and the role catalogue."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from pmo.core.api import (
    IF_MATCH,
    FilterBackend,
    ListFiltersOnlyMixin,
    SlugRelatedField,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
)
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio import resource_services as services
from portfolio.models import Portfolio
from portfolio.resource_models import Absence, Resource, ResourceSkill, Role, Skill


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "code", "name", "cost_rate_per_day"]


class ResourceSkillSerializer(serializers.ModelSerializer):
    skill = SlugRelatedField(slug_field="name", queryset=Skill.objects.all())

    class Meta:
        model = ResourceSkill
        fields = ["skill", "level"]


class AbsenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Absence
        fields = ["id", "start_date", "end_date", "reason"]


class ResourceSerializer(serializers.ModelSerializer):
    skills = ResourceSkillSerializer(many=True, required=False)
    absences = AbsenceSerializer(many=True, read_only=True)
    capacity = serializers.SerializerMethodField(help_text="Hours per week at the working time (hours × %).")

    class Meta:
        model = Resource
        fields = [
            "id",
            "portfolio",
            "name",
            "user",
            "role",
            "department",
            "manager",
            "cost_rate_per_day",
            "hours_per_week",
            "working_time_pct",
            "capacity",
            "available_from",
            "available_until",
            "skills",
            "absences",
            "version",
            "archived_at",
        ]
        read_only_fields = ["id", "version", "archived_at", "absences", "capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.method not in SAFE_METHODS and request.user.is_authenticated:
            self.fields["portfolio"].queryset = Portfolio.objects.editable_by(request.user).active()
            users = get_user_model().objects.filter(is_active=True)
            self.fields["user"].queryset = users
            self.fields["manager"].queryset = users
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True

    def get_capacity(self, resource) -> float:
        return float(resource.hours_per_week * resource.working_time_pct / 100)

    def validate(self, attrs):
        start = attrs.get("available_from", getattr(self.instance, "available_from", None))
        end = attrs.get("available_until", getattr(self.instance, "available_until", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"available_until": "The end of availability must follow its start."}
            )
        return attrs


def _skills(data) -> dict | None:
    if "skills" not in data:
        return None
    return {item["skill"]: item["level"] for item in data.pop("skills")}


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH])
)
class ResourceViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The resources of the pools the user reads; PMO officers of the pool's portfolio write."""

    serializer_class = ResourceSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_fields = ["portfolio", "role", "department"]

    def get_queryset(self):
        rows = Resource.objects.visible_to(self.request.user).order_by("name", "pk")
        if self.action == "list":
            rows = rows.filter(archived_at__isnull=True)
        return rows.prefetch_related("skills__skill", "absences")

    def can_edit(self, user, obj) -> bool:
        return Resource.objects.editable_by(user).filter(pk=obj.pk).exists()

    @staticmethod
    def update_service(*, actor, instance, version, data):
        data = dict(data)
        skills = _skills(data)
        return services.resource_update(
            actor=actor, resource=instance, version=version, data=data, skills=skills
        )

    def create(self, request, *args, **kwargs):
        if not Portfolio.objects.editable_by(request.user).exists():
            raise PermissionDenied(_("Only PMO officers add resources."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        skills = _skills(data)
        resource = services.resource_create(actor=request.user, data=data, skills=skills)
        return Response(self.get_serializer(resource).data, status=status.HTTP_201_CREATED)


class RoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The role catalogue (chef de projet, architecte...), shared by every pool."""

    serializer_class = RoleSerializer
    queryset = Role.objects.order_by("name")
