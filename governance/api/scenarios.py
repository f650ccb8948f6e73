"""API of portfolio scenarios: /api/v1/scenarios/ (CRUD without delete, If-Match on edits), with the
limits and the projects nested; POST run/ runs the optimiser, POST commit/ records the decision and
freezes the scenario (409 on any change afterwards); GET result/ and frontier/ read the last run."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.response import Response

from governance import scenario_display
from governance import scenario_services as services
from governance.scenario_models import CostKind, Scenario, ScenarioProject
from governance.scenario_selectors import scenario_inputs
from pmo.core.api import (
    IF_MATCH,
    FilterBackend,
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    check_read_only_fields,
    etag_for,
    expected_version_from,
)
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio.models import Portfolio
from portfolio.resource_models import Role
from projects.models import Project


class Frozen(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This scenario was committed: it can no longer be changed or run."
    default_code = "frozen"


class ScenarioBudgetSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CostKind.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class ScenarioCapacitySerializer(serializers.Serializer):
    role = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all())
    quarter = serializers.RegexField(r"^\d{4}-T[1-4]$")
    days = serializers.DecimalField(max_digits=9, decimal_places=1, min_value=0)


class ScenarioProjectSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id")
    mode = serializers.ChoiceField(choices=ScenarioProject.Mode.choices)
    selected = serializers.BooleanField(read_only=True, allow_null=True)
    manual = serializers.BooleanField(required=False, allow_null=True)


class ScenarioDependencySerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project_id")
    requires = serializers.IntegerField(source="requires_id")


class ScenarioSerializer(serializers.ModelSerializer):
    budgets = ScenarioBudgetSerializer(many=True, required=False)
    capacities = ScenarioCapacitySerializer(many=True, required=False)
    projects = ScenarioProjectSerializer(many=True, required=False, source="entries")
    dependencies = ScenarioDependencySerializer(many=True, required=False)

    class Meta:
        model = Scenario
        fields = [
            "id",
            "portfolio",
            "name",
            "description",
            "first_year",
            "years",
            "state",
            "committed_by",
            "committed_at",
            "run_status",
            "run_progress",
            "run_at",
            "solver_seconds",
            "objective",
            "budgets",
            "capacities",
            "projects",
            "dependencies",
            "version",
        ]
        read_only_fields = [
            "id",
            "state",
            "committed_by",
            "committed_at",
            "run_status",
            "run_progress",
            "run_at",
            "solver_seconds",
            "objective",
            "version",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["portfolio"].queryset = Portfolio.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True


class ScenarioCommitSerializer(serializers.Serializer):
    rationale = serializers.CharField()


RESULT = inline_serializer(
    "ScenarioResult",
    {
        "status": serializers.CharField(),
        "score": serializers.FloatField(),
        "selected": serializers.ListField(child=serializers.IntegerField()),
        "binding": serializers.ListField(child=serializers.CharField()),
        "problems": serializers.ListField(child=serializers.CharField()),
        "uses": serializers.ListField(child=serializers.DictField()),
        "left_out": serializers.ListField(child=serializers.DictField()),
    },
)
FRONTIER = inline_serializer(
    "ScenarioFrontierPoint",
    {
        "budget": serializers.FloatField(),
        "score": serializers.FloatField(),
        "count": serializers.IntegerField(),
    },
    many=True,
)


def _service_errors(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH]), update=extend_schema(parameters=[IF_MATCH])
)
class ScenarioViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Scenarios of the portfolios the user reads (`?portfolio=`, `?state=`); the portfolio's PMO
    officers create, edit (If-Match), run and commit them."""

    serializer_class = ScenarioSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_fields = ["portfolio", "state"]

    def get_queryset(self):
        return (
            Scenario.objects.visible_to(self.request.user)
            .select_related("portfolio")
            .prefetch_related("budgets", "capacities", "entries", "dependencies")
            .order_by("portfolio_id", "-created_at", "-id")
        )

    def can_edit(self, user, obj) -> bool:
        return Scenario.objects.editable_by(user).filter(pk=obj.pk).exists()

    def create(self, request, *args, **kwargs):
        if not Portfolio.objects.editable_by(request.user).exists():
            raise PermissionDenied(_("Only PMO officers create scenarios."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        portfolio = data.pop("portfolio")
        if not Portfolio.objects.editable_by(request.user).filter(pk=portfolio.pk).exists():
            raise PermissionDenied(_("Only the portfolio's PMO officers create its scenarios."))
        try:
            scenario = services.scenario_create(actor=request.user, portfolio=portfolio, data=data)
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        return Response(
            self.get_serializer(self.get_queryset().get(pk=scenario.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = expected_version_from(request)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        check_read_only_fields(
            serializer,
            {
                k: v
                for k, v in request.data.items()
                if k not in ("budgets", "capacities", "projects", "dependencies")
            }
            if hasattr(request.data, "items")
            else request.data,
        )
        data = dict(serializer.validated_data)
        budgets = {(b["year"], b["kind"]): b["amount"] for b in data.pop("budgets", [])}
        capacities = {(c["role"].pk, c["quarter"]): c["days"] for c in data.pop("capacities", [])}
        entries = data.pop("entries", None)
        modes = {e["project_id"]: e["mode"] for e in entries or []}
        manual = {e["project_id"]: e["manual"] for e in entries or [] if "manual" in e}
        dependencies = data.pop("dependencies", None)
        pairs = (
            [(d["project_id"], d["requires_id"]) for d in dependencies] if dependencies is not None else None
        )
        try:
            updated = services.scenario_update(
                actor=request.user,
                scenario=instance,
                version=version,
                data=data,
                budgets=budgets,
                capacities=capacities,
                modes=modes,
                manual=manual,
                dependencies=pairs,
            )
        except services.ScenarioFrozen as error:
            raise Frozen(str(error)) from None
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        response = Response(self.get_serializer(self.get_queryset().get(pk=updated.pk)).data)
        response["ETag"] = etag_for(updated.version)
        return response

    @extend_schema(
        request=None,
        responses={
            200: ScenarioSerializer,
            202: ScenarioSerializer,
            409: OpenApiResponse(description="Committed"),
        },
    )
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None, **kwargs):
        """Run the optimiser: inline (200) or, for a large scenario, queued for a worker (202;
        follow `run_status` and `run_progress`)."""
        scenario = self.get_object()
        try:
            updated = services.scenario_run(actor=request.user, scenario=scenario)
        except services.ScenarioFrozen as error:
            raise Frozen(str(error)) from None
        code = status.HTTP_202_ACCEPTED if updated.is_running else status.HTTP_200_OK
        return Response(self.get_serializer(self.get_queryset().get(pk=updated.pk)).data, status=code)

    @extend_schema(
        request=ScenarioCommitSerializer,
        parameters=[IF_MATCH],
        responses={200: ScenarioSerializer, 409: OpenApiResponse(description="Already committed")},
    )
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None, **kwargs):
        """Commit the last run (If-Match): a governance Decision is recorded with the rationale."""
        scenario = self.get_object()
        version = expected_version_from(request)
        serializer = ScenarioCommitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.scenario_commit(
                actor=request.user,
                scenario=scenario,
                version=version,
                rationale=serializer.validated_data["rationale"],
            )
        except services.ScenarioFrozen as error:
            raise Frozen(str(error)) from None
        except DjangoValidationError as error:
            raise _service_errors(error) from None
        fresh = self.get_queryset().get(pk=scenario.pk)
        response = Response(self.get_serializer(fresh).data)
        response["ETag"] = etag_for(fresh.version)
        return response

    @extend_schema(responses={200: RESULT})
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None, **kwargs):
        """The last run: selection, uses, binding limits and conflicts in words, projects left out."""
        scenario = self.get_object()
        inputs = scenario_inputs(scenario)
        labels = {f.project.pk: f"{f.project.code} – {f.project.name}" for f in inputs.figures}
        outcome = scenario_display.outcome(
            scenario.result, labels=labels, roles=inputs.roles, currency=scenario.portfolio.currency
        )
        if outcome is None:
            return Response(
                {
                    "status": scenario.run_status,
                    "score": 0.0,
                    "selected": [],
                    "binding": [],
                    "problems": [],
                    "uses": [],
                    "left_out": [],
                }
            )
        return Response(
            {
                "status": outcome.status,
                "score": outcome.score,
                "selected": outcome.selected,
                "binding": [scenario_display.binding_text(u) for u in outcome.binding],
                "problems": outcome.problems,
                "uses": [
                    {"kind": u.kind, "key": u.key, "used": u.used, "limit": u.limit, "binding": u.binding}
                    for u in outcome.uses
                ],
                "left_out": [
                    {
                        "project": row.project_id,
                        "score": row.score,
                        "reasons": row.reasons,
                        "just_over_the_line": row.just_over_the_line,
                        "would_come_in_with": row.let_in,
                    }
                    for row in outcome.left_out
                ],
            }
        )

    @extend_schema(responses={200: FRONTIER})
    # a plain list, not a page (the schema said paginated; found by schemathesis, row 27)
    @action(detail=True, methods=["get"], pagination_class=None)
    def frontier(self, request, pk=None, **kwargs):
        """The efficient frontier of the last run: the best total score for each total budget."""
        return Response(self.get_object().frontier)


__all__ = ["Project", "ScenarioViewSet"]
