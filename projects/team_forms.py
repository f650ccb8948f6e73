"""Input validation for the team, RACI, stakeholder, communication and procurement pages; the views
hand cleaned data to projects.services.team / projects.services.procurement."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, VersionedModelForm
from portfolio.models import Supplier
from projects.forms import RegisterRowForm, _register_widget
from projects.models import (
    CommunicationItem,
    Contract,
    Project,
    ProjectMember,
    PurchaseOrder,
    RaciRole,
    Stakeholder,
    SupplierInvoice,
)
from projects.models.procurement import ProcurementStatus


def portfolio_people(project: Project):
    return (
        get_user_model()
        .objects.filter(memberships__portfolio_id=project.portfolio_id, is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


class TeamMemberForm(VersionedModelForm):
    """A user of the portfolio, or the name of an external person, with their role in the project."""

    class Meta:
        model = ProjectMember
        fields = ["user", "name", "organisation", "email", "project_role"]
        labels = {"user": _("Person")}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = portfolio_people(project)
        self.fields["user"].required = False
        self.fields["user"].empty_label = _("— external person —")
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Choose a user or give the name of an external person."))
        return cleaned

    def _post_clean(self):
        # The service validates the instance (constraints included); the ModelForm's own instance
        # validation would run the conditional unique constraint without the project.
        pass


class RaciCellForm(StyledForm):
    row_kind = forms.CharField(max_length=30)
    row_id = forms.IntegerField(min_value=1)
    member = forms.ModelChoiceField(queryset=ProjectMember.objects.none())
    role = forms.ChoiceField(choices=[("", "—"), *RaciRole.choices], required=False)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = ProjectMember.objects.filter(project=project)


class RaciActivityForm(StyledForm):
    name = forms.CharField(max_length=200, label=_("New key activity"))


class StakeholderForm(RegisterRowForm):
    class Meta:
        model = Stakeholder
        fields = [
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
        ]
        widgets = {
            "influence": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "interest": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "expectations": forms.Textarea(attrs={"rows": 2}),
            "engagement_actions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, project: Project, **kwargs):
        super().__init__(*args, user=user, project=project, **kwargs)
        self.fields["user"].queryset = portfolio_people(project)


class CommunicationItemForm(RegisterRowForm):
    class Meta:
        model = CommunicationItem
        fields = [
            "title",
            "description",
            "stakeholders",
            "audience",
            "channel",
            "frequency",
            "owner",
            "next_date",
            "is_active",
        ]
        widgets = {"next_date": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, project: Project, **kwargs):
        super().__init__(*args, user=user, project=project, **kwargs)
        self.fields["stakeholders"].queryset = Stakeholder.objects.filter(project=project).order_by("name")
        self.fields["stakeholders"].widget.attrs["size"] = 5

    def changed_values(self) -> dict:
        values = super().changed_values()
        values.pop("stakeholders", None)
        return values


def _suppliers(project: Project):
    return Supplier.objects.filter(portfolio_id=project.portfolio_id, archived_at__isnull=True).order_by(
        "name"
    )


class ContractForm(RegisterRowForm):
    def __init__(self, *args, user, project: Project, **kwargs):
        super().__init__(*args, user=user, project=project, **kwargs)
        self.fields["supplier"].queryset = _suppliers(project)


class PurchaseOrderForm(RegisterRowForm):
    def __init__(self, *args, user, project: Project, **kwargs):
        super().__init__(*args, user=user, project=project, **kwargs)
        self.fields["supplier"].queryset = _suppliers(project)
        self.fields["contract"].queryset = Contract.objects.filter(project=project).order_by("reference")


class SupplierInvoiceForm(RegisterRowForm):
    def __init__(self, *args, user, project: Project, **kwargs):
        super().__init__(*args, user=user, project=project, **kwargs)
        self.fields["purchase_order"].queryset = (
            PurchaseOrder.objects.filter(project=project)
            .exclude(status=ProcurementStatus.DRAFT)
            .order_by("reference")
        )


def _build(model, fields, base):
    return forms.modelform_factory(model, form=base, fields=list(fields), formfield_callback=_register_widget)


CONTRACT_FIELDS = ("supplier", "reference", "title", "amount", "category", "start_date", "end_date", "status")
ORDER_FIELDS = (
    "supplier",
    "contract",
    "reference",
    "description",
    "amount",
    "category",
    "order_date",
    "expected_date",
    "status",
)
INVOICE_FIELDS = ("purchase_order", "number", "invoice_date", "amount", "over_reason")

ContractModelForm = _build(Contract, CONTRACT_FIELDS, ContractForm)
PurchaseOrderModelForm = _build(PurchaseOrder, ORDER_FIELDS, PurchaseOrderForm)
SupplierInvoiceModelForm = _build(SupplierInvoice, INVOICE_FIELDS, SupplierInvoiceForm)
