"""Lessons learned (REX): recording and editing them, French full-text search, and the lessons of
similar projects suggested on a project's page."""

import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from governance.control_models import SEARCH_CONFIG, lesson_search_vector
from governance.control_permissions import can_edit_lesson, can_record_lesson
from governance.models import LessonLearned
from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from projects.models import Project, Risk

FIELDS = (
    "title",
    "category",
    "context",
    "what_happened",
    "recommendation",
    "tags",
    "methodology",
    "stage",
    "project",
)
SUGGESTED = 5
# Words too common in risk titles to say anything about a theme.
THEME_STOP = {
    "risque",
    "risques",
    "projet",
    "retard",
    "manque",
    "possible",
    "lié",
    "liée",
    "liés",
    "sur",
    "les",
    "des",
    "une",
    "dans",
    "pour",
    "avec",
}


def clean_tags(value: Any) -> list[str]:
    """Tags as stored: lower case, trimmed, unique, at most 10 of at most 50 characters."""
    if isinstance(value, str):
        value = value.split(",")
    tags = []
    for tag in value or []:
        tag = str(tag).strip().lower()[:50]
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > 10:
        raise ValidationError({"tags": _("At most 10 tags.")})
    return tags


def _validate(candidate: LessonLearned) -> None:
    errors: dict[str, list] = {}
    candidate.tags = clean_tags(candidate.tags)
    try:
        candidate.full_clean(exclude=["version", "portfolio"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if candidate.project_id and candidate.project.portfolio_id != candidate.portfolio_id:
        errors["project"] = [_("The project is not in this portfolio.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def lesson_create(*, actor, portfolio_id: int, data: dict[str, Any]) -> LessonLearned:
    """Record a lesson (PMO officers and project managers of the portfolio)."""
    if not can_record_lesson(actor, portfolio_id):
        raise PermissionDenied
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in sorted(unknown)})
    lesson = LessonLearned(portfolio_id=portfolio_id, created_by=actor, **data)
    _validate(lesson)
    with audit_context(actor=actor, reason="lesson recorded"):
        lesson.save()
    return lesson


@transaction.atomic
def lesson_update(*, actor, lesson: LessonLearned, version: int, data: dict[str, Any]) -> LessonLearned:
    if not can_edit_lesson(actor, lesson):
        raise PermissionDenied
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    candidate = LessonLearned.objects.get(pk=lesson.pk)
    for name, value in data.items():
        setattr(candidate, name, value)
    _validate(candidate)
    fields = {name: getattr(candidate, name) for name in data}
    with audit_context(actor=actor, reason="lesson edited"):
        return versioned_update(instance=lesson, expected_version=version, fields=fields)


# --- Reads ---------------------------------------------------------------------------------------------


def lesson_list(*, user) -> QuerySet[LessonLearned]:
    """Lessons of the user's portfolios, with project, programme and author joined (one query per page)."""
    return LessonLearned.objects.visible_to(user).select_related(
        "project__programme", "portfolio", "created_by"
    )


def lesson_search(queryset: QuerySet[LessonLearned], text: str) -> QuerySet[LessonLearned]:
    """Full-text search in French (stemming: « migrations » finds « migration »), best match first;
    a search for a tag matches the tag too. Uses the GIN index on the same expression."""
    text = (text or "").strip()
    if not text:
        return queryset
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    vector = lesson_search_vector()
    return (
        queryset.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(Q(document=query) | Q(tags__contains=[text.lower()]))
        .order_by("-rank", "-created_at", "-id")
    )


def _theme_words(titles: list[str]) -> list[str]:
    words = []
    for title in titles:
        for word in re.findall(r"[\wÀ-ÿ]{4,}", title.lower()):
            if word not in THEME_STOP and word not in words:
                words.append(word)
    return words[:12]


def lesson_suggestions(*, user, project: Project, limit: int = SUGGESTED) -> list[LessonLearned]:
    """Lessons of similar projects for `project` (never its own): same programme, same stage or
    methodology, and the themes of its open risks (French full text over their titles), best
    score first. Three queries whatever the size of the register."""
    risk_titles = list(
        Risk.objects.filter(project=project, status=Risk.Status.OPEN, is_opportunity=False)
        .order_by("-score")
        .values_list("title", flat=True)[:10]
    )
    themes = _theme_words(risk_titles)
    queryset = lesson_list(user=user).filter(portfolio_id=project.portfolio_id).exclude(project=project)
    conditions = Q()
    score = Value(0.0, output_field=FloatField())
    if project.programme_id:
        conditions |= Q(project__programme_id=project.programme_id)
        score = score + _points(Q(project__programme_id=project.programme_id), 2.0)
    if project.stage:
        conditions |= Q(stage__iexact=project.stage)
        score = score + _points(Q(stage__iexact=project.stage), 1.0)
    if themes:
        query = SearchQuery(" or ".join(themes), config=SEARCH_CONFIG, search_type="websearch")
        vector = lesson_search_vector()
        queryset = queryset.annotate(document=vector)
        conditions |= Q(document=query) | Q(tags__overlap=themes)
        score = score + SearchRank(vector, query) * Value(10.0) + _points(Q(tags__overlap=themes), 1.0)
    if not conditions:
        return []
    return list(
        queryset.filter(conditions).annotate(score=score).order_by("-score", "-created_at", "-id")[:limit]
    )


def _points(condition: Q, points: float):
    return Case(When(condition, then=Value(points)), default=Value(0.0), output_field=FloatField())
