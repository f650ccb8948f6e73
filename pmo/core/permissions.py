"""Fetch-if-visible helpers: invisible objects answer 404, visible but forbidden ones 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from rest_framework import permissions


def get_visible_or_404(queryset: QuerySet, **lookup) -> Model:
    """The object from an already permission-scoped queryset, or 404 (no existence oracle)."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def require(allowed: bool) -> None:
    """Raise 403 unless `allowed`; call it after the object was fetched through a visible queryset."""
    if not allowed:
        raise PermissionDenied


class ReadOnlyOrObjectEditable(permissions.BasePermission):
    """Authenticated users only; reads pass (the queryset already scopes them); writes need
    `view.can_edit(user, obj)`. Replacing the default IsAuthenticated, it must check login itself."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return view.can_edit(request.user, obj)
