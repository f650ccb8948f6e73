"""The portfolio dashboard's data: KPIs, the QCDR matrix and the inputs of its charts.

`build_dashboard(projects=..., as_of=...)` reads a permission-scoped project queryset (the caller
scopes and filters it; nothing here knows the user) in a constant number of queries whatever the
number of projects, and returns frozen data (types.py) that reporting/charts.py turns into figures.
The page and the COPIL pack share it, so every number has one implementation.

The indicated QCDR is the one stored on each project's latest submitted status report (computed from
the data when it was submitted): the dashboard never recomputes it per project. A project whose
update is stale never counts as green: its green becomes unknown in the counts and the charts.
"""

from reporting.dashboard.build import (
    build_dashboard,
    delivery_projects,
    index_rag,
    open_projects,
    pending_decision_sources,
    pending_decisions,
    proposed_projects,
    sort_key,
)
from reporting.dashboard.reads import any_of, last_weeks_of_months
from reporting.dashboard.types import (
    AXES_AND_OVERALL,
    DELIVERY_STATES,
    EV_HISTORY_MONTHS,
    MTA_TOP,
    OPEN_STATES,
    RAGS,
    SEVERITY,
    SHOWN_ORDER,
    WORST_FIRST,
    Compliance,
    DashboardData,
    Freshness,
    Kpis,
    PendingDecisions,
    PendingItem,
    ProjectRow,
    ProposedProjects,
    SCurve,
    SlippingMilestone,
)

__all__ = [
    "AXES_AND_OVERALL",
    "DELIVERY_STATES",
    "EV_HISTORY_MONTHS",
    "MTA_TOP",
    "OPEN_STATES",
    "RAGS",
    "SEVERITY",
    "SHOWN_ORDER",
    "WORST_FIRST",
    "Compliance",
    "DashboardData",
    "Freshness",
    "Kpis",
    "PendingDecisions",
    "PendingItem",
    "ProjectRow",
    "ProposedProjects",
    "SCurve",
    "SlippingMilestone",
    "any_of",
    "build_dashboard",
    "delivery_projects",
    "index_rag",
    "last_weeks_of_months",
    "open_projects",
    "pending_decision_sources",
    "pending_decisions",
    "proposed_projects",
    "sort_key",
]
