"""The main navigation, with the current section highlighted."""

from django.utils.translation import gettext_lazy as _

# (url name, label, path prefix that marks the section as current)
NAVIGATION = [
    ("reporting:dashboard", _("Dashboard"), "/dashboard/"),
    ("portfolio:portfolio-list", _("Portfolios"), "/portfolios/"),
    ("portfolio:programme-list", _("Programmes"), "/programmes/"),
    ("projects:project-list", _("Projects"), "/projects/"),
    ("governance:proposals", _("Project proposals"), "/proposals/"),
    ("governance:home", _("Governance"), "/governance/"),
    ("reporting:home", _("Reports"), "/reports/"),
    ("portfolio:resources", _("Resources"), "/resources/"),
]


def navigation(request) -> dict:
    path = getattr(request, "path", "")
    return {
        "navigation": [
            {"url_name": name, "label": label, "current": path.startswith(prefix)}
            for name, label, prefix in NAVIGATION
        ]
    }
