"""The capacity summary in reporting: the dashboard loads the fragment, the COPIL pack prints it."""

import pytest
from django.urls import reverse

from projects.capacity_selectors import next_quarter
from reporting.generators import steering
from tests.reporting.test_steering import as_of_for, steering_run
from tests.resources.conftest import book

pytestmark = pytest.mark.django_db


def test_the_dashboard_loads_the_capacity_fragment(world, pool, client_for):
    html = (
        client_for("pmo_a")
        .get(reverse("reporting:dashboard"), {"portfolio": world.portfolio_a.pk})
        .content.decode()
    )
    assert reverse("projects:capacity-summary-partial") in html


def test_the_copil_pack_prints_the_overloaded_roles_of_next_quarter(world, pool):
    run = steering_run(world)
    start, _end = next_quarter(as_of_for())
    book(world.a1, pool.bob, percent=100, weeks=(0, 4), start=start)
    book(world.a1, role=pool.archi, percent=100, weeks=(0, 4), start=start)
    pack = steering.build_pack(run, as_of=as_of_for())
    html = steering.render_html(pack)
    assert 'id="capacity"' in html
    section = html[html.index('id="capacity"') :]
    assert "Architecte" in section[:3000] and "Développeur" not in section[:3000]
