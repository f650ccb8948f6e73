"""`/api/v1/methodologies/` and `/api/v1/document-types/`: the PMO's standards, read only (every
signed-in user; PMO officers edit them in the application)."""

from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from portfolio.models import DocumentType, GateDefinition, Methodology, Stage


class DocumentTypeSerializer(serializers.ModelSerializer):
    has_template = serializers.SerializerMethodField()

    class Meta:
        model = DocumentType
        fields = ["id", "methodology", "code", "name", "description", "has_template", "template_name"]
        read_only_fields = fields

    def get_has_template(self, obj) -> bool:
        return bool(obj.template)


class GateDefinitionSerializer(serializers.ModelSerializer):
    required_document_types = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = GateDefinition
        fields = ["id", "name", "criteria", "required_document_types"]
        read_only_fields = fields


class StageSerializer(serializers.ModelSerializer):
    gate = GateDefinitionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Stage
        fields = ["id", "order", "name", "description", "gate"]
        read_only_fields = fields


class MethodologySerializer(serializers.ModelSerializer):
    stages = StageSerializer(many=True, read_only=True)

    class Meta:
        model = Methodology
        fields = ["id", "code", "name", "description", "is_active", "stages", "version"]
        read_only_fields = fields


class MethodologyViewSet(viewsets.ReadOnlyModelViewSet):
    """Methodologies with their ordered stages, each with its gate (criteria, required types)."""

    serializer_class = MethodologySerializer

    def get_queryset(self):
        return Methodology.objects.prefetch_related(
            Prefetch(
                "stages",
                queryset=Stage.objects.select_related("gate")
                .prefetch_related("gate__required_document_types")
                .order_by("order"),
            )
        ).order_by("name")


class DocumentTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Document types of every methodology (`?methodology=`)."""

    serializer_class = DocumentTypeSerializer
    filterset_fields = ["methodology"]

    def get_queryset(self):
        return DocumentType.objects.order_by("methodology_id", "name")
