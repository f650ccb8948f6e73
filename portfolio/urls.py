from django.urls import path

from portfolio import methodology_views, supplier_views, views

app_name = "portfolio"

urlpatterns = [
    path("portfolios/", views.portfolio_list, name="portfolio-list"),
    path("portfolios/new/", views.portfolio_create, name="portfolio-create"),
    path("portfolios/<int:pk>/", views.portfolio_detail, name="portfolio-detail"),
    path("portfolios/<int:pk>/edit/", views.portfolio_edit, name="portfolio-edit"),
    path("portfolios/<int:pk>/archive/", views.portfolio_archive, name="portfolio-archive"),
    path(
        "portfolios/<int:pk>/partials/members/",
        views.portfolio_members_partial,
        name="members-partial",
    ),
    path("portfolios/<int:pk>/members/add/", views.portfolio_member_add, name="member-add"),
    path(
        "portfolios/<int:pk>/members/<int:membership_pk>/remove/",
        views.portfolio_member_remove,
        name="member-remove",
    ),
    path(
        "portfolios/<int:pk>/partials/history/",
        views.portfolio_history_partial,
        name="history-partial",
    ),
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/new/", views.programme_create, name="programme-create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("programmes/<int:pk>/archive/", views.programme_archive, name="programme-archive"),
    path(
        "programmes/<int:pk>/partials/history/",
        views.programme_history_partial,
        name="programme-history-partial",
    ),
]

urlpatterns += [path("resources/", views.resources_home, name="resources")]
urlpatterns += supplier_views.urlpatterns

# The resource pool (issue 6); its capacity pages live in projects (they read allocations).
from portfolio import resource_views  # noqa: E402

urlpatterns += [
    path("resources/pool/", resource_views.resource_list, name="resource-list"),
    path("resources/pool/new/", resource_views.resource_create, name="resource-create"),
    path("resources/pool/<int:pk>/", resource_views.resource_detail, name="resource-detail"),
    path("resources/pool/<int:pk>/edit/", resource_views.resource_edit, name="resource-edit"),
    path("resources/pool/<int:pk>/archive/", resource_views.resource_archive, name="resource-archive"),
    path("resources/pool/<int:pk>/absences/add/", resource_views.absence_add, name="absence-add"),
    path(
        "resources/pool/<int:pk>/absences/<int:absence_pk>/remove/",
        resource_views.absence_remove,
        name="absence-remove",
    ),
]
urlpatterns += methodology_views.urlpatterns

from portfolio import strategy_views  # noqa: E402

urlpatterns += strategy_views.urlpatterns
