"""API of change control, committees, meetings, decisions, actions and lessons. Lists are scoped to
what the user may see; workflow transitions are POST actions on the object; PATCH needs If-Match."""

import django_filters
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance import changes, committees, control_selectors, lessons
from governance.control_permissions import (
    can_assess_change,
    can_edit_lesson,
    can_request_change,
    can_update_action,
)
from governance.models import Action, ChangeRequest, Decision, LessonLearned, Meeting, SteeringCommittee
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
from projects.models import Project
from projects.models.registers import CostCategory


def _with_etag(response, instance):
    response["ETag"] = etag_for(instance.version)
    return response


def _version(request, instance) -> int:
    return expected_version_from(request) if request.headers.get("If-Match") else instance.version


# --- Serializers -------------------------------------------------------------------------------------


class ProposedMilestoneSerializer(serializers.Serializer):
    milestone = serializers.IntegerField()
    baseline_date = serializers.DateField()


class ProposedCostSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the month.")
    category = serializers.ChoiceField(choices=CostCategory.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Signed change of the plan.")


class ChangeRequestSerializer(serializers.ModelSerializer):
    """A change request; `proposed_milestones` and `proposed_costs` are the new baseline it brings."""

    proposed_milestones = ProposedMilestoneSerializer(many=True, required=False)
    proposed_costs = ProposedCostSerializer(many=True, required=False)
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    baseline_number = serializers.IntegerField(source="baseline.number", read_only=True, allow_null=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "project",
            "number",
            "title",
            "description",
            "reason",
            "cost_impact",
            "schedule_impact_days",
            "scope_impact",
            "quality_impact",
            "risk_impact",
            "benefits_impact",
            "proposed_milestones",
            "proposed_costs",
            "assessment",
            "state",
            "requested_by",
            "submitted_at",
            "assessed_by",
            "assessed_at",
            "decided_by",
            "decided_at",
            "decision_rationale",
            "baseline_number",
            "version",
        ]
        read_only_fields = [
            "id",
            "number",
            "assessment",
            "state",
            "requested_by",
            "submitted_at",
            "assessed_by",
            "assessed_at",
            "decided_by",
            "decided_at",
            "decision_rationale",
            "baseline_number",
            "version",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["project"].queryset = Project.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["project"].read_only = True


class AssessSerializer(serializers.Serializer):
    assessment = serializers.CharField()


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[o.value for o in changes.CR_OUTCOMES])
    rationale = serializers.CharField()


class ExceptionDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[o.value for o in changes.EXCEPTION_OUTCOMES])
    rationale = serializers.CharField()
    tolerances = serializers.DictField(
        required=False,
        help_text="For tolerances_changed: cost_tolerance_pct, time_tolerance_days, risk_red_score, "
        "risk_amber_score, scope_tolerance_pct, quality_tolerance_pct, benefit_tolerance_pct.",
    )


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id",
            "title",
            "outcome",
            "rationale",
            "project",
            "meeting",
            "agenda_item",
            "exception",
            "change_request",
            "gate_review_id",
            "scenario",
            "details",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = SteeringCommittee
        fields = ["id", "portfolio", "programme", "name", "chair", "members", "default_place"]
        read_only_fields = fields


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    project = serializers.IntegerField(source="project_id", allow_null=True)
    exception = serializers.IntegerField(source="exception_id", allow_null=True)
    change_request = serializers.IntegerField(source="change_request_id", allow_null=True)
    gate_review = serializers.IntegerField(source="gate_review_id", allow_null=True)


class MeetingSerializer(serializers.ModelSerializer):
    agenda = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "committee",
            "starts_at",
            "duration_minutes",
            "place",
            "attendees",
            "state",
            "minutes",
            "minutes_approved_by",
            "minutes_approved_at",
            "agenda",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_agenda(self, meeting) -> list[dict]:
        items = getattr(meeting, "live_items", None)
        if items is None:
            items = control_selectors.meeting_agenda(meeting=meeting)
        return AgendaItemSerializer(items, many=True).data


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "due_date",
            "status",
            "project",
            "meeting",
            "decision",
            "done_at",
            "version",
        ]
        read_only_fields = [f for f in fields if f != "status"]


class LessonSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(
        queryset=Project.objects.none(), allow_null=True, required=False
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)

    class Meta:
        model = LessonLearned
        fields = [
            "id",
            "portfolio",
            "project",
            "title",
            "category",
            "context",
            "what_happened",
            "recommendation",
            "tags",
            "methodology",
            "stage",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "created_by", "created_at", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["project"].queryset = Project.objects.visible_to(request.user)
            self.fields["portfolio"].queryset = Portfolio.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True


# --- Filters ------------------------------------------------------------------------------------------


class ChangeRequestFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ChangeRequest.State.choices)
    project = django_filters.NumberFilter(field_name="project_id")
    portfolio = django_filters.NumberFilter(field_name="project__portfolio_id")

    class Meta:
        model = ChangeRequest
        fields = ["state", "project", "portfolio"]


class ActionFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Action.Status.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")
    meeting = django_filters.NumberFilter(field_name="meeting_id")
    project = django_filters.NumberFilter(field_name="project_id")

    class Meta:
        model = Action
        fields = ["status", "owner", "meeting", "project"]


class LessonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="French full-text search")
    category = django_filters.ChoiceFilter(choices=LessonLearned.Category.choices)
    project = django_filters.NumberFilter(field_name="project_id")
    portfolio = django_filters.NumberFilter(field_name="portfolio_id")

    class Meta:
        model = LessonLearned
        fields = ["q", "category", "project", "portfolio"]

    def search(self, queryset, name, value):
        return lessons.lesson_search(queryset, value)


