# ruff: noqa: F811  (the matrix's fixtures `site` and `db` are imported, then named as arguments)
"""Stored XSS and template injection (RELIABILITY row 13), server side.

The corpus (tests/security/corpus.py) goes into every free-text field of every model of
portfolio/, projects/, governance/ and reporting/, into the free text of their JSON and array fields
and into the users' names; then every GET entry of the access spec is rendered as pmo_a (PMO officer
of portfolio A: sees a1, a2 and everything of A), or as pm_a where only pm_a reads (pm_a's own
imports), with and without HX-Request: 0 unescaped payloads, 0 evaluated templates, the statuses
of the spec unchanged (a payload must not break a page either), and the payloads of every JSON
field shown by at least one page. The browser side is test_xss_browser.py.
"""

import pghistory.models
from django.apps import apps
from django.utils.html import escape

from tests.security import corpus
from tests.test_access_matrix import (  # the matrix's world, sessions and request helper
    CASES,
    db,  # noqa: F401  (fixture: a savepoint of the module's transaction per test)
    observed,
    send,
    site,  # noqa: F401  (fixture: the world, built once for this module)
)

READER = "pmo_a"
# What the reader is refused but the uploader reads: pm_a's own imports (schedule, workbook), whose
# JSON results quote the uploaded file; rendered as pm_a in a second pass.
UPLOADER = "pm_a"
# Models of the corpus of which the matrix world holds no row: the corpus cannot reach their text
# on any page. Not a reason to be fine: each gap is to be added to tests/access_refs/ (the plan's
# history, CostBaseline, MilestoneBaseline and DeliverableReview, is in tests/access_refs/baselines.py).
NOT_IN_WORLD: dict[str, str] = {}


def site_field(label: str):
    """The field named app_label.Model.field."""
    app_label, model, name = label.split(".")
    return apps.get_model(app_label, model)._meta.get_field(name)


def _crawled(case) -> list[str]:
    """Who renders the case: the reader, or the uploader when only the uploader may read it."""
    if case.expect[READER] == 200 or case.expect[UPLOADER] != 200:
        return [READER]
    return [UPLOADER]


def test_no_page_or_fragment_renders_a_stored_payload_unescaped(site, db):
    counts = corpus.inject()
    failures, rendered, escaped_seen = [], 0, 0
    json_seen = dict.fromkeys(counts["json_written"], 0)
    markers = {label: corpus.json_marker(site_field(label)) for label in json_seen}
    for case in [case for case in CASES if case.method == "GET"]:
        for principal in _crawled(case):
            for htmx in (False, True):
                response = send(site, principal, case, htmx=htmx)
                expected = case.expect[principal]
                if htmx:
                    expected = case.expect_htmx.get(principal, expected)
                if observed(response) != expected:
                    failures.append(
                        f"{case.id} htmx={htmx}: status {observed(response)}, spec says {expected}"
                    )
                if "html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
                    continue
                rendered += 1
                body = response.content.decode(errors="replace")
                escaped_seen += body.count(escape(corpus.SCRIPT))
                for label, marker in markers.items():
                    json_seen[label] += marker in body
                failures += [f"{case.id} htmx={htmx}: {finding}" for finding in corpus.findings(body)]
    written = {label: n for label, n in counts["json_written"].items() if n}
    unseen = sorted(label for label in written if not json_seen[label])
    print(
        f"\nRELIABILITY row 13 (server): corpus {corpus.PAYLOADS} written into {counts['values']} "
        f"values ({counts['fields']} text fields of {counts['models']} models, {counts['rows']} rows) "
        f"and {counts['json_values']} text leaves of {len(written)} JSON/array fields "
        f"({', '.join(f'{label} {n}' for label, n in sorted(written.items()))}); "
        f"{rendered} HTML pages and fragments rendered as {READER} (and as {UPLOADER} where only the "
        f"uploader reads) with/without HX-Request, {escaped_seen} escaped <script> payloads shown, "
        f"pages showing each JSON field: {dict(sorted(json_seen.items()))}; "
        f"{len(failures)} unescaped or evaluated"
    )
    assert escaped_seen > 100, "the payloads never reached the pages: the test proves nothing"
    assert written.keys() == corpus.JSON_TEXT.keys(), "JSON fields with no text in the world"
    assert not unseen, f"JSON free text written but shown by no page of the crawl: {unseen}"
    assert not failures, "\n".join(failures[:40])


def test_the_corpus_reaches_every_text_field_it_names(site, db):
    """Every injectable field of the corpus models holds a payload after inject(), and every model
    of the corpus has rows in the world (a model with none would be "reached" vacuously)."""
    corpus.inject()
    empty, missing = [], []
    for model in corpus.corpus_models(corpus.APPS):
        if not model._default_manager.exists():
            missing.append(f"{model._meta.app_label}.{model.__name__}")
        for field in corpus.injectable_fields(model):
            values = model._default_manager.values_list(field.attname, flat=True)
            empty += [f"{model.__name__}.{field.name}" for value in values if "#" not in (value or "")]
    assert not empty
    assert sorted(missing) == sorted(NOT_IN_WORLD), (
        f"models of the corpus with no row in the world: {missing}"
    )


def test_every_json_or_array_field_is_injected_or_skipped_with_a_reason():
    """A new JSON or array field must be classified: free text (JSON_TEXT) or not (SKIPPED_JSON)."""
    found = {
        corpus.label_of(model, field)
        for label in corpus.APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, pghistory.models.Event) and not model._meta.proxy
        for field in corpus.structured_fields(model)
    }
    classified = corpus.JSON_TEXT.keys() | corpus.SKIPPED_JSON.keys()
    assert not corpus.JSON_TEXT.keys() & corpus.SKIPPED_JSON.keys()
    assert sorted(found - classified) == [], "JSON/array fields neither injected nor skipped"
    assert sorted(classified - found) == [], "stale entries"


def test_json_payloads_go_into_the_text_leaves_only():
    """The control of the JSON injection: text leaves get a payload, numbers and other keys stay."""
    field = site_field("governance.GateReview.checklist")
    value = [{"criterion": "Q1", "answer": "yes", "comment": ""}, {"criterion": "Q2", "answer": 3}]

    injected, written = corpus.json_payloads(field, value, 7)

    assert written == 3
    assert injected == [
        {
            "criterion": f"{corpus.FULL}#GateReview.checklist:7.1",
            "answer": "yes",
            "comment": f"{corpus.FULL}#GateReview.checklist:7.3",
        },
        {"criterion": f"{corpus.FULL}#GateReview.checklist:7.2", "answer": 3},
    ]
    tags, written = corpus.json_payloads(site_field("governance.LessonLearned.tags"), ["a", "b"], 9)
    assert written == 2 and tags == [
        f"{corpus.SCRIPT}#LessonLearned.tags:9.1",
        f"{corpus.SCRIPT}#LessonLearned.tags:9.2",
    ]


def test_findings_catch_every_dangerous_form():
    """The control: the detector flags each payload when it is NOT escaped."""
    raw = (
        f"<p>{corpus.SCRIPT}</p><p>{corpus.IMG}</p><a href='{corpus.JS_URL}'>x</a>"
        "<p>«49»</p><pre>{'True': True, 'False': False}</pre>"
    )
    assert len(corpus.findings(raw)) == 5
    assert corpus.findings(f"<p>{escape(corpus.FULL)}</p><a href='/x'>{escape(corpus.JS_URL)}</a>") == []
