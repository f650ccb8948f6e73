from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

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
from portfolio.selectors import portfolios_creatable_in
from projects import qcdr, selectors, services
from projects.api.serializers import (
    AssumptionSerializer,
    CorrectionSerializer,
    CostLineSerializer,
    DeliverableReviewSerializer,
    DeliverableSerializer,
    DependencySerializer,
    IssueSerializer,
    LatestStatusSerializer,
    MilestoneSerializer,
    ProjectSerializer,
    RiskSerializer,
    StatusReportSerializer,
)
from projects.filters import ProjectFilter
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
from projects.permissions import is_portfolio_pmo, project_editable_fields
from projects.reasons import describe

RAG_FIELD = serializers.ChoiceField(choices=["green", "amber", "red", "unknown"])
AXES_OBJECT = inline_serializer(
    "QCDRAxes",
    dict.fromkeys(("quality", "cost", "schedule", "risk", "overall"), RAG_FIELD),
)
QCDRSerializer = inline_serializer(
    "ProjectQCDR",
    {
        "declared": AXES_OBJECT,
        "indicated": AXES_OBJECT,
        "reasons": serializers.DictField(child=serializers.ListField(child=serializers.DictField())),
        "evm": serializers.DictField(child=serializers.CharField(allow_null=True)),
        "stale": serializers.BooleanField(),
        "watermelon": serializers.BooleanField(),
        "watermelon_axes": serializers.ListField(child=serializers.CharField()),
    },
)


def _today():
    return timezone.localdate()


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH])
)
class ProjectViewSet(
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
    """Projects the user can see; writes follow the PMO / project manager split of fields."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    permission_classes = [ReadOnlyOrObjectEditable]

    def get_queryset(self):
        if self.action == "list":  # ids and the latest RAG: no joined people, no QCDR snapshot
            return selectors.project_rows(user=self.request.user)
        return selectors.project_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        """The page as dicts (`values()`), each value formatted by the serializer's own fields: the
        same JSON as ProjectSerializer (tests/api/test_project_list_rows.py) at a third of its cost,
        because a model instance and a serializer pass per row cost more than the SQL itself."""
        shape = shape_for(RowShape, self.get_serializer_class(), self.get_serializer)
        queryset = self.filter_queryset(self.get_queryset()).values(*shape.columns)
        page = self.paginate_queryset(queryset)
        rows = shape.data(page if page is not None else queryset)
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.project_update(actor=actor, project=instance, version=version, data=data)

    def can_edit(self, user, obj) -> bool:
        if self.request.method == "DELETE":
            return is_portfolio_pmo(user=user, portfolio_id=obj.portfolio_id)
        return bool(project_editable_fields(user=user, project=obj))

    def check_field_permissions(self, instance, data) -> None:
        allowed = project_editable_fields(user=self.request.user, project=instance)
        # Sending back an unchanged value (a GET-modify-PUT round trip) is not changing it.
        refused = sorted(
            name for name, value in data.items() if name not in allowed and getattr(instance, name) != value
        )
        if refused:
            raise PermissionDenied(_("You may not change: %(fields)s.") % {"fields": ", ".join(refused)})

    def create(self, request, *args, **kwargs):
        if not portfolios_creatable_in(user=request.user).exists():
            raise PermissionDenied(_("Only PMO officers create projects."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = services.project_create(actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=QCDRSerializer)
    @action(detail=True, methods=["get"], url_path="qcdr")
    def qcdr(self, request, pk=None, format=None):
        """Declared and indicated RAG per axis with reasons, EVM (null when not computable), staleness."""
        project = self.get_object()
        result = qcdr.qcdr_as_dict(selectors.project_qcdr(project=project, as_of=_today()))
        currency = project.portfolio.currency
        result["reasons"] = {
            axis: [{**reason, "text": describe(reason, currency=currency)} for reason in reasons]
            for axis, reasons in result["reasons"].items()
        }
        return Response(result)

    def perform_destroy(self, instance):
        """DELETE archives (soft delete): status history, risks and costs are kept."""
        services.project_set_archived(actor=self.request.user, project=instance, archived=True)


# Fields whose to_representation gives back the column's own value (str, int, bool, a choice's
# key): no call per value. Exact types: a subclass may format differently.
SHOWN_AS_STORED = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.BooleanField,
)


def formatter(field: serializers.Field | None) -> Callable | None:
    """How a column's value is shown by `field`: None when as stored (a related object's id, a
    string, a number, a flag), else the field's own to_representation."""
    if field is None or isinstance(field, serializers.RelatedField) or type(field) in SHOWN_AS_STORED:
        return None
    if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
        # What DRF looks up for every value (DateTimeField.default_timezone), looked up once.
        field.timezone = field.default_timezone()
    return field.to_representation


# Row shapes per serializer class, built once per process: building a serializer's fields costs
# more than formatting a page of rows. A list's fields do not depend on the request (the scoped
# querysets are for writes), and the method fields they call read only the row.
_SHAPES: dict[tuple[type, type], object] = {}


