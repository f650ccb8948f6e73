"""Lessons learned pages: the searchable register (HTMX refresh of the results), a lesson, its
form, and the project page's "Lessons" tab (suggestions from similar projects and its own)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from governance import lessons
from governance.control_forms import LessonForm, LessonSearchForm
from governance.control_permissions import can_edit_lesson, can_record_lesson
from governance.models import LessonLearned
from pmo.core.forms import save_versioned_form
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.views import render_list
from portfolio.models import Membership
from projects.models import Project
from projects.selectors import project_get


@login_required
@require_GET
def lesson_list(request):
    """The register: French full-text search (`q`), category filter; best match first."""
    form = LessonSearchForm(request.GET)
    queryset = lessons.lesson_list(user=request.user)
    if form.is_valid():
        if form.cleaned_data.get("category"):
            queryset = queryset.filter(category=form.cleaned_data["category"])
        queryset = lessons.lesson_search(queryset, form.cleaned_data.get("q") or "")
    can_record = (
        request.user.is_superuser
        or Membership.objects.filter(user=request.user, role__in=["pmo", "project_manager"]).exists()
    )
    return render_list(
        request,
        page_template="governance/lesson_list.html",
        partial_template="governance/partials/lesson_results.html",
        context={"form": form, "can_record": can_record, "query": request.GET.get("q", "")},
        queryset=queryset,
    )


def _writable_projects(user):
    return Project.objects.visible_to(user).order_by("code")


def _portfolio_for_new_lesson(request, form) -> int | None:
    """The lesson's portfolio: its project's, else the only portfolio where the user may record."""
    project = form.cleaned_data.get("project") if form.is_valid() else None
    if project is not None:
        return project.portfolio_id
    portfolios = list(
        Membership.objects.filter(user=request.user, role__in=["pmo", "project_manager"])
        .values_list("portfolio_id", flat=True)
        .distinct()
    )
    return portfolios[0] if len(portfolios) == 1 else None


@login_required
@require_http_methods(["GET", "POST"])
def lesson_create(request):
    if not (
        request.user.is_superuser
        or Membership.objects.filter(user=request.user, role__in=["pmo", "project_manager"]).exists()
    ):
        raise PermissionDenied
    initial = {}
    project_id = request.GET.get("project")
    if project_id and project_id.isdigit():
        project = Project.objects.visible_to(request.user).filter(pk=project_id).first()
        if project is not None:
            initial = {"project": project.pk, "stage": project.stage}
    data = request.POST if request.method == "POST" else None
    form = LessonForm(data, projects=_writable_projects(request.user), initial=initial)
    if request.method == "POST" and form.is_valid():
        portfolio_id = _portfolio_for_new_lesson(request, form)
        if portfolio_id is None:
            form.add_error("project", _("Choose the project the lesson comes from."))
        elif not can_record_lesson(request.user, portfolio_id):
            form.add_error("project", _("You cannot record lessons in this portfolio."))
        else:
            try:
                lesson = lessons.lesson_create(
                    actor=request.user, portfolio_id=portfolio_id, data=form.changed_values()
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Lesson recorded."))
                return redirect(lesson.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, "governance/lesson_form.html", {"form": form}, status=status)


@login_required
@require_GET
def lesson_detail(request, pk):
    lesson = get_visible_or_404(lessons.lesson_list(user=request.user), pk=pk)
    return render(
        request,
        "governance/lesson_detail.html",
        {"lesson": lesson, "can_edit": can_edit_lesson(request.user, lesson)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request, pk):
    lesson = get_visible_or_404(lessons.lesson_list(user=request.user), pk=pk)
    require(can_edit_lesson(request.user, lesson))
    projects = Project.objects.filter(portfolio_id=lesson.portfolio_id).order_by("code")
    data = request.POST if request.method == "POST" else None
    form = LessonForm(data, instance=lesson, projects=projects)
    if request.method == "POST":
        saved = save_versioned_form(
            form,
            lambda version, data: lessons.lesson_update(
                actor=request.user, lesson=lesson, version=version, data=data
            ),
        )
        if saved:
            messages.success(request, _("Lesson saved."))
            return redirect(lesson.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, "governance/lesson_form.html", {"form": form, "lesson": lesson}, status=status)


@login_required
@require_GET
def project_lessons_partial(request, pk):
    """The project page's "Lessons" tab: lessons of similar projects, and the project's own."""
    project = project_get(user=request.user, pk=pk)
    return render(
        request,
        "governance/partials/project_lessons.html",
        {
            "project": project,
            "suggestions": lessons.lesson_suggestions(user=request.user, project=project),
            "own": LessonLearned.objects.filter(project=project)
            .select_related("created_by")
            .order_by("-created_at"),
            "can_record": can_record_lesson(request.user, project.portfolio_id),
        },
    )
