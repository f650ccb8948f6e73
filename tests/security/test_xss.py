# ruff: noqa: F811  (the matrix's fixtures `site` and `db` are imported, then named as arguments)
"""Stored XSS and template injection (RELIABILITY row 13), server side.

The corpus (tests/security/corpus.py) goes into every free-text field of every model of
portfolio/, projects/, governance/ and reporting/ and into the users' names; then every GET entry of
the access spec is rendered as pmo_a (PMO officer of portfolio A: sees a1, a2 and everything of A),
with and without HX-Request: 0 unescaped payloads, 0 evaluated templates, and the statuses of the
spec unchanged (a payload must not break a page either). The browser side is test_xss_browser.py.
"""

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


def test_no_page_or_fragment_renders_a_stored_payload_unescaped(site, db):
    counts = corpus.inject()
    failures, rendered, escaped_seen = [], 0, 0
    for case in [case for case in CASES if case.method == "GET"]:
        for htmx in (False, True):
            response = send(site, READER, case, htmx=htmx)
            expected = case.expect_htmx.get(READER, case.expect[READER]) if htmx else case.expect[READER]
            if observed(response) != expected:
                failures.append(f"{case.id} htmx={htmx}: status {observed(response)}, spec says {expected}")
            if "html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
                continue
            rendered += 1
            body = response.content.decode(errors="replace")
            escaped_seen += body.count(escape(corpus.SCRIPT))
            failures += [f"{case.id} htmx={htmx}: {finding}" for finding in corpus.findings(body)]
    print(
        f"\nRELIABILITY row 13 (server): corpus {corpus.PAYLOADS} written into {counts['values']} "
        f"values ({counts['fields']} text fields of {counts['models']} models, {counts['rows']} rows); "
        f"{rendered} HTML pages and fragments rendered as {READER} (with/without HX-Request), "
        f"{escaped_seen} escaped <script> payloads shown, {len(failures)} unescaped or evaluated"
    )
    assert escaped_seen > 100, "the payloads never reached the pages: the test proves nothing"
    assert not failures, "\n".join(failures[:40])


def test_the_corpus_reaches_every_text_field_it_names(site, db):
    """Every injectable field of the corpus models holds a payload after inject()."""
    corpus.inject()
    empty = []
    for model in corpus.corpus_models(corpus.APPS):
        for field in corpus.injectable_fields(model):
            values = model._default_manager.values_list(field.attname, flat=True)
            empty += [f"{model.__name__}.{field.name}" for value in values if "#" not in (value or "")]
    assert not empty


def test_findings_catch_every_dangerous_form():
    """The control: the detector flags each payload when it is NOT escaped."""
    raw = (
        f"<p>{corpus.SCRIPT}</p><p>{corpus.IMG}</p><a href='{corpus.JS_URL}'>x</a>"
        "<p>«49»</p><pre>{'True': True, 'False': False}</pre>"
    )
    assert len(corpus.findings(raw)) == 5
    assert corpus.findings(f"<p>{escape(corpus.FULL)}</p><a href='/x'>{escape(corpus.JS_URL)}</a>") == []
