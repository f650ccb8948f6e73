"""The portfolio's suppliers page: the list with an inline add form, and the edit form."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from pmo.core.forms import VersionedModelForm, save_versioned_form
from pmo.core.permissions import get_visible_or_404, require
from portfolio import selectors
from portfolio.models import Supplier
from portfolio.suppliers import can_manage_suppliers, supplier_create, supplier_list, supplier_update


class SupplierForm(VersionedModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "registration_number", "contact_name", "email", "phone", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def _post_clean(self):
        pass  # the service validates (the portfolio is not a field of the form)


def _page(request, portfolio, form, *, status=200):
    can_manage = can_manage_suppliers(user=request.user, portfolio=portfolio)
    context = {
        "portfolio": portfolio,
        "suppliers": supplier_list(user=request.user, portfolio=portfolio),
        "can_manage": can_manage,
        "form": form if can_manage else None,
    }
    template = (
        "portfolio/partials/suppliers.html"
        if request.htmx or request.method == "POST"
        else "portfolio/suppliers.html"
    )
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def supplier_list_page(request, pk):
    """GET lists the portfolio's suppliers; POST adds one (PMO officers and project managers)."""
    portfolio = get_visible_or_404(selectors.portfolio_list(user=request.user), pk=pk)
    if request.method == "GET":
        return _page(request, portfolio, SupplierForm())
    require(can_manage_suppliers(user=request.user, portfolio=portfolio))
    form = SupplierForm(request.POST)
    if form.is_valid():
        try:
            supplier_create(actor=request.user, portfolio=portfolio, data=form.changed_values())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _page(request, portfolio, SupplierForm())
    return _page(request, portfolio, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def supplier_edit(request, pk):
    supplier = get_visible_or_404(supplier_list(user=request.user), pk=pk)
    require(can_manage_suppliers(user=request.user, portfolio=supplier.portfolio))
    form = SupplierForm(request.POST or None, instance=supplier)
    saved = request.method == "POST" and save_versioned_form(
        form,
        lambda version, data: supplier_update(
            actor=request.user, supplier=supplier, version=version, data=data
        ),
    )
    if saved:
        response = _page(request, supplier.portfolio, SupplierForm())
        response["HX-Retarget"] = "#portfolio-suppliers"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(
        request,
        "portfolio/partials/supplier_form.html",
        {"form": form, "supplier": supplier},
        status=422 if form.errors else 200,
    )


urlpatterns = [
    path("portfolios/<int:pk>/suppliers/", supplier_list_page, name="supplier-list"),
    path("suppliers/<int:pk>/edit/", supplier_edit, name="supplier-edit"),
]
