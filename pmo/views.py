"""The wiring's own pages: the home page that sends each role to its place, and a health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils import timezone

from pmo.core.models import Heartbeat
from pmo.core.roles import Role
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
