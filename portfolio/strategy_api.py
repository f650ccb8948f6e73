"""API of the portfolio's strategy frame: /api/v1/objectives/ and /api/v1/scoring-criteria/.
Readers of the portfolio list them; its PMO officers create and change them (If-Match on edits)."""

from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from pmo.core.api import FilterBackend, VersionedRetrieveMixin, VersionedUpdateMixin
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio import strategy_services as services
from portfolio.models import Portfolio, ScoringCriterion, StrategicObjective


class PortfolioScopedSerializer(serializers.ModelSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.method not in SAFE_METHODS and request.user.is_authenticated:
            self.fields["portfolio"].queryset = Portfolio.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True


class ObjectiveSerializer(PortfolioScopedSerializer):
    class Meta:
        model = StrategicObjective
        fields = ["id", "portfolio", "code", "name", "description", "weight", "active", "version"]
        read_only_fields = ["id", "version"]


class ScoringCriterionSerializer(PortfolioScopedSerializer):
    class Meta:
        model = ScoringCriterion
        fields = [
            "id",
            "portfolio",
            "code",
            "name",
            "description",
            "weight",
            "scale_low",
            "scale_high",
            "lower_is_better",
            "level_descriptions",
            "active",
            "version",
        ]
        read_only_fields = ["id", "version"]

    def validate_level_descriptions(self, value):
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise serializers.ValidationError(_("Describe the levels as an object: level → text."))
        return value


class StrategyItemViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    model = None
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend]
    filterset_fields = ["portfolio", "active"]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).order_by("portfolio_id", "code")

    def can_edit(self, user, obj) -> bool:
        return Portfolio.objects.editable_by(user).filter(pk=obj.portfolio_id).exists()

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.strategy_item_update(actor=actor, instance=instance, version=version, data=data)

    def create(self, request, *args, **kwargs):
        if not Portfolio.objects.editable_by(request.user).exists():
            raise PermissionDenied(_("Only PMO officers set a portfolio's strategy."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        portfolio = data.pop("portfolio")
        if not Portfolio.objects.editable_by(request.user).filter(pk=portfolio.pk).exists():
            raise PermissionDenied(_("Only the portfolio's PMO officers set its strategy."))
        instance = services.strategy_item_create(
            actor=request.user, model=self.model, portfolio=portfolio, data=data
        )
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)


class ObjectiveViewSet(StrategyItemViewSet):
    """Strategic objectives of the portfolios the user reads."""

    model = StrategicObjective
    serializer_class = ObjectiveSerializer


class ScoringCriterionViewSet(StrategyItemViewSet):
    """Scoring criteria of the portfolios the user reads."""

    model = ScoringCriterion
    serializer_class = ScoringCriterionSerializer
