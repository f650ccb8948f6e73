"""View plumbing shared by every app: list pages that refresh one partial under HTMX."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

LIST_PAGE_SIZE = 25


def render_list(request, *, page_template: str, partial_template: str, context: dict, queryset):
    """Paginate `queryset`; the whole page on first load, only the table on an HTMX refresh."""
    paginator = Paginator(queryset, LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {**context, "page_obj": page, "object_list": page.object_list}
    is_refresh = request.htmx and not request.htmx.boosted
    response = render(request, partial_template if is_refresh else page_template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_form_errors(request, template: str, context: dict):
    """Validation errors are swapped in place with status 422 (htmx-config allows 422 swaps)."""
    return render(request, template, context, status=422)