# --- Viewsets -----------------------------------------------------------------------------------------


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH]), update=extend_schema(parameters=[IF_MATCH])
)
class ChangeRequestViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Change requests of visible projects (`?state=`, `?project=`, `?portfolio=`). POST creates a
    draft (project's editors, never on a closed project); PATCH (If-Match) while draft/submitted;
    `submit`, `assess` and `decide` move it on (`decide`: sponsor or executives, never the requester
    or the project manager; approved re-baselines the project)."""

    serializer_class = ChangeRequestSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_class = ChangeRequestFilter

    def get_queryset(self):
        return control_selectors.change_request_list(user=self.request.user).order_by("-created_at", "-id")

    def can_edit(self, user, obj) -> bool:
        if self.action == "decide":
            return True  # the service refuses non-deciders and records the attempt
        if self.action == "assess":
            return can_assess_change(user, obj)
        return can_request_change(user, obj.project)

    @staticmethod
    def _data(validated) -> dict:
        data = dict(validated)
        data.pop("project", None)
        if "proposed_milestones" in data:
            data["proposed_milestones"] = [
                {"milestone": row["milestone"], "baseline_date": row["baseline_date"].isoformat()}
                for row in data["proposed_milestones"]
            ]
        if "proposed_costs" in data:
            data["proposed_costs"] = [
                {"month": row["month"].isoformat(), "category": row["category"], "amount": str(row["amount"])}
                for row in data["proposed_costs"]
            ]
        return data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = serializer.validated_data["project"]
        if not can_request_change(request.user, project):
            raise PermissionDenied
        created = changes.change_request_create(
            actor=request.user, project=project, data=self._data(serializer.validated_data)
        )
        return _with_etag(
            Response(
                self.get_serializer(self.get_queryset().get(pk=created.pk)).data,
                status=status.HTTP_201_CREATED,
            ),
            created,
        )

    @classmethod
    def update_service(cls, *, actor, instance, version, data):
        return changes.change_request_update(
            actor=actor, change_request=instance, version=version, data=cls._data(data)
        )

    def _answer(self, instance):
        fresh = self.get_queryset().get(pk=instance.pk)
        return _with_etag(Response(self.get_serializer(fresh).data), fresh)

    @extend_schema(request=None, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, format=None):
        """Draft or deferred → submitted (If-Match optional)."""
        instance = self.get_object()
        changes.change_request_submit(
            actor=request.user, change_request=instance, version=_version(request, instance)
        )
        return self._answer(instance)

    @extend_schema(request=AssessSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None, format=None):
        """Submitted → assessed, with the assessment note (If-Match optional)."""
        instance = self.get_object()
        serializer = AssessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes.change_request_assess(
            actor=request.user,
            change_request=instance,
            assessment=serializer.validated_data["assessment"],
            version=_version(request, instance),
        )
        return self._answer(instance)

    @extend_schema(request=DecideSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        """Approve, reject or defer an assessed request (If-Match optional); 403 for a non-decider."""
        instance = self.get_object()
        if not changes.can_decide_change(request.user, instance):
            changes.change_request_decide(
                actor=request.user, change_request=instance, outcome="", rationale="", request=request
            )
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes.change_request_decide(
            actor=request.user,
            change_request=instance,
            outcome=serializer.validated_data["outcome"],
            rationale=serializer.validated_data["rationale"],
            version=_version(request, instance),
            request=request,
        )
        return self._answer(instance)


class CommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Steering committees the user may see (their portfolios', or those they sit on)."""

    serializer_class = CommitteeSerializer

    def get_queryset(self):
        return control_selectors.committee_list(user=self.request.user).prefetch_related("members")


class MeetingFilter(django_filters.FilterSet):
    committee = django_filters.NumberFilter(field_name="committee_id")
    state = django_filters.MultipleChoiceFilter(choices=Meeting.State.choices)

    class Meta:
        model = Meeting
        fields = ["committee", "state"]


class MeetingViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings of visible committees with their agenda (`?committee=`, `?state=`)."""

    serializer_class = MeetingSerializer
    filter_backends = [FilterBackend]
    filterset_class = MeetingFilter

    def get_queryset(self):
        from django.db.models import Prefetch

        from governance.models import AgendaItem

        return (
            control_selectors.meeting_list(user=self.request.user)
            .prefetch_related(
                "attendees",
                Prefetch(
                    "items",
                    queryset=AgendaItem.objects.filter(removed=False).order_by("position", "pk"),
                    to_attr="live_items",
                ),
            )
            .order_by("-starts_at", "-id")
        )


class DecisionFilter(django_filters.FilterSet):
    project = django_filters.NumberFilter(field_name="project_id")
    meeting = django_filters.NumberFilter(field_name="meeting_id")
    outcome = django_filters.MultipleChoiceFilter(choices=Decision.Outcome.choices)

    class Meta:
        model = Decision
        fields = ["project", "meeting", "outcome"]


class DecisionViewSet(
    ListFiltersOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The decision log (read only): decisions on visible projects and committees."""

    serializer_class = DecisionSerializer
    filter_backends = [FilterBackend]
    filterset_class = DecisionFilter

    def get_queryset(self):
        return control_selectors.decision_list(user=self.request.user).order_by("-decided_at", "-id")


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH]), update=extend_schema(parameters=[IF_MATCH])
)
class ActionViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Committee actions the user may see (`?owner=`, `?status=`); PATCH `status` (If-Match) by the
    owner or the committee's managers."""

    serializer_class = ActionSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_class = ActionFilter

    def get_queryset(self):
        return control_selectors.action_list(user=self.request.user).order_by("due_date", "id")

    def can_edit(self, user, obj) -> bool:
        return can_update_action(user, obj)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return committees.action_set_status(
            actor=actor, action=instance, status=data.get("status", instance.status), version=version
        )


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH]), update=extend_schema(parameters=[IF_MATCH])
)
class LessonViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Lessons learned of the user's portfolios; `?q=` searches in French full text (best match first).
    PMO officers and project managers record them; their author and the PMO edit them (If-Match)."""

    serializer_class = LessonSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_class = LessonFilter

    def get_queryset(self):
        return lessons.lesson_list(user=self.request.user).order_by("-created_at", "-id")

    def can_edit(self, user, obj) -> bool:
        return can_edit_lesson(user, obj)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        portfolio = data.pop("portfolio")
        lesson = lessons.lesson_create(actor=request.user, portfolio_id=portfolio.pk, data=data)
        return _with_etag(Response(self.get_serializer(lesson).data, status=status.HTTP_201_CREATED), lesson)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        data = dict(data)
        data.pop("portfolio", None)
        return lessons.lesson_update(actor=actor, lesson=instance, version=version, data=data)
