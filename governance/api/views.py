from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from governance import changes, selectors, services
from governance.api.control import ExceptionDecideSerializer
from governance.api.serializers import (
    CloseSerializer,
    ExceptionCreateSerializer,
    ExceptionReportSerializer,
    ExceptionSerializer,
)
from governance.control_permissions import can_decide_exception
from governance.filters import ExceptionFilter
from governance.models import ExceptionReport, ProjectException
from governance.permissions import can_edit_report
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


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The exception report was sent: it is frozen."
    default_code = "frozen"


def _with_etag(response, instance):
    response["ETag"] = etag_for(instance.version)
    return response


@extend_schema_view(
    create=extend_schema(request=ExceptionCreateSerializer, responses={201: ExceptionSerializer})
)
class ExceptionViewSet(
    ListFiltersOnlyMixin,
    VersionedRetrieveMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Exceptions of the projects the user can see (`?state=`, `?tolerance=`, `?project=`,
    `?portfolio=`, `?programme=`). POST raises one by hand (project manager, deputy, PMO);
    `close` records the decision that closes it (sponsor, PMO)."""

    serializer_class = ExceptionSerializer
    filter_backends = [FilterBackend]
    filterset_class = ExceptionFilter

    def get_queryset(self):
        return selectors.exception_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = ExceptionCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        exception = services.raise_exception(actor=request.user, **serializer.validated_data)
        exception = self.get_queryset().get(pk=exception.pk)
        return _with_etag(
            Response(ExceptionSerializer(exception).data, status=status.HTTP_201_CREATED), exception
        )

    @extend_schema(request=CloseSerializer, responses=ExceptionSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None, format=None):
        """Close the exception with the decision (`note`); If-Match optional (412 when stale)."""
        exception = self.get_object()
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version_from(request) if request.headers.get("If-Match") else exception.version
        closed = services.close_exception(
            actor=request.user, exception=exception, note=serializer.validated_data["note"], version=version
        )
        return _with_etag(Response(ExceptionSerializer(closed).data), closed)

    @extend_schema(request=ExceptionDecideSerializer, responses=ExceptionSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None, format=None):
        """The board's decision (exception plan requested, tolerances changed with the new values,
        project stopped), which closes the exception; 403 (recorded) for a non-decider."""
        exception = self.get_object()
        if not can_decide_exception(request.user, exception):
            changes.exception_decide(
                actor=request.user, exception=exception, outcome="", rationale="", request=request
            )
        serializer = ExceptionDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version_from(request) if request.headers.get("If-Match") else exception.version
        changes.exception_decide(
            actor=request.user,
            exception=exception,
            outcome=serializer.validated_data["outcome"],
            rationale=serializer.validated_data["rationale"],
            tolerances=serializer.validated_data.get("tolerances"),
            version=version,
            request=request,
        )
        decided = self.get_queryset().get(pk=exception.pk)
        return _with_etag(Response(ExceptionSerializer(decided).data), decided)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]), partial_update=extend_schema(parameters=[IF_MATCH])
)
class ExceptionReportViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The exception report of a visible exception. PUT/PATCH (If-Match) while it is a draft, by the
    project manager, the deputy or the PMO; a sent report is frozen (409). Sending happens in the
    application (it freezes the report and generates its PDF)."""

    serializer_class = ExceptionReportSerializer
    permission_classes = [ReadOnlyOrObjectEditable]

    def get_queryset(self):
        return ExceptionReport.objects.filter(
            exception__in=ProjectException.objects.visible_to(self.request.user)
        ).select_related("exception__project")

    def can_edit(self, user, obj) -> bool:
        return can_edit_report(user, obj.exception)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        data = dict(data)
        if "options" in data:
            data["options"] = [dict(option) for option in data["options"]]
        try:
            return services.exception_report_update(actor=actor, report=instance, version=version, data=data)
        except services.ReportFrozenError:
            raise Conflict(_("The exception report was sent: it is frozen.")) from None
