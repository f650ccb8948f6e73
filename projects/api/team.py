"""API of the team, RACI, stakeholders, communication plan and procurement (and the portfolio's
suppliers): visible rows only; writes through the services, edits with If-Match."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from pmo.core.api import (
    IF_MATCH,
    FilterBackend,
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
)
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import ReadOnlyOrObjectEditable
from portfolio.models import Portfolio, Supplier
from portfolio.suppliers import can_manage_suppliers, supplier_create, supplier_update
from projects.api.serializers import READ_ONLY, ProjectScopedSerializer
from projects.api.views import RegisterViewSet
from projects.models import (
    CommunicationItem,
    Contract,
    Project,
    ProjectMember,
    PurchaseOrder,
    RaciActivity,
    RaciAssignment,
    Stakeholder,
    SupplierInvoice,
)
from projects.services import procurement as procurement_services
from projects.services import team as team_services

# --- Serializers --------------------------------------------------------------------------------


class TeamMemberSerializer(ProjectScopedSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = ProjectMember
        fields = [
            "id",
            "project",
            "user",
            "name",
            "organisation",
            "email",
            "project_role",
            "display_name",
            "version",
        ]
        read_only_fields = ["id", "version"]
        validators = []  # one row per user: checked by the service with a field message

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True)


class RaciAssignmentSerializer(ProjectScopedSerializer):
    class Meta:
        model = RaciAssignment
        fields = ["id", "project", "row_kind", "row_id", "member", "role", "version"]
        read_only_fields = ["id", "version"]
        validators = []  # one Accountable per row: the service names the current one

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["member"].queryset = ProjectMember.objects.filter(
                project__in=Project.objects.visible_to(request.user).values("pk")
            )
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            for name in ("row_kind", "row_id", "member"):
                self.fields[name].read_only = True


class RaciActivitySerializer(ProjectScopedSerializer):
    class Meta:
        model = RaciActivity
        fields = ["id", "project", "name", "position", "version"]
        read_only_fields = ["id", "version"]


class StakeholderSerializer(ProjectScopedSerializer):
    quadrant = serializers.CharField(read_only=True)

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "project",
            "name",
            "kind",
            "user",
            "organisation",
            "role",
            "email",
            "influence",
            "interest",
            "attitude",
            "expectations",
            "engagement_actions",
            "receives_highlight",
            "receives_steering",
            "quadrant",
            "version",
        ]
        read_only_fields = ["id", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = get_user_model().objects.filter(is_active=True)


class CommunicationItemSerializer(ProjectScopedSerializer):
    class Meta:
        model = CommunicationItem
        fields = [
            "id",
            "project",
            "title",
            "description",
            "stakeholders",
            "audience",
            "channel",
            "frequency",
            "owner",
            "next_date",
            "last_done",
            "is_active",
            "version",
        ]
        read_only_fields = ["id", "version", "last_done"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["stakeholders"].child_relation.queryset = Stakeholder.objects.visible_to(request.user)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True)


class SupplierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "portfolio",
            "name",
            "registration_number",
            "contact_name",
            "email",
            "phone",
            "notes",
            "archived_at",
            "version",
        ]
        read_only_fields = ["id", "version", "archived_at"]
        validators = []  # unique name per portfolio: checked by the service

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["portfolio"].queryset = Portfolio.objects.visible_to(request.user)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True


def _suppliers_field(serializer) -> None:
    request = serializer.context.get("request")
    if request is not None and request.user.is_authenticated:
        serializer.fields["supplier"].queryset = Supplier.objects.visible_to(request.user)


class ContractSerializer(ProjectScopedSerializer):
    class Meta:
        model = Contract
        fields = [
            "id",
            "project",
            "supplier",
            "reference",
            "title",
            "amount",
            "category",
            "start_date",
            "end_date",
            "status",
            "version",
        ]
        read_only_fields = READ_ONLY[:2]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _suppliers_field(self)


class PurchaseOrderSerializer(ProjectScopedSerializer):
    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "project",
            "supplier",
            "contract",
            "reference",
            "description",
            "amount",
            "category",
            "order_date",
            "expected_date",
            "status",
            "version",
        ]
        read_only_fields = READ_ONLY[:2]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _suppliers_field(self)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["contract"].queryset = Contract.objects.visible_to(request.user)


class SupplierInvoiceSerializer(ProjectScopedSerializer):
    class Meta:
        model = SupplierInvoice
        fields = [
            "id",
            "project",
            "purchase_order",
            "number",
            "invoice_date",
            "amount",
            "over_reason",
            "version",
        ]
        read_only_fields = READ_ONLY[:2]
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            self.fields["purchase_order"].queryset = PurchaseOrder.objects.visible_to(request.user)


# --- Viewsets -----------------------------------------------------------------------------------

EDIT_SCHEMA = {
    "update": extend_schema(parameters=[IF_MATCH]),
    "partial_update": extend_schema(parameters=[IF_MATCH]),
}


@extend_schema_view(**EDIT_SCHEMA)
class TeamMemberViewSet(mixins.DestroyModelMixin, RegisterViewSet):
    """Project team members (users or external people) of the projects the user can see."""

    model = ProjectMember
    serializer_class = TeamMemberSerializer

    def get_queryset(self):
        rows = ProjectMember.objects.filter(
            project__in=Project.objects.visible_to(self.request.user).values("pk")
        ).order_by("project_id", "pk")
        return (
            rows.select_related("user") if self.action == "list" else rows.select_related("project", "user")
        )

    def perform_register_create(self, *, project, data):
        return team_services.team_member_create(actor=self.request.user, project=project, data=data)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return team_services.team_member_update(actor=actor, member=instance, version=version, data=data)

    def perform_destroy(self, instance):
        team_services.team_member_remove(actor=self.request.user, member=instance)


@extend_schema_view(**EDIT_SCHEMA)
class RaciAssignmentViewSet(mixins.DestroyModelMixin, RegisterViewSet):
    """RACI cells: `row_kind` (milestone, deliverable, activity, and kinds other apps register) and
    `row_id`, a team member and R/A/C/I. A second Accountable on a row is refused (400)."""

    model = RaciAssignment
    serializer_class = RaciAssignmentSerializer
    filterset_fields = ["project", "row_kind", "row_id", "member", "role"]

    def get_queryset(self):
        rows = RaciAssignment.objects.filter(
            project__in=Project.objects.visible_to(self.request.user).values("pk")
        ).order_by("project_id", "row_kind", "row_id", "member_id")
        return rows if self.action == "list" else rows.select_related("project")

    def perform_register_create(self, *, project, data):
        return team_services.raci_set(actor=self.request.user, project=project, **data)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        if instance.version != version:
            raise StaleVersionError
        return team_services.raci_set(
            actor=actor,
            project=instance.project,
            row_kind=instance.row_kind,
            row_id=instance.row_id,
            member=instance.member,
            role=data.get("role", instance.role),
        )

    def perform_destroy(self, instance):
        team_services.raci_set(
            actor=self.request.user,
            project=instance.project,
            row_kind=instance.row_kind,
            row_id=instance.row_id,
            member=instance.member,
            role="",
        )


@extend_schema_view(**EDIT_SCHEMA)
class RaciActivityViewSet(RegisterViewSet):
    model = RaciActivity
    serializer_class = RaciActivitySerializer


@extend_schema_view(**EDIT_SCHEMA)
class StakeholderViewSet(RegisterViewSet):
    model = Stakeholder
    serializer_class = StakeholderSerializer
    filterset_fields = ["project", "kind", "attitude"]

    def perform_register_create(self, *, project, data):
        return team_services.stakeholder_create(actor=self.request.user, project=project, data=data)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return team_services.stakeholder_update(actor=actor, stakeholder=instance, version=version, data=data)


@extend_schema_view(**EDIT_SCHEMA)
class CommunicationItemViewSet(RegisterViewSet):
    model = CommunicationItem
    serializer_class = CommunicationItemSerializer
    filterset_fields = ["project", "owner", "frequency", "is_active"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("stakeholders")

    def perform_register_create(self, *, project, data):
        stakeholders = data.pop("stakeholders", [])
        return team_services.communication_item_create(
            actor=self.request.user, project=project, data=data, stakeholders=stakeholders
        )

    @staticmethod
    def update_service(*, actor, instance, version, data):
        data = dict(data)
        stakeholders = data.pop("stakeholders", None)
        return team_services.communication_item_update(
            actor=actor, item=instance, version=version, data=data, stakeholders=stakeholders
        )


@extend_schema_view(**EDIT_SCHEMA)
class ContractViewSet(RegisterViewSet):
    model = Contract
    serializer_class = ContractSerializer
    filterset_fields = ["project", "supplier", "status", "category"]

    def perform_register_create(self, *, project, data):
        return procurement_services.contract_create(actor=self.request.user, project=project, data=data)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return procurement_services.contract_update(
            actor=actor, contract=instance, version=version, data=data
        )


@extend_schema_view(**EDIT_SCHEMA)
class PurchaseOrderViewSet(RegisterViewSet):
    model = PurchaseOrder
    serializer_class = PurchaseOrderSerializer
    filterset_fields = ["project", "supplier", "contract", "status", "category"]

    def perform_register_create(self, *, project, data):
        return procurement_services.purchase_order_create(actor=self.request.user, project=project, data=data)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return procurement_services.purchase_order_update(
            actor=actor, order=instance, version=version, data=data
        )


@extend_schema_view(**EDIT_SCHEMA)
class SupplierInvoiceViewSet(RegisterViewSet):
    model = SupplierInvoice
    serializer_class = SupplierInvoiceSerializer
    filterset_fields = ["project", "purchase_order"]

    def perform_register_create(self, *, project, data):
        return procurement_services.supplier_invoice_create(
            actor=self.request.user, project=project, data=data
        )

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return procurement_services.supplier_invoice_update(
            actor=actor, invoice=instance, version=version, data=data
        )


@extend_schema_view(**EDIT_SCHEMA)
class SupplierViewSet(
    VersionedRetrieveMixin,
    VersionedUpdateMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Suppliers of the portfolios the user is a member of; PMO officers and project managers of the
    portfolio add and change them."""

    serializer_class = SupplierSerializer
    permission_classes = [ReadOnlyOrObjectEditable]
    filter_backends = [FilterBackend, OrderingFilter]
    filterset_fields = ["portfolio"]
    ordering_fields = ["name", "id"]

    def get_queryset(self):
        return Supplier.objects.visible_to(self.request.user).order_by("portfolio_id", "name", "pk")

    def can_edit(self, user, obj) -> bool:
        return can_manage_suppliers(user=user, portfolio=obj.portfolio)

    @staticmethod
    def update_service(*, actor, instance, version, data):
        return supplier_update(actor=actor, supplier=instance, version=version, data=data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        portfolio = data.pop("portfolio")
        if not can_manage_suppliers(user=request.user, portfolio=portfolio):
            raise PermissionDenied(_("Only PMO officers and project managers add suppliers."))
        with transaction.atomic():
            supplier = supplier_create(actor=request.user, portfolio=portfolio, data=data)
        return Response(self.get_serializer(supplier).data, status=status.HTTP_201_CREATED)


ROUTES = [
    ("team-members", TeamMemberViewSet, "team-member"),
    ("raci-assignments", RaciAssignmentViewSet, "raci-assignment"),
    ("raci-activities", RaciActivityViewSet, "raci-activity"),
    ("stakeholders", StakeholderViewSet, "stakeholder"),
    ("communication-items", CommunicationItemViewSet, "communication-item"),
    ("suppliers", SupplierViewSet, "supplier"),
    ("contracts", ContractViewSet, "contract"),
    ("purchase-orders", PurchaseOrderViewSet, "purchase-order"),
    ("supplier-invoices", SupplierInvoiceViewSet, "supplier-invoice"),
]
