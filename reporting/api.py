"""`/api/v1/reports/`: request a run, poll it, download its file (DESIGN's minimum contract)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from governance.models import ProjectException
from pmo.core.api import FilterBackend
from portfolio.models import Portfolio, Programme
from projects.models import Project
from reporting import selectors, services
from reporting.models import ReportRun
from reporting.views.runs import file_response


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to what the requesting user can see (anything else is an unknown id)."""

    def get_queryset(self):
        return self.queryset.visible_to(self.context["request"].user)


class ReportRunSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)
    pdf_url = serializers.SerializerMethodField()
    portfolio = VisiblePrimaryKeyField(queryset=Portfolio.objects, required=False, allow_null=True)
    programme = VisiblePrimaryKeyField(queryset=Programme.objects, required=False, allow_null=True)
    project = VisiblePrimaryKeyField(queryset=Project.objects, required=False, allow_null=True)
    exception = VisiblePrimaryKeyField(queryset=ProjectException.objects, required=False, allow_null=True)

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "scope",
            "portfolio",
            "programme",
            "project",
            "exception",
            "period",
            "status",
            "progress",
            "step",
            "error",
            "attempts",
            "page_count",
            "file_size",
            "file_sha256",
            "pdf_url",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = [
            "status",
            "progress",
            "step",
            "error",
            "attempts",
            "page_count",
            "file_size",
            "file_sha256",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
        ]
        extra_kwargs = {"period": {"required": False}}

    def get_pdf_url(self, run) -> str | None:
        if run.status != ReportRun.Status.DONE:
            return None
        return reverse("api:report-download", kwargs={"pk": run.pk})

    def validate(self, attrs):
        kind = attrs.get("kind")
        if kind == ReportRun.Kind.EXCEPTION:
            raise serializers.ValidationError(
                {"kind": _("Exception reports are generated when the exception report is sent.")}
            )
        if kind == ReportRun.Kind.HIGHLIGHT and not attrs.get("project"):
            raise serializers.ValidationError({"project": _("A highlight report needs a project.")})
        if kind == ReportRun.Kind.STEERING and not (attrs.get("portfolio") or attrs.get("programme")):
            raise serializers.ValidationError(
                {"portfolio": _("A steering committee pack needs a portfolio or a programme.")}
            )
        return attrs


class ReportRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Report runs of the scopes you can see. POST creates (or finds) the run of a kind, scope and
    period and answers 201 when it was queued now, 200 when it already existed."""

    serializer_class = ReportRunSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [FilterBackend]
    filterset_fields = ["kind", "status", "project", "portfolio", "programme", "exception", "period"]

    def get_queryset(self):
        return selectors.run_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run, queued = services.request_run(
            actor=request.user,
            kind=data["kind"],
            portfolio=data.get("portfolio"),
            programme=data.get("programme"),
            project=data.get("project"),
            period=data.get("period"),
        )
        return Response(
            self.get_serializer(run).data, status=status.HTTP_201_CREATED if queued else status.HTTP_200_OK
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None, format=None):
        """The run's PDF (attachment); 404 until the run is done."""
        return file_response(self.get_object())
