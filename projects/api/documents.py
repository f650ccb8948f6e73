"""`/api/v1/documents/`: project documents. POST (multipart) uploads a new document, `versions`
(POST, multipart) a new version of one, `approve` approves the current version, `download` returns
a version's file as an attachment (`?version=<number>`, the current one by default)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from pmo.core.uploads import MAX_BYTES, read_limited
from portfolio.models import DocumentType
from projects.documents import project_documents, version_file_response
from projects.models import Document, DocumentVersion, Project
from projects.permissions import can_manage_documents
from projects.services.documents import document_approve, document_upload


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "number",
            "original_name",
            "size",
            "sha256",
            "content_type",
            "comment",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "document_type",
            "title",
            "status",
            "current_version",
            "approved_by",
            "approved_at",
            "versions",
            "version",
        ]
        read_only_fields = fields


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Project.objects.visible_to(self.context["request"].user)


class DocumentUploadSerializer(serializers.Serializer):
    project = VisibleProjectField(queryset=Project.objects.all())
    document_type = serializers.PrimaryKeyRelatedField(
        queryset=DocumentType.objects.all(), required=False, allow_null=True
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    file = serializers.FileField(
        help_text=f"At most {MAX_BYTES // (1024 * 1024)} MB; type checked on content."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectOnlySerializer(serializers.Serializer):
    project = VisibleProjectField(queryset=Project.objects.all())


class DocumentVersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


def _upload(request, **kwargs):
    try:
        return document_upload(actor=request.user, **kwargs)
    except DjangoPermissionDenied:
        raise PermissionDenied from None


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = DocumentSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["project", "document_type", "status"]

    def get_queryset(self):
        return (
            Document.objects.visible_to(self.request.user)
            .select_related("project")
            .prefetch_related("versions")
            .order_by("project_id", "title")
        )

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer}, responses={201: DocumentSerializer}
    )
    def create(self, request, *args, **kwargs):
        # The project first: a visible project the user may not change is 403 whatever the body.
        target = ProjectOnlySerializer(data=request.data, context={"request": request})
        if target.is_valid() and not can_manage_documents(request.user, target.validated_data["project"]):
            raise PermissionDenied
        serializer = DocumentUploadSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = _upload(
            request,
            project=data["project"],
            name=data["file"].name,
            data=read_limited(data["file"]),
            comment=data["comment"],
            document_type=data.get("document_type"),
            title=data["title"],
        )
        document = self.get_queryset().get(pk=version.document_id)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": DocumentVersionUploadSerializer}, responses={201: DocumentSerializer}
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None, format=None):
        """Upload a new version of the document (it becomes a draft again)."""
        document = self.get_object()
        if not can_manage_documents(request.user, document.project):
            raise PermissionDenied
        serializer = DocumentVersionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _upload(
            request,
            project=document.project,
            document=document,
            name=data["file"].name,
            data=read_limited(data["file"]),
            comment=data["comment"],
        )
        document = self.get_queryset().get(pk=document.pk)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=DocumentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, format=None):
        """Approve the current version (project manager, deputy, sponsor, PMO)."""
        document = self.get_object()
        try:
            document_approve(actor=request.user, document=document)
        except DjangoPermissionDenied:
            raise PermissionDenied from None
        return Response(DocumentSerializer(self.get_queryset().get(pk=document.pk)).data)

    @extend_schema(
        parameters=[OpenApiParameter("version", int, description="The version number (default: current).")],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None, format=None):
        """The version's file as an attachment under its sanitised name."""
        document = self.get_object()
        number = request.query_params.get("version")
        versions = DocumentVersion.objects.filter(document=document)
        try:
            version = (
                versions.get(number=int(number)) if number else versions.get(pk=document.current_version_id)
            )
        except (DocumentVersion.DoesNotExist, ValueError):
            raise Http404 from None
        return version_file_response(version)


__all__ = ["DocumentViewSet", "project_documents"]
