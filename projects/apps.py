from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        # The communication plan's occurrences join the personal iCal feed (projects.ical's registry).
        from projects import team_selectors  # noqa: F401
