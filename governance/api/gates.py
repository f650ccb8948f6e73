"""`/api/v1/gate-reviews/`: list and read the gate reviews of visible projects; POST requests the
current gate of a project (project manager, deputy, PMO); `decide` records the decision (sponsor or
an executive of the portfolio; If-Match optional, 412 when stale); `withdraw` withdraws a request."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from governance import gates, selectors
from governance.models import GateReview
from pmo.core.api import VersionedRetrieveMixin, etag_for, expected_version_from
from projects.models import DocumentVersion, Project


class ChecklistAnswerSerializer(serializers.Serializer):
    criterion = serializers.CharField(read_only=True)
    answer = serializers.ChoiceField(choices=GateReview.Answer.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class GateReviewSerializer(serializers.ModelSerializer):
    checklist = ChecklistAnswerSerializer(many=True, read_only=True)
    documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    gate_name = serializers.CharField(source="gate.name", read_only=True)
    # blank until decided: declared, because a read-only model field loses allow_blank (and the
    # schema its blank choice)
    decision = serializers.ChoiceField(choices=GateReview.Decision.choices, allow_blank=True, read_only=True)

    class Meta:
        model = GateReview
        fields = [
            "id",
            "project",
            "stage",
            "stage_name",
            "gate",
            "gate_name",
            "state",
            "requested_by",
            "requested_at",
            "request_comment",
            "checklist",
            "documents",
            "decision",
            "rationale",
            "conditions",
            "decided_by",
            "decided_at",
            "version",
        ]
        read_only_fields = fields


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Project.objects.visible_to(self.context["request"].user)


class VisibleVersionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return DocumentVersion.objects.filter(
            document__project__in=Project.objects.visible_to(self.context["request"].user)
        ).select_related("document")


class GateRequestSerializer(serializers.Serializer):
    project = VisibleProjectField(queryset=Project.objects.all())
    checklist = ChecklistAnswerSerializer(
        many=True, help_text="One answer per criterion, in the gate's order."
    )
    documents = VisibleVersionField(
        queryset=DocumentVersion.objects.all(),
        many=True,
        required=False,
        help_text="Document versions to link; default: the current version of every required document.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class GateDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=GateReview.Decision.choices)
    rationale = serializers.CharField()
    conditions = serializers.CharField(required=False, allow_blank=True, default="")


class GateReviewFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=GateReview.State.choices)
    decision = filters.MultipleChoiceFilter(choices=GateReview.Decision.choices)
    project = filters.NumberFilter(field_name="project_id")
    portfolio = filters.NumberFilter(field_name="project__portfolio_id")

    class Meta:
        model = GateReview
        fields = ["state", "decision", "project", "portfolio"]


def _with_etag(response, review):
    response["ETag"] = etag_for(review.version)
    return response


class GateReviewViewSet(
    VersionedRetrieveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = GateReviewSerializer
    filterset_class = GateReviewFilter

    def get_queryset(self):
        return selectors.gate_review_list(user=self.request.user).prefetch_related("documents")

    @extend_schema(request=GateRequestSerializer, responses={201: GateReviewSerializer})
    def create(self, request, *args, **kwargs):
        serializer = GateRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            review = gates.request_gate(
                actor=request.user,
                project=data["project"],
                checklist=[dict(answer) for answer in data["checklist"]],
                document_versions=data.get("documents"),
                comment=data["comment"],
                request=request,
            )
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        review = self.get_queryset().get(pk=review.pk)
        return _with_etag(Response(GateReviewSerializer(review).data, status=status.HTTP_201_CREATED), review)

    @extend_schema(request=GateDecisionSerializer, responses=GateReviewSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        """Decide the gate: go, go_conditions, recycle, hold or stop, with a rationale."""
        review = self.get_object()
        serializer = GateDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version_from(request) if request.headers.get("If-Match") else review.version
        try:
            decided = gates.decide_gate(
                actor=request.user,
                review=review,
                version=version,
                request=request,
                **serializer.validated_data,
            )
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        decided = self.get_queryset().get(pk=decided.pk)
        return _with_etag(Response(GateReviewSerializer(decided).data), decided)

    @extend_schema(request=None, responses=GateReviewSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None, format=None):
        review = self.get_object()
        try:
            gates.withdraw_gate(actor=request.user, review=review, request=request)
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        review = self.get_queryset().get(pk=review.pk)
        return _with_etag(Response(GateReviewSerializer(review).data), review)
