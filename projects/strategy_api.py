"""API of a project's strategy: /api/v1/project-scores/, /ranking/, /benefits/ and
/benefit-measurements/. Reads follow the project (or programme); scores are the PMO's; benefits are
changed by whoever may change the project; measurements also by the benefit's owner. Edits need
If-Match (412 when stale)."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from pmo.core.api import FilterBackend, VersionedRetrieveMixin, VersionedUpdateMixin
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio.models import Portfolio, Programme, ScoringCriterion
from portfolio.strategy_api import ObjectiveViewSet, ScoringCriterionViewSet
from projects import strategy_selectors
from projects.models import Benefit, BenefitMeasurement, Project, ProjectScore
from projects.services import strategy as services
from projects.strategy_permissions import (
    can_edit_benefit,
    can_edit_programme_benefits,
    can_edit_project,
    can_measure,
    can_score,
)


def _writing(serializer) -> bool:
    request = serializer.context.get("request")
    return request is not None and request.method not in SAFE_METHODS and request.user.is_authenticated


class ProjectScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectScore
        fields = ["id", "project", "criterion", "value", "comment", "scored_by", "scored_at", "version"]
        read_only_fields = ["id", "scored_by", "scored_at", "version"]
        validators = []  # one per project and criterion: a second POST updates (the service upserts)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if _writing(self):
            user = self.context["request"].user
            self.fields["project"].queryset = Project.objects.visible_to(user)
            self.fields["criterion"].queryset = ScoringCriterion.objects.visible_to(user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["project"].read_only = True
            self.fields["criterion"].read_only = True


class ProjectScoreViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Scores of the projects the user reads. POST scores a project on a criterion (or re-scores it);
    PATCH changes a score (If-Match). The project's strategic score follows."""

    serializer_class = ProjectScoreSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_fields = ["project", "criterion"]

    def get_queryset(self):
        return (
            ProjectScore.objects.visible_to(self.request.user)
            .select_related("project")
            .order_by("project_id", "criterion_id")
        )

    def can_edit(self, user, obj) -> bool:
        return can_score(user, obj.project)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        if instance.version != version:
            raise StaleVersionError
        services.project_scores_set(
            actor=actor,
            project=instance.project,
            values={
                instance.criterion_id: (
                    data.get("value", instance.value),
                    data.get("comment", instance.comment),
                )
            },
        )
        instance.refresh_from_db()
        return instance

    def create(self, request, *args, **kwargs):
        if not Portfolio.objects.editable_by(request.user).exists():
            raise PermissionDenied(_("Only PMO officers score projects."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project, criterion = data["project"], data["criterion"]
        if not can_score(request.user, project):
            raise PermissionDenied(_("Only the portfolio's PMO officers score its projects."))
        services.project_scores_set(
            actor=request.user,
            project=project,
            values={criterion.pk: (data["value"], data.get("comment", ""))},
        )
        score = ProjectScore.objects.get(project=project, criterion=criterion)
        return Response(self.get_serializer(score).data, status=status.HTTP_201_CREATED)


class RankingRowSerializer(serializers.Serializer):
    project = serializers.IntegerField(source="project.pk")
    code = serializers.CharField(source="project.code")
    name = serializers.CharField(source="project.name")
    state = serializers.CharField(source="project.state")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    complete = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    best_rank = serializers.SerializerMethodField()
    worst_rank = serializers.SerializerMethodField()
    objectives = serializers.SerializerMethodField()

    def get_best_rank(self, row) -> int | None:
        return row.rank_range[0] if row.rank_range else None

    def get_worst_rank(self, row) -> int | None:
        return row.rank_range[1] if row.rank_range else None

    def get_objectives(self, row) -> dict[str, int]:
        return {objective.code: level for objective, level in row.objectives}


class RankingViewSet(viewsets.GenericViewSet):
    """The ranking of a portfolio's projects in play by weighted score, with each project's rank
    range when any one criterion weighs 20 % less or more."""

    serializer_class = RankingRowSerializer
    pagination_class = None
    queryset = Project.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("portfolio", int, required=True, description="The portfolio's id.")],
        responses=RankingRowSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        raw = request.query_params.get("portfolio")
        if not raw or not raw.isdigit():
            raise ValidationError({"portfolio": [_("Give the portfolio's id.")]})
        portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=int(raw))
        ranking = strategy_selectors.portfolio_ranking(user=request.user, portfolio=portfolio)
        return Response(self.get_serializer(ranking.rows, many=True).data)


class BenefitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Benefit
        fields = [
            "id",
            "project",
            "programme",
            "description",
            "category",
            "measure",
            "unit",
            "baseline",
            "target",
            "owner",
            "expected_date",
            "state",
            "yearly_value",
            "years",
            "version",
        ]
        read_only_fields = ["id", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if _writing(self):
            user = self.context["request"].user
            self.fields["project"].queryset = Project.objects.visible_to(user)
            self.fields["programme"].queryset = Programme.objects.visible_to(user)
            self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["project"].read_only = True
            self.fields["programme"].read_only = True

    def validate(self, attrs):
        if self.instance is None and bool(attrs.get("project")) == bool(attrs.get("programme")):
            raise ValidationError({"project": [_("Give either a project or a programme.")]})
        return attrs


class BenefitViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Benefits of the projects and programmes the user reads."""

    serializer_class = BenefitSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_fields = ["project", "programme", "category", "state"]

    def get_queryset(self):
        return (
            Benefit.objects.visible_to(self.request.user)
            .select_related("project", "programme")
            .order_by("expected_date", "pk")
        )

    def can_edit(self, user, obj) -> bool:
        return can_edit_benefit(user, obj)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.benefit_update(actor=actor, benefit=instance, version=version, data=data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project, programme = data.pop("project", None), data.pop("programme", None)
        allowed = (
            can_edit_project(request.user, project)
            if project
            else can_edit_programme_benefits(request.user, programme)
        )
        if not allowed:
            raise PermissionDenied(_("You may not change the benefits of this project."))
        benefit = services.benefit_create(actor=request.user, project=project, programme=programme, data=data)
        return Response(self.get_serializer(benefit).data, status=status.HTTP_201_CREATED)


class BenefitMeasurementSerializer(serializers.ModelSerializer):
    class Meta:
        model = BenefitMeasurement
        fields = ["id", "benefit", "date", "value", "comment", "recorded_by", "version"]
        read_only_fields = ["id", "recorded_by", "version"]
        validators = []  # one per benefit and date: the service says so in words

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if _writing(self):
            self.fields["benefit"].queryset = Benefit.objects.visible_to(self.context["request"].user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["benefit"].read_only = True


class BenefitMeasurementViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Measurements of the benefits the user reads; recorded also after the project's closure by
    the benefit's owner."""

    serializer_class = BenefitMeasurementSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_fields = ["benefit"]

    def get_queryset(self):
        visible = Benefit.objects.visible_to(self.request.user).values("pk")
        return (
            BenefitMeasurement.objects.filter(benefit__in=visible)
            .select_related("benefit__project", "benefit__programme")
            .order_by("benefit_id", "date", "pk")
        )

    def can_edit(self, user, obj) -> bool:
        return can_measure(user, obj.benefit)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.measurement_update(actor=actor, measurement=instance, version=version, data=data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        benefit = data.pop("benefit")
        if not can_measure(request.user, benefit):
            raise PermissionDenied(_("Only the benefit's owner and the project's editors measure it."))
        measurement = services.measurement_record(actor=request.user, benefit=benefit, data=data)
        return Response(self.get_serializer(measurement).data, status=status.HTTP_201_CREATED)


# (prefix, viewset, basename) registered by pmo/api_urls.py.
ROUTES = [
    ("objectives", ObjectiveViewSet, "objective"),
    ("scoring-criteria", ScoringCriterionViewSet, "scoring-criterion"),
    ("project-scores", ProjectScoreViewSet, "project-score"),
    ("ranking", RankingViewSet, "ranking"),
    ("benefits", BenefitViewSet, "benefit"),
    ("benefit-measurements", BenefitMeasurementViewSet, "benefit-measurement"),
]