def shape_for(shape_class: type, serializer_class: type, make: Callable[[], serializers.Serializer]):
    key = (shape_class, serializer_class)
    shape = _SHAPES.get(key)
    if shape is None:
        shape = _SHAPES[key] = shape_class(make())
    return shape


class RowShape:
    """ProjectSerializer's output for `values()` rows of selectors.project_rows: each value goes
    through the serializer's own field (same formats), a related object is shown as its id."""

    def __init__(self, serializer: ProjectSerializer):
        self.names = list(serializer.fields)
        self.own = [
            (name, formatter(field), f"{name}_id" if isinstance(field, serializers.RelatedField) else name)
            for name, field in serializer.fields.items()
            if name != "latest_status"
        ]
        self.latest = [
            (name, formatter(field), f"latest_report__{name}")
            for name, field in LatestStatusSerializer().fields.items()
            if name != "watermelon"
        ]
        self.columns = [key for _n, _f, key in self.own + self.latest] + ["latest_watermelon"]

    def data(self, rows) -> list[dict]:
        own, latest, names, data = self.own, self.latest, self.names, []
        for row in rows:
            item = {}
            for name, show, key in own:
                value = row[key]
                item[name] = value if show is None or value is None else show(value)
            if row["latest_report__id"] is None:
                item["latest_status"] = None
            else:
                status = {}
                for name, show, key in latest:
                    value = row[key]
                    status[name] = value if show is None or value is None else show(value)
                status["watermelon"] = bool(row["latest_watermelon"])
                item["latest_status"] = status
            data.append({name: item[name] for name in names})
        return data


class RowAttributes:
    """A `values()` row read as attributes (`report.overall_comment`), for a serializer method field:
    the row is the object's `__dict__`, so reading a column is a plain attribute lookup."""

    def __init__(self, row: dict):
        self.__dict__ = row


class RegisterRows:
    """A register serializer's output for `values()` rows: each value through the serializer's own
    field, a related object as its id; a method field, or a field that renders the whole object (DRF's
    ModelField, for a generated column), given the row as attributes. Same JSON as the serializer
    over model instances (tests/api/test_register_list_rows.py), without building a model instance
    and walking every field's `get_attribute` per row."""

    def __init__(self, serializer: serializers.ModelSerializer):
        self.plain: list[tuple[str, Callable | None, str]] = []
        self.methods: list[tuple[str, Callable[[RowAttributes], object]]] = []
        for name, field in serializer.fields.items():
            if isinstance(field, serializers.SerializerMethodField):
                self.methods.append((name, getattr(serializer, field.method_name)))
                continue
            if isinstance(field, serializers.ModelField):
                self.methods.append((name, field.to_representation))
                continue
            if "." in field.source or field.source == "*":
                raise ValueError(f"{type(serializer).__name__}.{name}: not a column of the row")
            if isinstance(field, serializers.RelatedField):
                self.plain.append((name, None, f"{field.source}_id"))
                continue
            self.plain.append((name, formatter(field), field.source))
        self.names = list(serializer.fields)
        # A method field reads the columns the other fields show (StatusReportSerializer.comments);
        # a whole-object field, its own column.
        whole = [
            field.model_field.attname
            for field in serializer.fields.values()
            if isinstance(field, serializers.ModelField)
        ]
        self.columns = list(dict.fromkeys([key for _name, _field, key in self.plain] + whole))

    def data(self, rows) -> list[dict]:
        plain, methods, names, data = self.plain, self.methods, self.names, []
        for row in rows:
            item = {}
            for name, show, key in plain:
                value = row[key]
                item[name] = value if show is None or value is None else show(value)
            if methods:
                attributes = RowAttributes(row)
                for name, method in methods:
                    item[name] = method(attributes)
            data.append({name: item[name] for name in names})
        return data


class RegisterViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """A register of projects: visible rows only; writes for the project's PMO, manager and deputy."""

    model = None
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_fields = ["project"]
    ordering_fields = ["id"]

    # The list rendered from `values()` rows (RegisterRows): for the registers whose serializer has
    # only columns of the row and method fields over them.
    list_as_values = False

    def get_queryset(self):
        rows = self.model.objects.visible_to(self.request.user).order_by("project_id", "pk")
        # A list renders the project as its id: joining the project row is for the detail actions.
        return rows if self.action == "list" else rows.select_related("project")

    def list(self, request, *args, **kwargs):
        if not self.list_as_values:
            return super().list(request, *args, **kwargs)
        shape = shape_for(RegisterRows, self.get_serializer_class(), self.get_serializer)
        queryset = self.filter_queryset(self.get_queryset()).values(*shape.columns)
        page = self.paginate_queryset(queryset)
        rows = shape.data(page if page is not None else queryset)
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    def can_edit(self, user, obj) -> bool:
        if self.model.project.is_cached(obj):
            return obj.project.is_editable_by(user)  # loaded with the row (get_queryset)
        return Project.objects.editable_by(user).filter(pk=obj.project_id).exists()

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.record_update(actor=actor, instance=instance, version=version, data=data)

    def _require_editable(self, project) -> None:
        if not Project.objects.editable_by(self.request.user).filter(pk=project.pk).exists():
            raise PermissionDenied(_("You may not change this project."))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = data.pop("project")
        self._require_editable(project)
        instance = self.perform_register_create(project=project, data=data)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)

    def perform_register_create(self, *, project, data):
        return services.record_create(actor=self.request.user, model=self.model, project=project, data=data)


