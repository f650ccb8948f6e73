"""Management of steering committees: the portfolio's PMO officers create and edit a committee
(portfolio or programme scope, chair and members among the portfolio's members), the committee's
managers edit a meeting's date, place and attendees; bad input answers 422 and writes nothing;
the pages run a constant number of queries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance import committees
from governance.models import Meeting, SteeringCommittee
from pmo.core.roles import Role
from portfolio.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _committee(world, **extra):
    committee = SteeringCommittee.objects.create(
        portfolio=world.portfolio_a, name="COPIL A", chair=world.users["executive"], **extra
    )
    committee.members.set([world.users["sponsor"], world.users["pm_a"]])
    return committee


def test_pmo_creates_a_programme_committee(world):
    users = world.users
    committee = committees.committee_create(
        actor=users["pmo_a"],
        portfolio=world.portfolio_a,
        programme=world.programme_a,
        name="  COPIL Programme  ",
        chair=users["executive"],
        members=[users["sponsor"], users["pm_a"]],
        default_place="Salle 3",
    )
    committee.refresh_from_db()
    assert committee.name == "COPIL Programme"
    assert committee.programme == world.programme_a
    assert set(committee.members.values_list("username", flat=True)) == {"sponsor", "pm_a"}
    assert committee.pgh_event_model.objects.filter(pgh_obj=committee).count() == 1


@pytest.mark.parametrize("name", ["pm_a", "executive", "sponsor", "pmo_b", "team"])
def test_only_the_portfolios_pmo_creates(world, name):
    with pytest.raises(PermissionDenied):
        committees.committee_create(actor=world.users[name], portfolio=world.portfolio_a, name="X")
    assert not SteeringCommittee.objects.exists()


def test_people_and_programme_of_another_portfolio_are_refused_all_at_once(world):
    users = world.users
    with pytest.raises(ValidationError) as caught:
        committees.committee_create(
            actor=users["pmo_a"],
            portfolio=world.portfolio_a,
            programme=world.programme_b,
            name="",
            chair=users["pm_b"],
            members=[users["pm_a"], users["pmo_b"]],
        )
    errors = caught.value.message_dict
    assert set(errors) == {"name", "programme", "chair", "members"}
    assert "pmo_b" in errors["members"][0] or str(users["pmo_b"]) in errors["members"][0]
    assert str(users["pm_a"]) not in errors["members"][0]
    assert not SteeringCommittee.objects.exists()


def test_update_keeps_everything_when_one_member_is_wrong(world):
    committee = _committee(world)
    outsider = UserFactory(username="outsider")
    with pytest.raises(ValidationError):
        committees.committee_update(
            actor=world.users["pmo_a"],
            committee=committee,
            data={"name": "Renommé", "members": [world.users["pm_a"], outsider]},
        )
    committee.refresh_from_db()
    assert committee.name == "COPIL A"
    assert set(committee.members.values_list("username", flat=True)) == {"sponsor", "pm_a"}
    # the chair runs meetings but does not redraw the committee
    with pytest.raises(PermissionDenied):
        committees.committee_update(actor=world.users["executive"], committee=committee, data={"name": "Y"})


def test_create_page_posts_and_redirects(world, client_for):
    users = world.users
    client = client_for("pmo_a")
    page = client.get(reverse("governance:committee-create"))
    assert page.status_code == 200
    response = client.post(
        reverse("governance:committee-create"),
        {
            "portfolio": world.portfolio_a.pk,
            "programme": world.programme_a.pk,
            "name": "COPIL Transformation",
            "chair": users["executive"].pk,
            "members": [users["sponsor"].pk, users["pm_a"].pk],
            "default_place": "Salle 3",
        },
    )
    committee = SteeringCommittee.objects.get()
    assert response.status_code == 302 and response.url == committee.get_absolute_url()
    assert committee.chair == users["executive"]


def test_create_page_422_names_the_field_and_writes_nothing(world, client_for):
    users = world.users
    # pm_b belongs to portfolio B only: not offered to pmo_a, and the name is missing
    response = client_for("pmo_a").post(
        reverse("governance:committee-create"),
        {"portfolio": world.portfolio_a.pk, "name": "", "chair": users["pm_b"].pk},
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"name", "chair"}
    assert not SteeringCommittee.objects.exists()


def test_create_page_refuses_a_member_of_the_other_administered_portfolio(world, client_for):
    """A PMO officer of both portfolios is offered everyone; the service still checks the portfolio."""
    users = world.users
    Membership.objects.create(portfolio=world.portfolio_b, user=users["pmo_a"], role=Role.PMO)
    response = client_for("pmo_a").post(
        reverse("governance:committee-create"),
        {"portfolio": world.portfolio_a.pk, "name": "COPIL", "members": [users["pm_b"].pk]},
    )
    assert response.status_code == 422
    assert "members" in response.context["form"].errors
    assert not SteeringCommittee.objects.exists()


def test_edit_page_422_then_saves(world, client_for):
    committee = _committee(world)
    client = client_for("pmo_a")
    url = reverse("governance:committee-edit", args=[committee.pk])
    bad = client.post(url, {"name": "", "chair": world.users["executive"].pk})
    assert bad.status_code == 422 and "name" in bad.context["form"].errors
    committee.refresh_from_db()
    assert committee.name == "COPIL A"
    ok = client.post(url, {"name": "COPIL A bis", "chair": world.users["executive"].pk, "members": []})
    assert ok.status_code == 302
    committee.refresh_from_db()
    assert committee.name == "COPIL A bis" and not committee.members.exists()


def test_meeting_edit_page(world, client_for):
    committee = _committee(world)
    meeting = Meeting.objects.create(committee=committee, starts_at=timezone.now(), place="Salle 1")
    url = reverse("governance:meeting-edit", args=[meeting.pk])
    client = client_for("executive")  # the chair manages the meetings
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"starts_at": "pas une date", "duration_minutes": "90", "version": meeting.version}
    )
    assert bad.status_code == 422 and "starts_at" in bad.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.place == "Salle 1"
    stale = client.post(
        url, {"starts_at": "2027-02-04T09:30", "duration_minutes": "90", "version": meeting.version + 5}
    )
    assert stale.status_code == 422
    ok = client.post(
        url,
        {
            "starts_at": "2027-02-04T09:30",
            "duration_minutes": "90",
            "place": "Salle 5",
            "attendees": [world.users["pm_a"].pk],
            "version": meeting.version,
        },
    )
    assert ok.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Salle 5" and meeting.duration_minutes == 90
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == "2027-02-04 09:30"
    assert list(meeting.attendees.values_list("username", flat=True)) == ["pm_a"]
    assert client_for("pm_a").get(url).status_code == 403


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_pages_run_constant_queries(world, client_for):
    committee = _committee(world)
    meeting = Meeting.objects.create(committee=committee, starts_at=timezone.now())
    client = client_for("pmo_a")
    urls = [
        reverse("governance:committee-create"),
        reverse("governance:committee-edit", args=[committee.pk]),
        reverse("governance:meeting-edit", args=[meeting.pk]),
    ]
    before = [_count(client, url) for url in urls]
    for index in range(6):
        user = UserFactory(username=f"member{index}")
        Membership.objects.create(portfolio=world.portfolio_a, user=user, role=Role.TEAM_MEMBER)
        committee.members.add(user)
        meeting.attendees.add(user)
    assert [_count(client, url) for url in urls] == before


def test_a_stale_committee_edit_is_refused_and_writes_nothing(world, client_for):
    """Optimistic locking: the edit form carries the version it read; a concurrent change wins."""
    from pmo.core.locking import StaleVersionError

    committee = _committee(world)
    read = committee.version
    committees.committee_update(actor=world.users["pmo_a"], committee=committee, data={"name": "Renommé"})
    assert committee.version == read + 1
    with pytest.raises(StaleVersionError):
        committees.committee_update(
            actor=world.users["pmo_a"], committee=committee, data={"name": "Autre"}, version=read
        )
    client = client_for("pmo_a")
    url = reverse("governance:committee-edit", args=[committee.pk])
    assert f'name="version" value="{read + 1}"' in client.get(url).content.decode()
    response = client.post(
        url,
        {"name": "Écrasé", "chair": world.users["sponsor"].pk, "version": read},
    )
    assert response.status_code == 422
    committee.refresh_from_db()
    assert (committee.name, committee.version) == ("Renommé", read + 1)
