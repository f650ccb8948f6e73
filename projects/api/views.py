from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from pmo.core.api import IF_MATCH, ListFiltersOnlyMixin, VersionedRetrieveMixin, VersionedUpdateMixin
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio.selectors import portfolios_creatable_in
from projects import selectors, services
from projects.api.serializers import ProjectSerializer
from projects.filters import ProjectFilter
from projects.permissions import is_portfolio_pmo, project_editable_fields


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
        return selectors.project_list(user=self.request.user)

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

    def perform_destroy(self, instance):
        """DELETE archives (soft delete): status history, risks and costs are kept."""
        services.project_set_archived(actor=self.request.user, project=instance, archived=True)
