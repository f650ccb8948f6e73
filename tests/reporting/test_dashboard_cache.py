"""A built dashboard is kept until the database's committed state changes (reporting.dashboard.cache):
a second look, a sort or a page of the matrix does not rebuild it, and no write, however it is made,
is ever hidden by a kept build. Committed transactions, as in production: no test transaction."""

from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.core.roles import Role
from projects.models import Project
from reporting.dashboard import cache
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("reporting:dashboard")
CONSOLIDATED = {"portfolio": "all"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def steady_database(monkeypatch):
    """The committed state held still. Other databases of the cluster (the other test workers) commit
    all the time and transaction ids are cluster-wide, so the real snapshot moves between two
    requests: that only costs rebuilds, never a stale page, but a test of the kept path needs
    quiet. The invalidation tests below use the real snapshot."""
    monkeypatch.setattr(cache, "committed_state", lambda: "steady")


@pytest.fixture
def reader(client_for, world):
    MembershipFactory(portfolio=world.portfolio_b, user=world.users["pmo_a"], role=Role.PMO)
    client = client_for("pmo_a")
    client.get(URL)  # the session settles (second factor checked, session saved)
    return client


def get(client, query=None, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, query or CONSOLIDATED, **headers)
    assert response.status_code == 200
    return response, len(captured)


def other_connection():
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        autocommit=True,
    )


def test_a_second_look_sorting_and_paging_reuse_the_build(reader, steady_database):
    first, built = get(reader)
    again, kept = get(reader)
    assert kept <= built - 5, (built, kept)  # the build's reads are not run again
    assert again.context["kpis"] == first.context["kpis"]
    assert again.context["figures"] == first.context["figures"]
    assert list(again.context["page_obj"].object_list) == list(first.context["page_obj"].object_list)
    matrix, sorted_kept = get(
        reader,
        {**CONSOLIDATED, "ordering": "-code"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard-matrix",
    )
    assert sorted_kept <= kept, (kept, sorted_kept)  # no build: fewer reads than the kept page
    assert [r.code for r in matrix.context["page_obj"].object_list] == ["b1", "a2", "a1"]


def test_a_committed_write_is_seen_at_once(reader, world):
    before, _ = get(reader)
    Project.objects.filter(pk=world.a1.pk).update(budget=world.a1.budget + Decimal("1000"))
    after, _ = get(reader)
    assert after.context["kpis"].bac == before.context["kpis"].bac + Decimal("1000")


def test_a_write_from_another_connection_is_seen(reader, world):
    before, _ = get(reader)
    with other_connection() as other:
        other.execute("UPDATE projects_project SET budget = budget + 7 WHERE id = %s", [world.b1.pk])
    after, _ = get(reader)
    assert after.context["kpis"].bac == before.context["kpis"].bac + 7


def test_a_long_transaction_does_not_hide_later_writes(reader, world):
    """The oldest running transaction holds the snapshot's xmin back: the key must still change when
    another write commits meanwhile, and again when the long one commits."""
    with other_connection() as long_running, other_connection() as other:
        long_running.autocommit = False
        long_running.execute("UPDATE projects_project SET budget = budget + 1 WHERE id = %s", [world.a2.pk])
        before, _ = get(reader)
        other.execute("UPDATE projects_project SET budget = budget + 100 WHERE id = %s", [world.a1.pk])
        middle, _ = get(reader)
        assert middle.context["kpis"].bac == before.context["kpis"].bac + 100
        long_running.commit()
        after, _ = get(reader)
        assert after.context["kpis"].bac == before.context["kpis"].bac + 101


def test_a_hard_refresh_rebuilds(reader, steady_database):
    _, built = get(reader)
    _, kept = get(reader)
    _, rebuilt = get(reader, HTTP_CACHE_CONTROL="no-cache")
    assert rebuilt == built > kept


def test_each_reader_and_scope_has_its_own_build(reader, client_for, world):
    get(reader)
    pm_b, _ = get(client_for("pm_b"))
    assert sorted(r.code for r in pm_b.context["page_obj"].object_list) == ["b1"]
    one, _ = get(reader, {"portfolio": world.portfolio_a.pk})
    assert sorted(r.code for r in one.context["page_obj"].object_list) == ["a1", "a2"]
    english, _ = get(reader, HTTP_ACCEPT_LANGUAGE="en")
    assert english.context["kpis"].project_count == 3


def test_nothing_is_kept_while_the_transaction_has_written(world):
    with transaction.atomic():
        Project.objects.filter(pk=world.a1.pk).update(budget=1)
        assert cache.committed_state() is None
        calls = []
        cache.kept("k", lambda: calls.append(1))
        cache.kept("k", lambda: calls.append(1))
        assert calls == [1, 1]
    assert cache.committed_state() is not None


def test_the_cache_is_bounded(world, settings):
    settings.DASHBOARD_CACHE_SIZE = 2
    for key in range(5):
        cache.kept(key, lambda: object())
    assert len(cache._entries) == 2
    settings.DASHBOARD_CACHE_SIZE = 0
    calls = []
    cache.kept("off", lambda: calls.append(1))
    cache.kept("off", lambda: calls.append(1))
    assert calls == [1, 1]
