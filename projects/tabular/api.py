"""`/api/v1/tabular-imports/`: upload a workbook/CSV (→ job id), poll its status and result (row
errors with sheet, row, column and message), apply it; `export/` and `template/` download files."""

import uuid

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from pmo.core.permissions import get_visible_or_404
from portfolio.models import Portfolio
from portfolio.resource_models import Resource
from projects.models import Project, TabularImport
from projects.tabular import services, writer
from projects.tabular.forms import ALLOWED_SUFFIXES
from projects.tabular.safety import MAX_UPLOAD_BYTES, TabularFileError
from projects.tabular.specs import SPECS

KINDS = ["workbook", *SPECS]


class RowErrorSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField(help_text="Row number in the sheet (1 = header).")
    column = serializers.CharField(help_text="Header of the column (empty for a whole-sheet error).")
    message = serializers.CharField(help_text="In French.")


class CellChangeSerializer(serializers.Serializer):
    before = serializers.CharField()
    after = serializers.CharField()
    changed = serializers.BooleanField()


class RowChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    action = serializers.ChoiceField(choices=["create", "update"])
    cells = CellChangeSerializer(many=True, help_text="One per header, in `headers` order.")


class SheetResultSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Object type: " + ", ".join(SPECS) + ".")
    title = serializers.CharField()
    headers = serializers.ListField(child=serializers.CharField())
    rows = serializers.IntegerField()
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    changes = RowChangeSerializer(many=True, help_text="The first 200 creations and updates of the sheet.")
    changes_truncated = serializers.BooleanField()


class CountsSerializer(serializers.Serializer):
    create = serializers.IntegerField()
    update = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ImportResultSerializer(serializers.Serializer):
    sheets = SheetResultSerializer(many=True)
    totals = CountsSerializer()
    error_count = serializers.IntegerField()
    errors = RowErrorSerializer(many=True, help_text="Every row error (up to 5,000).")
    warnings = serializers.ListField(child=serializers.CharField())
    applied = CountsSerializer(required=False, help_text="Once applied: what was written.")
    previously_applied = serializers.DateTimeField(
        required=False, help_text="A file with the same content was applied then."
    )


class TabularImportSerializer(serializers.ModelSerializer):
    # plain text: "format" is already an enum of schedule imports (mspdi/xer) in the schema
    format = serializers.CharField(read_only=True, help_text="xlsx or csv")
    progress = serializers.SerializerMethodField()
    step = serializers.SerializerMethodField()
    result = ImportResultSerializer(read_only=True)

    class Meta:
        model = TabularImport
        fields = [
            "id",
            "portfolio",
            "state",
            "progress",
            "step",
            "original_name",
            "format",
            "object_type",
            "rows",
            "sha256",
            "message",
            "created_at",
            "validated_at",
            "applied_at",
            "result",
        ]
        read_only_fields = fields

    def get_progress(self, obj) -> int:
        return int(services.progress_of(obj).get("progress", 0))

    def get_step(self, obj) -> str:
        return str(services.progress_of(obj).get("step", ""))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["result"] = instance.result or None
        return data


@extend_schema_field(OpenApiTypes.INT)
class VisiblePortfolioField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Portfolio.objects.visible_to(self.context["request"].user)


class TabularImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An .xlsx workbook or a .csv file, 20 MB at most.")
    portfolio = VisiblePortfolioField()
    object_type = serializers.ChoiceField(
        choices=list(SPECS), required=False, allow_blank=True, help_text="For a CSV (guessed when empty)."
    )

    def validate_file(self, upload):
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("Le fichier dépasse la taille maximale de 20 Mo.")
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError("Importez un classeur Excel (.xlsx) ou un fichier CSV (.csv).")
        return upload


FILE_TYPE = OpenApiParameter("type", str, enum=["xlsx", "csv"], default="xlsx", description="File format.")
KIND = OpenApiParameter(
    "kind", str, enum=KINDS, default="workbook", description="`workbook`: every sheet (xlsx)."
)


