"""API of allocations (with confirm and staff actions) and of the capacity heat map's data."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from pmo.core.api import (
    IF_MATCH,
    FilterBackend,
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    etag_for,
    expected_version_from,
)
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio.resource_models import Resource, Role
from projects import capacity_selectors as selectors
from projects.capacity_selectors import CapacityFilters
from projects.models import Allocation, Project
from projects.services import allocations as services


class AllocationSerializer(serializers.ModelSerializer):
    fte_percent = serializers.SerializerMethodField(
        help_text="% of capacity (hours per week over 35 h for an hours allocation)."
    )
    start = serializers.DateField(source="start_date", read_only=True)
    end = serializers.DateField(source="end_date", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "project",
            "resource",
            "role",
            "start_date",
            "end_date",
            "start",
            "end",
            "unit",
            "percent",
            "hours_per_week",
            "fte_percent",
            "state",
            "note",
            "requested_by",
            "confirmed_by",
            "confirmed_at",
            "version",
        ]
        read_only_fields = [
            "id",
            "state",
            "requested_by",
            "confirmed_by",
            "confirmed_at",
            "version",
            "fte_percent",
        ]
        extra_kwargs = {"role": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        writing = request is not None and request.method not in SAFE_METHODS and request.user.is_authenticated
        if writing:
            self.fields["project"].queryset = Project.objects.visible_to(request.user)
            self.fields["resource"].queryset = Resource.objects.visible_to(request.user)
            self.fields["role"].queryset = Role.objects.all()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["project"].read_only = True

    def get_fte_percent(self, allocation) -> float:
        if allocation.percent is not None:
            return float(allocation.percent)
        return round(float(allocation.hours_per_week or 0) / 35 * 100, 1)


class StaffSerializer(serializers.Serializer):
    resource = serializers.PrimaryKeyRelatedField(queryset=Resource.objects.none())
    confirm = serializers.BooleanField(default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["resource"].queryset = Resource.objects.visible_to(request.user)


def _version(request, instance) -> int:
    return expected_version_from(request) if request.headers.get("If-Match") else instance.version


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH])
)
class AllocationViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Allocations of the projects the user sees. The project's PMO, manager and deputy request and
    change them; the PMO or the resource's manager confirms (`confirm`); `staff` names a resource
    for a role demand. Strict portfolios answer 400 when a booking would exceed capacity."""

    serializer_class = AllocationSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_fields = ["project", "resource", "role", "state"]

    def get_queryset(self):
        rows = Allocation.objects.visible_to(self.request.user).order_by("project_id", "start_date", "pk")
        return (
            rows if self.action == "list" else rows.select_related("project__portfolio", "resource", "role")
        )

    def can_edit(self, user, obj) -> bool:
        if self.action in ("confirm",):
            return services.can_confirm(user=user, allocation=obj)
        if self.action == "staff":
            return Project.objects.editable_by(user).filter(
                pk=obj.project_id
            ).exists() or services.can_confirm_in(user=user, project=obj.project)
        return Project.objects.editable_by(user).filter(pk=obj.project_id).exists()

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.allocation_update(actor=actor, allocation=instance, version=version, data=data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = data.pop("project")
        if not Project.objects.editable_by(request.user).filter(pk=project.pk).exists():
            raise PermissionDenied(_("You may not change this project."))
        allocation = services.allocation_create(actor=request.user, project=project, data=data)
        return Response(self.get_serializer(allocation).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.allocation_delete(actor=self.request.user, allocation=instance)

    @extend_schema(request=None, responses=AllocationSerializer)
    def confirm(self, request, pk=None, format=None):
        """Confirm a requested named allocation (the resource manager or the PMO)."""
        allocation = self.get_object()
        confirmed = services.allocation_confirm(
            actor=request.user, allocation=allocation, version=_version(request, allocation)
        )
        response = Response(self.get_serializer(confirmed).data)
        response["ETag"] = etag_for(confirmed.version)
        return response

    @extend_schema(request=StaffSerializer, responses=AllocationSerializer)
    def staff(self, request, pk=None, format=None):
        """Name a resource for a role demand (a staffing request); `confirm` needs the PMO."""
        allocation = self.get_object()
        serializer = StaffSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        confirm = serializer.validated_data["confirm"]
        if confirm and not services.can_confirm_in(user=request.user, project=allocation.project):
            raise PermissionDenied(_("Only the PMO confirms while staffing."))
        staffed = services.allocation_staff(
            actor=request.user,
            allocation=allocation,
            version=_version(request, allocation),
            resource=serializer.validated_data["resource"],
            confirm=confirm,
        )
        response = Response(self.get_serializer(staffed).data)
        response["ETag"] = etag_for(staffed.version)
        return response


# DRF's @action, applied after the class body so the methods keep their docstrings for the schema.
from rest_framework.decorators import action  # noqa: E402

AllocationViewSet.confirm = action(detail=True, methods=["post"])(AllocationViewSet.confirm)
AllocationViewSet.staff = action(detail=True, methods=["post"])(AllocationViewSet.staff)


CELL = inline_serializer(
    "CapacityCell",
    {
        "capacity": serializers.FloatField(),
        "confirmed": serializers.FloatField(),
        "requested": serializers.FloatField(),
        "allocated": serializers.FloatField(),
        "free": serializers.FloatField(),
        "load": serializers.FloatField(allow_null=True),
        "level": serializers.CharField(),
    },
)
HEAT_MAP = inline_serializer(
    "CapacityHeatMap",
    {
        "view": serializers.CharField(),
        "granularity": serializers.CharField(),
        "unit": serializers.CharField(),
        "periods": serializers.ListField(child=serializers.DictField()),
        "rows": serializers.ListField(
            child=inline_serializer(
                "CapacityRow",
                {
                    "id": serializers.IntegerField(),
                    "label": serializers.CharField(),
                    "detail": serializers.CharField(),
                    "overloaded": serializers.BooleanField(),
                    "cells": CELL.__class__(many=True),
                },
            )
        ),
        "count": serializers.IntegerField(help_text="Rows in all pages."),
        "page": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "overloaded_count": serializers.IntegerField(),
    },
)


def _int(request, name):
    value = request.query_params.get(name, "")
    if value in ("", None):
        return None
    if not value.isdigit():
        raise ValidationError({name: [_("A whole number is required.")]})
    return int(value)


class CapacityView(APIView):
    """The heat map's data: capacity, confirmed and requested hours per person or role and period."""

    @extend_schema(
        parameters=[
            OpenApiParameter("view", str, enum=["person", "role"]),
            OpenApiParameter("granularity", str, enum=["week", "month"]),
            OpenApiParameter("start", date),
            OpenApiParameter("periods", int, description="Number of weeks (≤ 78) or months (≤ 24)."),
            OpenApiParameter("portfolio", int),
            OpenApiParameter("programme", int),
            OpenApiParameter("department", str),
            OpenApiParameter("skill", int),
            OpenApiParameter("role", int),
            OpenApiParameter("page", int, description="Rows are paged: 1 by default."),
            OpenApiParameter("page_size", int, description="Rows per page, 100 by default, at most 500."),
        ],
        responses=HEAT_MAP,
    )
    def get(self, request):
        params = request.query_params
        start = params.get("start")
        try:
            start_date = date.fromisoformat(start) if start else timezone.localdate()
        except ValueError:
            raise ValidationError({"start": [_("A date as YYYY-MM-DD is required.")]}) from None
        granularity = params.get("granularity", "week")
        view = params.get("view", "person")
        if granularity not in ("week", "month"):
            raise ValidationError({"granularity": [_("week or month.")]})
        if view not in ("person", "role"):
            raise ValidationError({"view": [_("person or role.")]})
        filters = CapacityFilters(
            start=start_date,
            periods=_int(request, "periods") or 12,
            granularity=granularity,
            view=view,
            portfolio=_int(request, "portfolio"),
            programme=_int(request, "programme"),
            department=params.get("department", ""),
            skill=_int(request, "skill"),
            role=_int(request, "role"),
        )
        heat = selectors.heat_map(user=request.user, filters=filters)
        page = _int(request, "page") or 1
        page_size = min(_int(request, "page_size") or 100, 500)
        rows = heat.rows[(page - 1) * page_size : page * page_size]

        def cell(c):
            return {
                "capacity": round(c.capacity, 2),
                "confirmed": round(c.confirmed, 2),
                "requested": round(c.requested, 2),
                "allocated": round(c.allocated, 2),
                "free": round(c.free, 2),
                "load": round(c.load, 1) if c.load is not None else None,
                "level": c.level,
            }

        return Response(
            {
                "view": heat.filters.view,
                "granularity": heat.filters.granularity,
                "unit": "hours",
                "periods": [
                    {"start": b.start, "end": b.end, "working_days": b.working_days} for b in heat.columns
                ],
                "rows": [
                    {
                        "id": row.key,
                        "label": row.label,
                        "detail": row.detail,
                        "overloaded": row.overloaded,
                        "cells": [cell(c) for c in row.cells],
                    }
                    for row in rows
                ],
                "count": len(heat.rows),
                "page": page,
                "page_size": page_size,
                "overloaded_count": heat.overloaded_count,
            }
        )
