from django.urls import path

from portfolio import views

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

from portfolio import strategy_views  # noqa: E402

urlpatterns += strategy_views.urlpatterns
