"""Routes of the governance control API, registered on the site's router by pmo.api_urls."""

from governance.api.control import (
    ActionViewSet,
    ChangeRequestViewSet,
    CommitteeViewSet,
    DecisionViewSet,
    LessonViewSet,
    MeetingViewSet,
)
from governance.api.intake import ProposalViewSet


def register_control(router) -> None:
    router.register("change-requests", ChangeRequestViewSet, basename="change-request")
    router.register("committees", CommitteeViewSet, basename="committee")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("actions", ActionViewSet, basename="action")
    router.register("lessons", LessonViewSet, basename="lesson")
    router.register("proposals", ProposalViewSet, basename="proposal")
