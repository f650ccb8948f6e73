from django.urls import path

from governance import control_urls
from governance.views import exceptions, gates, home, intake

app_name = "governance"

urlpatterns = [
    path("governance/", home.governance_home, name="home"),
    path(
        "governance/portfolios/<int:pk>/exceptions/",
        exceptions.portfolio_exceptions,
        name="portfolio-exceptions",
    ),
    path(
        "governance/projects/<int:pk>/partials/exceptions/",
        exceptions.project_exceptions_partial,
        name="project-exceptions-partial",
    ),
    path(
        "governance/projects/<int:pk>/exceptions/raise/", exceptions.exception_raise, name="exception-raise"
    ),
    path("governance/exceptions/<int:pk>/", exceptions.exception_detail, name="exception-detail"),
    path("governance/exceptions/<int:pk>/report/edit/", exceptions.report_edit, name="report-edit"),
    path("governance/exceptions/<int:pk>/report/preview/", exceptions.report_preview, name="report-preview"),
    path("governance/exceptions/<int:pk>/close/", exceptions.exception_close, name="exception-close"),
    *control_urls.urlpatterns,
    path("governance/gate-reviews/", gates.pending_gate_reviews, name="gate-review-list"),
    path("governance/gate-reviews/<int:pk>/", gates.gate_review_detail, name="gate-review-detail"),
    path("governance/gate-reviews/<int:pk>/decide/", gates.gate_decide, name="gate-decide"),
    path("governance/gate-reviews/<int:pk>/withdraw/", gates.gate_withdraw, name="gate-withdraw"),
    path(
        "governance/projects/<int:pk>/partials/gates/",
        gates.project_gates_partial,
        name="project-gates-partial",
    ),
    path("governance/projects/<int:pk>/gates/request/", gates.gate_request, name="gate-request"),
    # Project intake (demandes de projet)
    path("proposals/", intake.proposals_home, name="proposals"),
    path("proposals/portfolio/<int:pk>/", intake.proposal_list, name="proposal-list"),
    path("proposals/portfolio/<int:pk>/new/", intake.proposal_create, name="proposal-create"),
    path("proposals/<int:pk>/", intake.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/edit/", intake.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/submit/", intake.proposal_submit, name="proposal-submit"),
    path("proposals/<int:pk>/review/", intake.proposal_review, name="proposal-review"),
    path("proposals/<int:pk>/decide/", intake.proposal_decide, name="proposal-decide"),
    path("proposals/<int:pk>/reopen/", intake.proposal_reopen, name="proposal-reopen"),
    path("proposals/<int:pk>/comments/", intake.proposal_comment, name="proposal-comment"),
]

# Portfolio scenarios (issue 7 item 4).
from governance.views import scenarios  # noqa: E402

urlpatterns += [
    path("governance/portfolios/<int:pk>/scenarios/", scenarios.scenario_list, name="scenario-list"),
    path("governance/portfolios/<int:pk>/scenarios/new/", scenarios.scenario_create, name="scenario-create"),
    path(
        "governance/portfolios/<int:pk>/scenarios/compare/",
        scenarios.scenario_compare,
        name="scenario-compare",
    ),
    path("governance/scenarios/<int:pk>/", scenarios.scenario_detail, name="scenario-detail"),
    path("governance/scenarios/<int:pk>/edit/", scenarios.scenario_edit, name="scenario-edit"),
    path("governance/scenarios/<int:pk>/run/", scenarios.scenario_run, name="scenario-run"),
    path("governance/scenarios/<int:pk>/progress/", scenarios.scenario_progress, name="scenario-progress"),
    path("governance/scenarios/<int:pk>/commit/", scenarios.scenario_commit, name="scenario-commit"),
]
