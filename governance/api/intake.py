"""API of the project intake: `proposals` (list, retrieve, create a draft, PUT/PATCH a draft with
If-Match) and the workflow as POST actions: `submit`, `review`, `decide`, `reopen`. Lists are the
proposals the user may see, each with its weighted score and rank (constant queries)."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance import intake, intake_selectors
from governance.filters import ProposalFilter
from governance.intake_permissions import can_edit_proposal
from governance.models import ProjectProposal
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
from portfolio.models import Portfolio

State = ProjectProposal.State
PEOPLE = ("requested_sponsor", "proposed_manager", "programme")


class ObjectiveContributionSerializer(serializers.Serializer):
    objective = serializers.IntegerField()
    contribution = serializers.IntegerField(min_value=1, max_value=3)


class EffortSerializer(serializers.Serializer):
    role = serializers.IntegerField()
    role_name = serializers.CharField(read_only=True)
    days = serializers.DecimalField(max_digits=8, decimal_places=1)


class YearlyCostSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    capex = serializers.DecimalField(max_digits=14, decimal_places=2)
    opex = serializers.DecimalField(max_digits=14, decimal_places=2)


class ProposalSerializer(serializers.ModelSerializer):
    """A project proposal. People and programme are ids (checked by the service: members and
    programme of the portfolio). With `yearly_costs`, `capex` and `opex` are their sums."""

    portfolio = serializers.IntegerField(source="portfolio_id")
    reference = serializers.CharField(read_only=True)
    requested_sponsor = serializers.IntegerField(
        source="requested_sponsor_id", allow_null=True, required=False
    )
    proposed_manager = serializers.IntegerField(source="proposed_manager_id", allow_null=True, required=False)
    programme = serializers.IntegerField(source="programme_id", allow_null=True, required=False)
    objectives = ObjectiveContributionSerializer(many=True, required=False)
    efforts = EffortSerializer(many=True, required=False)
    yearly_costs = YearlyCostSerializer(many=True, required=False)
    score = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField()

    class Meta:
        model = ProjectProposal
        fields = [
            "id",
            "portfolio",
            "number",
            "reference",
            "project",
            *intake.FIELDS,  # the inputs the service accepts, in its order
            "state",
            "requested_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_rationale",
            "revisit_on",
            "decision",
            "score",
            "rank",
            "version",
        ]
        read_only_fields = [
            "id",
            "number",
            "project",
            "state",
            "requested_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_rationale",
            "revisit_on",
            "decision",
            "version",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True

    def _scores(self, obj):
        cache = self.context.setdefault("scores", {})
        if obj.portfolio_id not in cache:
            cache.update(intake_selectors.scores_of_portfolios([obj.portfolio_id]))
        return cache[obj.portfolio_id]

    # a decimal as a string (as DRF shows decimals), null before the proposal is scored
    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_score(self, obj):
        score = self._scores(obj).of(obj.project_id)
        return None if score is None or score.value is None else str(score.value)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_rank(self, obj) -> int | None:
        return self._scores(obj).ranks.get(obj.project_id)


class ProposalDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[State.APPROVED, State.REJECTED, State.PARKED])
    rationale = serializers.CharField()
    revisit_on = serializers.DateField(required=False, allow_null=True, help_text="Required when parked.")


def _service_data(validated: dict) -> dict:
    data = dict(validated)
    data.pop("portfolio_id", None)
    for name in PEOPLE:
        if f"{name}_id" in data:
            data[name] = data.pop(f"{name}_id")
    for name in ("objectives", "efforts", "yearly_costs"):
        if name in data:
            data[name] = [
                {k: str(v) if k != "year" else v for k, v in dict(row).items()} for row in data[name]
            ]
    return data


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH]), update=extend_schema(parameters=[IF_MATCH])
)
class ProposalViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Project proposals the user may see (their own drafts, the submitted ones of the portfolios
    where they read every project); `?state=`, `?urgency=`, `?mandatory=`, `?portfolio=`,
    `?programme=`, `?q=`. POST writes a draft (anyone of the portfolio); PUT/PATCH (If-Match) change
    a draft (its requester); `submit` turns it into a PROPOSED project; `review` (PMO), `decide`
    (PMO officers and executives, never the requester; 403 recorded) and `reopen` (a parked one)."""

    serializer_class = ProposalSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_class = ProposalFilter

    def get_queryset(self):
        return intake_selectors.proposal_queryset(user=self.request.user).order_by("-created_at", "-id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["scores"] = {}
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context()
        context["scores"] = intake_selectors.scores_of_portfolios({p.portfolio_id for p in page})
        serializer = self.get_serializer_class()(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    def can_edit(self, user, obj) -> bool:
        if self.action in ("submit", "review", "decide", "reopen"):
            return True  # the service refuses and records the attempt
        return can_edit_proposal(user, obj)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        portfolio = (
            Portfolio.objects.visible_to(request.user)
            .filter(pk=serializer.validated_data["portfolio_id"])
            .first()
        )
        if portfolio is None:
            raise serializers.ValidationError({"portfolio": ["Unknown portfolio."]})
        created = intake.proposal_create(
            actor=request.user,
            portfolio=portfolio,
            data=_service_data(serializer.validated_data),
            request=request,
        )
        return self._answer(created, status=status.HTTP_201_CREATED)

    @classmethod
    def update_service(cls, *, actor, instance, version, data):
        return intake.proposal_update(
            actor=actor, proposal=instance, version=version, data=_service_data(data)
        )

    def _answer(self, instance, status=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=instance.pk)
        response = Response(self.get_serializer(fresh).data, status=status)
        response["ETag"] = etag_for(fresh.version)
        return response

    def _version(self, request, instance) -> int:
        return expected_version_from(request) if request.headers.get("If-Match") else instance.version

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, format=None):
        """Draft → submitted: the PROPOSED project with its planned costs and requested roles."""
        instance = self.get_object()
        intake.proposal_submit(
            actor=request.user, proposal=instance, version=self._version(request, instance), request=request
        )
        return self._answer(instance)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None, format=None):
        """Submitted → under review (the portfolio's PMO officers)."""
        instance = self.get_object()
        intake.proposal_start_review(
            actor=request.user, proposal=instance, version=self._version(request, instance), request=request
        )
        return self._answer(instance)

    @extend_schema(request=ProposalDecideSerializer, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        """Approve (gate 0), reject or park (with `revisit_on`) a proposal under review."""
        instance = self.get_object()
        intake.check_decider(actor=request.user, proposal=instance, request=request)
        serializer = ProposalDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        intake.proposal_decide(
            actor=request.user,
            proposal=instance,
            outcome=serializer.validated_data["outcome"],
            rationale=serializer.validated_data["rationale"],
            revisit_on=serializer.validated_data.get("revisit_on"),
            version=self._version(request, instance),
            request=request,
        )
        return self._answer(instance)

    @extend_schema(request=None, responses=ProposalSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None, format=None):
        """Parked → under review again."""
        instance = self.get_object()
        intake.proposal_reopen(
            actor=request.user, proposal=instance, version=self._version(request, instance), request=request
        )
        return self._answer(instance)
