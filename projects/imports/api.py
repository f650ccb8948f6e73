"""`/api/v1/schedule-imports/`: upload a schedule (→ preview), read it back, apply it."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from portfolio.models import Portfolio
from projects.imports import schedule
from projects.imports.common import MAX_BYTES, ScheduleImportError
from projects.imports.forms import ALLOWED_SUFFIXES
from projects.models import Project, ScheduleImport
from projects.models.registers import CostCategory


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A foreign key limited to what the requesting user can see (anything else is an unknown id)."""

    def get_queryset(self):
        return self.queryset.visible_to(self.context["request"].user)


class MilestoneDatesSerializer(serializers.Serializer):
    phase = serializers.CharField()
    baseline_date = serializers.DateField(allow_null=True)
    forecast_date = serializers.DateField(allow_null=True)
    actual_date = serializers.DateField(allow_null=True)
    percent_complete = serializers.IntegerField(allow_null=True)


class MilestoneChangeSerializer(serializers.Serializer):
    uid = serializers.CharField()
    name = serializers.CharField()
    phase = serializers.CharField()
    action = serializers.ChoiceField(choices=["new", "updated", "unchanged"])
    before = MilestoneDatesSerializer(help_text="Empty for a new milestone.")
    after = MilestoneDatesSerializer()
    changed = serializers.ListField(child=serializers.CharField())


class ImportPlanSerializer(serializers.Serializer):
    """What applying the file does (preview) or did (result)."""

    format = serializers.ChoiceField(choices=ScheduleImport.Format.choices)
    schedule_name = serializers.CharField()
    currency = serializers.CharField()
    project_start = serializers.DateField(allow_null=True)
    project_end = serializers.DateField(allow_null=True)
    milestones_in_file = serializers.IntegerField()
    new = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    absent = serializers.IntegerField(help_text="Imported earlier, absent from this file, left untouched.")
    forecast_changes = serializers.IntegerField()
    cost_loaded = serializers.BooleanField()
    cost_months = serializers.IntegerField()
    planned_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    actual_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    forecast_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    changes = MilestoneChangeSerializer(many=True, help_text="The first 300 new or updated milestones.")
    changes_truncated = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    project = serializers.IntegerField(required=False, help_text="In a result: the project written.")
    cost_lines = serializers.IntegerField(required=False, help_text="In a result: cost lines written.")


class ScheduleImportSerializer(serializers.ModelSerializer):
    preview = serializers.SerializerMethodField()

    class Meta:
        model = ScheduleImport
        fields = [
            "id",
            "state",
            "format",
            "original_name",
            "project",
            "new_project",
            "cost_category",
            "created_at",
            "applied_at",
            "preview",
        ]
        read_only_fields = fields

    @extend_schema_field(ImportPlanSerializer)
    def get_preview(self, obj) -> dict:
        return self.context.get("plan") or obj.result.get("preview") or obj.result


class ScheduleImportCreateSerializer(serializers.Serializer):
    """The file, and either an existing project or the portfolio, code and name of a new one."""

    file = serializers.FileField(help_text="MS Project XML (.xml) or Primavera P6 (.xer), 20 MB at most.")
    project = VisiblePrimaryKeyField(queryset=Project.objects, required=False, allow_null=True)
    portfolio = VisiblePrimaryKeyField(queryset=Portfolio.objects, required=False, allow_null=True)
    code = serializers.SlugField(max_length=30, required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # `category` as on /api/v1/cost-lines/: the category of the cost lines the import writes.
    category = serializers.ChoiceField(choices=CostCategory.choices, default=CostCategory.OPEX)

    def validate_file(self, upload):
        if upload.size > MAX_BYTES:
            raise ValidationError("Le fichier dépasse la taille maximale de 20 Mo.")
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise ValidationError("Importez un fichier MS Project XML (.xml) ou Primavera P6 (.xer).")
        return upload

    def validate(self, attrs):
        if attrs.get("project") is None:
            if attrs.get("portfolio") is None or not attrs.get("code"):
                raise ValidationError(
                    {"project": "Indiquez un projet, ou le portefeuille et le code d'un nouveau projet."}
                )
            if Project.objects.filter(portfolio=attrs["portfolio"], code=attrs["code"]).exists():
                raise ValidationError({"code": "Un projet de ce code existe déjà dans ce portefeuille."})
        return attrs


class ScheduleImportViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Schedule imports of the requesting user: upload (preview), read, apply (all or nothing)."""

    serializer_class = ScheduleImportSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        # Only the uploader ever sees an import: anyone else gets 404.
        if getattr(self, "swagger_fake_view", False):
            return ScheduleImport.objects.none()
        return ScheduleImport.objects.filter(created_by=self.request.user)

    @extend_schema(
        request={"multipart/form-data": ScheduleImportCreateSerializer},
        responses={201: ScheduleImportSerializer},
        summary="Upload a schedule and get the preview of its import",
    )
    def create(self, request, *args, **kwargs):
        data = ScheduleImportCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = values.get("project")
        new_project = None
        if project is None:
            new_project = {
                "portfolio": values["portfolio"].pk,
                "code": values["code"],
                "name": values.get("name", ""),
            }
        upload = values["file"]
        try:
            pending, plan = schedule.schedule_import_upload(
                actor=request.user,
                filename=upload.name,
                data=upload.read(),
                project=project,
                new_project=new_project,
                cost_category=values["category"],
            )
        except ScheduleImportError as error:
            raise ValidationError({"file": [error.message]}) from None
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        body = ScheduleImportSerializer(pending, context={"request": request, "plan": plan.as_json()}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ImportPlanSerializer}, summary="Apply a previewed import")
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None, **kwargs):
        pending = self.get_object()
        try:
            result = schedule.schedule_import_apply(actor=request.user, schedule_import=pending)
        except ScheduleImportError as error:
            raise ValidationError({"file": [error.message]}) from None
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        except DjangoValidationError as error:
            raise ValidationError({"non_field_errors": error.messages}) from None
        return Response(result)
