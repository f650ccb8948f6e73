from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from pmo.core.api import IF_MATCH, ListFiltersOnlyMixin, VersionedRetrieveMixin, VersionedUpdateMixin
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio import selectors, services
from portfolio.api.serializers import MeSerializer, PortfolioSerializer, ProgrammeSerializer
from portfolio.filters import PortfolioFilter, ProgrammeFilter
from portfolio.models import Portfolio, Programme


class MeView(APIView):
    serializer_class = MeSerializer

    def get(self, request):
        user = get_user_model().objects.prefetch_related("memberships__portfolio").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH])
)
class PortfolioViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PortfolioSerializer
    filterset_class = PortfolioFilter
    permission_classes = [ReadOnlyOrObjectEditable]
    ordering_fields = ["code", "name"]

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.portfolio_update(actor=actor, portfolio=instance, version=version, data=data)

    def get_queryset(self):
        return Portfolio.objects.visible_to(self.request.user).order_by("name", "id")

    def can_edit(self, user, obj) -> bool:
        return Portfolio.objects.editable_by(user).filter(pk=obj.pk).exists()

    def create(self, request, *args, **kwargs):
        if not selectors.is_pmo_anywhere(user=request.user):
            raise PermissionDenied(_("Only PMO officers create portfolios."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        portfolio = services.portfolio_create(actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(portfolio).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH])
)
class ProgrammeViewSet(
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
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    permission_classes = [ReadOnlyOrObjectEditable]
    ordering_fields = ["code", "name"]

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return services.programme_update(actor=actor, programme=instance, version=version, data=data)

    def get_queryset(self):
        return selectors.programme_list(user=self.request.user).order_by("portfolio__name", "name", "id")

    def can_edit(self, user, obj) -> bool:
        return Programme.objects.editable_by(user).filter(pk=obj.pk).exists()

    def create(self, request, *args, **kwargs):
        if not selectors.portfolios_creatable_in(user=request.user).exists():
            raise PermissionDenied(_("Only PMO officers create programmes."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = services.programme_create(actor=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(programme).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        """DELETE archives (soft delete): nothing recorded about the programme is lost."""
        services.programme_set_archived(actor=self.request.user, programme=instance, archived=True)
