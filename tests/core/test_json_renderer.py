"""The API's JSON renderer (orjson) writes the same bytes as DRF's own for what the API answers."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from pmo.core.renderers import JSONRenderer

SAMPLES = [
    None,
    {},
    [],
    {"count": 2, "next": None, "previous": None, "results": [{"id": 1}, {"id": 2}]},
    {"name": "Réseau d'été — phase 2 « bis »", "emoji": "🚀", "sep": "a\u2028b\u2029c", "tab": "a\tb\n"},
    {"budget": Decimal("1234567.80"), "pct": Decimal("0.125")},
    {"when": datetime.datetime(2026, 11, 22, 18, 30, 5, 123456, tzinfo=datetime.UTC)},
    {"naive": datetime.datetime(2026, 11, 22, 18, 30), "day": datetime.date(2026, 11, 23)},
    {"time": datetime.time(9, 30, 15, 250000), "span": datetime.timedelta(days=2, seconds=5)},
    {"label": gettext_lazy("Project"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"flags": [True, False, None], "n": -42, "big": 2**53, "f": 1.5, "nested": {"a": [{"b": [1, "x"]}]}},
    {"<script>": "</script><!--", "quote": '"\\'},
    ReturnDict({"a": 1, "b": ReturnList([1, 2], serializer=None)}, serializer=None),
    {"huge": 2**70},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_the_same_bytes_as_drf(data):
    assert JSONRenderer().render(data) == DRFRenderer().render(data)


def test_an_indented_answer_is_drf_s():
    data = {"a": [1, 2]}
    media = "application/json; indent=2"
    assert JSONRenderer().render(data, media) == DRFRenderer().render(data, media)


def test_the_api_answers_with_it(client_for, world):
    response = client_for("pm_a").get("/api/v1/projects/", {"page_size": 100})
    assert response.status_code == 200
    assert type(response.accepted_renderer) is JSONRenderer
    assert response.content == DRFRenderer().render(response.data)
