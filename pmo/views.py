"""The wiring's own pages: the home page that sends each role to its place, and a health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from pmo.core import notifications
from pmo.core.models import Heartbeat, Notification
from pmo.core.roles import Role
from pmo.core.views import render_list
from portfolio.selectors import user_roles


@login_required
def home(request):
    """PMO officers and executives land on the dashboard; project managers on their projects."""
    roles = set(user_roles(user=request.user).values())
    if request.user.is_superuser or roles & {Role.PMO, Role.EXECUTIVE}:
        return redirect("reporting:dashboard")
    if Role.PROJECT_MANAGER in roles:
        return redirect("projects:my-projects")
    return redirect("projects:project-list")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the static icon."""
    return redirect(static("favicon.svg"), permanent=True)


def healthz(request):
    """Liveness for load balancers: database reachable, and when the beat heartbeat last ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(source="beat").values_list("beat_at", flat=True).first()
    age = (timezone.now() - beat).total_seconds() if beat else None
    return JsonResponse({"database": "ok", "beat_age_seconds": age})


@login_required
@require_GET
def notification_list(request):
    """The user's notification centre: reports ready, reminders, exceptions; newest first."""
    unread_only = request.GET.get("unread") == "1"
    items = Notification.objects.filter(recipient=request.user)
    if unread_only:
        items = items.filter(read_at__isnull=True)
    return render_list(
        request,
        page_template="notifications.html",
        partial_template="partials/notification_list.html",
        context={"unread_only": unread_only},
        queryset=items.order_by("-created_at", "-id"),
    )


@login_required
@require_GET
def notification_badge(request):
    """The unread count shown on the bell (loaded by HTMX, so pages do not pay for it)."""
    count = notifications.unread_count(request.user)
    return render(request, "partials/notification_badge.html", {"count": count})


@login_required
@require_POST
def notification_read(request):
    """Mark one notification (`id`) or all of them read, then follow its link or go back."""
    notification_id = request.POST.get("id")
    if notification_id:
        item = Notification.objects.filter(recipient=request.user, pk=notification_id).first()
        if item is None:
            raise Http404
        notifications.mark_read(user=request.user, ids=[item.pk])
        local = item.url.startswith("/") and not item.url.startswith("//")
        target = item.url if local else reverse("notifications")
    else:
        notifications.mark_read(user=request.user)
        target = reverse("notifications")
    return HttpResponseRedirect(target)


def page_not_found(request, exception):
    """404: under /api/, DRF's JSON answer (an id that is not one, such as `/api/v1/projects/0.5/`,
    matches no route and would otherwise get the HTML page); elsewhere Django's page (404.html)."""
    if request.path.startswith("/api/"):
        from rest_framework.exceptions import NotFound

        return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)
    from django.views import defaults

    return defaults.page_not_found(request, exception)