class MilestoneViewSet(RegisterViewSet):
    model = Milestone
    list_as_values = True
    serializer_class = MilestoneSerializer


class CostLineViewSet(RegisterViewSet):
    model = CostLine
    list_as_values = True
    serializer_class = CostLineSerializer
    filterset_fields = ["project", "category", "month"]

    def perform_register_create(self, *, project, data):
        if CostLine.objects.filter(project=project, month=data["month"], category=data["category"]).exists():
            raise ValidationError({"period": _("This month already has a line of this category: update it.")})
        return super().perform_register_create(project=project, data=data)


class DeliverableViewSet(RegisterViewSet):
    model = Deliverable
    list_as_values = True
    serializer_class = DeliverableSerializer

    @extend_schema(request=DeliverableReviewSerializer, responses=DeliverableSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, format=None):
        """Submit for review, accept or reject (with a comment); every step is kept."""
        deliverable = self.get_object()
        serializer = DeliverableReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = _version_or_current(request, deliverable)
        updated = services.deliverable_review(
            actor=request.user, deliverable=deliverable, version=version, **serializer.validated_data
        )
        return _with_etag(
            Response(DeliverableSerializer(updated, context={"request": request}).data), updated
        )


class RiskViewSet(RegisterViewSet):
    model = Risk
    list_as_values = True
    serializer_class = RiskSerializer
    filterset_fields = ["project", "status", "is_opportunity"]
    ordering_fields = ["score", "id"]


class IssueViewSet(RegisterViewSet):
    model = Issue
    list_as_values = True
    serializer_class = IssueSerializer
    filterset_fields = ["project", "status", "severity"]


class AssumptionViewSet(RegisterViewSet):
    model = Assumption
    list_as_values = True
    serializer_class = AssumptionSerializer


class DependencyViewSet(RegisterViewSet):
    model = Dependency
    list_as_values = True
    serializer_class = DependencySerializer


def _version_or_current(request, instance) -> int:
    """Workflow actions take If-Match when given (412 when stale); without it, the current version."""
    return expected_version_from(request) if request.headers.get("If-Match") else instance.version


def _with_etag(response, instance):
    response["ETag"] = etag_for(instance.version)
    return response


class StatusReportViewSet(RegisterViewSet):
    """Weekly reports: create a week's draft, PATCH it (If-Match), submit it; submitted ones are frozen."""

    model = StatusReport
    list_as_values = True
    serializer_class = StatusReportSerializer
    filterset_fields = ["project", "period_start", "state", "is_current"]
    ordering_fields = ["period_start", "id"]

    def get_queryset(self):
        rows = StatusReport.objects.visible_to(self.request.user).order_by(
            "project_id", "-period_start", "-revision"
        )
        if self.action == "list":
            return rows
        # A submit computes the QCDR with the portfolio's tolerances: read with the report, once.
        return rows.select_related("project__portfolio" if self.action == "submit" else "project")

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.status_report_update(actor=actor, report=instance, version=version, data=data)

    def perform_register_create(self, *, project, data):
        period_start = data.pop("period_start")
        if StatusReport.objects.filter(project=project, period_start=period_start, is_current=True).exists():
            raise ValidationError(
                {"period_start": _("This week already has a report: update or correct it.")}
            )
        return services.status_report_save(
            actor=self.request.user,
            project=project,
            period_start=period_start,
            version=None,
            data=data,
            submit=False,
        )

    @extend_schema(request=None, responses=StatusReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, format=None):
        """Freeze the report with the QCDR indicated by the data today."""
        report = self.get_object()  # ReadOnlyOrObjectEditable checked can_edit (the project is editable)
        submitted = services.status_report_submit(
            actor=request.user, report=report, version=_version_or_current(request, report)
        )
        return _with_etag(Response(self.get_serializer(submitted).data), submitted)

    @extend_schema(request=CorrectionSerializer, responses=StatusReportSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None, format=None):
        """Correct a submitted report: a new submitted revision with a reason; the old one is kept."""
        report = self.get_object()
        self._require_editable(report.project)
        serializer = CorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason")
        correction = services.status_report_correct(
            actor=request.user, report=report, reason=reason, data=data
        )
        return _with_etag(
            Response(self.get_serializer(correction).data, status=status.HTTP_201_CREATED), correction
        )
