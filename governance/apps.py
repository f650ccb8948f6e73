from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("Governance")

    def ready(self):
        from governance.feeds import governance_feed_events
        from projects.ical import register_feed_source

        register_feed_source(governance_feed_events)  # meetings, gate reviews, actions in the iCal feeds