def _kind_and_type(request) -> tuple[list, str]:
    kind = request.query_params.get("kind", "workbook")
    fmt = request.query_params.get("type", "xlsx")
    if fmt not in ("xlsx", "csv") or kind not in KINDS or (kind == "workbook" and fmt == "csv"):
        raise ValidationError({"kind": "Type d'objet ou format inconnu (workbook en xlsx seulement)."})
    return (list(SPECS.values()) if kind == "workbook" else [SPECS[kind]]), fmt


def _download(content: bytes, *, name: str, fmt: str) -> HttpResponse:
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx" else "text/csv"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class TabularImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Excel/CSV imports of the requesting user (upload → dry run → apply) and the export downloads."""

    serializer_class = TabularImportSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TabularImport.objects.none()
        return TabularImport.objects.filter(created_by=self.request.user)

    def get_object(self):
        try:
            uuid.UUID(str(self.kwargs.get("pk")))
        except ValueError:
            raise Http404 from None
        return super().get_object()

    @extend_schema(
        request={"multipart/form-data": TabularImportCreateSerializer},
        responses={201: TabularImportSerializer},
        summary="Upload a workbook or CSV: the job id, its dry run (done at once for small files)",
    )
    def create(self, request, *args, **kwargs):
        data = TabularImportCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        upload = values["file"]
        try:
            job = services.tabular_import_upload(
                actor=request.user,
                portfolio=values["portfolio"],
                filename=upload.name,
                data=upload.read(),
                object_type=values.get("object_type", ""),
            )
        except TabularFileError as error:
            raise ValidationError({"file": [error.message]}) from None
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        return Response(TabularImportSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: TabularImportSerializer, 202: TabularImportSerializer, 409: OpenApiResponse()},
        summary="Apply a checked import (all or nothing): 200 when done, 202 when queued",
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None, **kwargs):
        job = self.get_object()
        if job.state != TabularImport.State.READY:
            return Response(
                {"detail": f"Cet import n'est pas prêt à être appliqué (état : {job.state})."},
                status=status.HTTP_409_CONFLICT,
            )
        job = services.confirm(actor=request.user, job=job)
        code = status.HTTP_200_OK if not job.is_running else status.HTTP_202_ACCEPTED
        return Response(TabularImportSerializer(job).data, status=code)

    @extend_schema(
        parameters=[
            OpenApiParameter("portfolio", int, required=True),
            OpenApiParameter("project", int, required=False, description="Only this project."),
            KIND,
            FILE_TYPE,
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Export the portfolio's data in the import format (xlsx or CSV)",
    )
    @action(detail=False, methods=["get"])
    def export(self, request, **kwargs):
        wanted, fmt = _kind_and_type(request)
        try:
            portfolio_id = int(request.query_params.get("portfolio", ""))
        except ValueError:
            raise ValidationError({"portfolio": "Indiquez le portefeuille."}) from None
        portfolio = get_visible_or_404(Portfolio.objects.visible_to(request.user), pk=portfolio_id)
        projects = Project.objects.visible_to(request.user).filter(portfolio=portfolio)
        resources = Resource.objects.visible_to(request.user).filter(portfolio=portfolio)
        if request.query_params.get("project"):
            projects = projects.filter(pk=get_visible_or_404(projects, pk=request.query_params["project"]).pk)
            resources = resources.none()  # the pool belongs to the portfolio, not to one project
        if fmt == "csv":
            content = writer.csv_export(wanted[0], projects=projects, resources=resources)
        else:
            content = writer.workbook_bytes(wanted, projects=projects, resources=resources)
        return _download(content, name=f"{portfolio.code}-export", fmt=fmt)

    @extend_schema(
        parameters=[KIND, FILE_TYPE],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="An empty template (French headers, validation lists, one example row)",
    )
    @action(detail=False, methods=["get"])
    def template(self, request, **kwargs):
        wanted, fmt = _kind_and_type(request)
        content = (
            writer.csv_template(wanted[0]) if fmt == "csv" else writer.workbook_bytes(wanted, template=True)
        )
        return _download(content, name="modele", fmt=fmt)
