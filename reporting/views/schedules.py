"""PMO settings of reporting: the distribution lists of a portfolio, and chasing the missing weekly
updates (the periodic jobs themselves are listed by pmo/schedule_views.py)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from pmo.core.audit import audit_context
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_form_errors
from portfolio.models import Portfolio
from portfolio.selectors import people_list
from projects.models import Project
from reporting import distribution
from reporting.forms import DistributionListForm
from reporting.models import DistributionList


@login_required
@require_http_methods(["GET", "POST"])
def distribution_edit(request, portfolio_pk, kind):
    """Who receives a kind of report of a portfolio (its PMO officers only)."""
    portfolio = get_visible_or_404(Portfolio.objects.visible_to(request.user), pk=portfolio_pk)
    require(Portfolio.objects.editable_by(request.user).filter(pk=portfolio.pk).exists())
    if kind not in DistributionList.Kind.values:
        raise Http404
    instance = DistributionList.objects.filter(portfolio=portfolio, kind=kind).first() or DistributionList(
        portfolio=portfolio, kind=kind
    )
    people = people_list(user=request.user).filter(portfolio=portfolio)
    form = DistributionListForm(
        request.POST or None,
        instance=instance,
        people=get_user_model()
        .objects.filter(pk__in=people.values("user_id"))
        .order_by("last_name", "first_name"),
    )
    context = {
        "portfolio": portfolio,
        "kind": kind,
        "kind_label": DistributionList.Kind(kind).label,
        "form": form,
    }
    if request.method == "POST":
        if not form.is_valid():
            return render_form_errors(request, "reporting/distribution_form.html", context)
        with transaction.atomic(), audit_context(actor=request.user, reason="distribution list"):
            form.save()
        messages.success(request, _("Distribution list saved."))
        return redirect("schedules")
    return render(request, "reporting/distribution_form.html", context)


@login_required
@require_POST
def chase_missing(request):
    """Remind, now, the managers of a portfolio whose report of this week is missing (PMO officers)."""
    portfolio = get_visible_or_404(
        Portfolio.objects.visible_to(request.user), pk=request.POST.get("portfolio")
    )
    require(Portfolio.objects.editable_by(request.user).filter(pk=portfolio.pk).exists())
    sent = distribution.send_update_reminders(
        period=timezone.localdate(), actor=request.user, projects=Project.objects.filter(portfolio=portfolio)
    )
    text = ngettext("%(n)d manager reminded.", "%(n)d managers reminded.", sent) % {"n": sent}
    if not sent:
        text = _("Nobody to remind: every update is in, or the managers were already reminded this week.")
    if request.htmx:
        return HttpResponse(f'<span class="text-success small" role="status">{escape(text)}</span>')
    messages.success(request, text)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "reporting:dashboard"
    return redirect(target or "reporting:dashboard")
