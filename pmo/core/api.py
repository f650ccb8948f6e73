"""API plumbing shared by every app: pagination, error shape, optimistic locking headers."""

from typing import Any, ClassVar

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from pmo.core.locking import StaleVersionError


class FirstPageCountingPaginator(Paginator):
    """Django's Paginator, except that a first page shorter than a page is known to hold every row:
    its count is its length, without the COUNT query (a project's register is mostly one page)."""

    def page(self, number):
        if str(number) != "1" or not self.allow_empty_first_page or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)  # Paginator.count is a cached_property
        return self._get_page(rows, 1, self)


class PageNumberPagination(pagination.PageNumberPagination):
    """`count`, `next`, `previous`, `results`; `?page_size=` up to 500 (a full screen of a list)."""

    django_paginator_class = FirstPageCountingPaginator
    page_size_query_param = "page_size"
    max_page_size = 500


class ForeignKeysByIdFilterSet(RestFilterSet):
    """`filterset_fields` on a foreign key filter by id without checking that the id exists.

    django-filter's default validates the id against every row of the related table: an existing
    but invisible project answered 200 (empty list) and an unknown one 400, an existence oracle.
    """

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        if field.is_relation and lookup_type == "exact":
            return django_filters.NumberFilter, {}
        return super().filter_for_lookup(field, lookup_type)


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend whose `filterset_fields` filter foreign keys by id (see above).

    The FilterSet class that django-filter builds from a view's `filterset_fields` is built once
    per view class and model, not on every request (its metaclass walks the model's fields)."""

    filterset_base = ForeignKeysByIdFilterSet
    _built: ClassVar[dict[tuple, type]] = {}

    def get_filterset_class(self, view, queryset=None):
        fields = getattr(view, "filterset_fields", None)
        if getattr(view, "filterset_class", None) or not fields or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model, tuple(fields))
        built = self._built.get(key)
        if built is None:
            built = self._built[key] = super().get_filterset_class(view, queryset)
        return built


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = "If-Match header with the current version is required."
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object was modified since you read it; reload and retry."
    default_code = "precondition_failed"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus model validation errors as 400 and stale versions as 412."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, StaleVersionError):
        exc = PreconditionFailed()
    return drf_exception_handler(exc, context)


def etag_for(version: int) -> str:
    return f'"{version}"'


def expected_version_from(request) -> int:
    """The version the client read, from `If-Match: "<version>"` (428 if absent, 412 if unusable)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    value = header.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    try:
        return int(value)
    except ValueError:
        raise PreconditionFailed() from None


class VersionedRetrieveMixin:
    """Send the object's version as an ETag on GET so clients can send it back in If-Match."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_for(response.data["version"])
        return response


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='The version read, as "<version>".',
)


def check_read_only_fields(serializer, data) -> None:
    """400 when a payload tries to change a read-only field (id, version, archived_at, a fixed FK...).

    DRF drops read-only input silently, so a client could believe it moved or un-archived an object.
    Sending back the value that was read (a GET-modify-PUT round trip) is accepted.
    """
    if not hasattr(data, "keys"):
        return
    current = serializer.to_representation(serializer.instance)
    errors = {
        name: ["This field is read-only."]
        for name, field in serializer.fields.items()
        if field.read_only
        and name in data
        and name in current
        and data[name] != current[name]
        and str(data[name]) != str(current[name])
    }
    if errors:
        raise exceptions.ValidationError(errors)


class ListFiltersOnlyMixin:
    """Filter backends apply to lists only: a detail URL answers for any object of the queryset.

    The list filters hide archived rows unless `?archived=`; applied in get_object() they would
    hide an archived object from the PMO officers who may still read and restore it.
    """

    def filter_queryset(self, queryset):
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)


class VersionedUpdateMixin:
    """PUT/PATCH need If-Match (428 without, 412 when stale) and answer with the new ETag."""

    update_service = None  # set by subclasses: callable(actor, instance, version, data)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        version = expected_version_from(request)
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        check_read_only_fields(serializer, request.data)
        self.check_field_permissions(instance, serializer.validated_data)
        updated = type(self).update_service(
            actor=request.user, instance=instance, version=version, data=serializer.validated_data
        )
        response = Response(self.get_serializer(updated).data)
        response["ETag"] = etag_for(updated.version)
        return response

    def check_field_permissions(self, instance, data) -> None:
        """Refuse (403) fields the user may not change; default: all editable."""


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, answering "does not exist" for a value with a NUL character instead of
    sending it to PostgreSQL, which cannot compare text holding one (a 500; found by schemathesis)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\0"))
        return super().to_internal_value(data)
