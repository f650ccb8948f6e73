"""The stored-XSS and template-injection corpus (RELIABILITY row 13), reusable by every surface.

`inject()` writes the payloads into every user-editable text field of every model of the given
apps (by default portfolio, projects, governance and reporting) and the users' names,
`findings(html)` lists what came out unescaped or evaluated. Pages and fragments use it in
tests/security/test_xss.py and the browser in test_xss_browser.py; PDFs and e-mails call the same
two functions on their own output (test_xss_documents.py):

    from tests.security import corpus
    corpus.inject()
    assert corpus.findings(pdf_html_or_email_html) == []
"""

import re

import pghistory.models
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
TEMPLATE = "«{{7*7}}»"
DEBUG = "«{% debug %}»"
SQL = "'; --"
PAYLOADS = (SCRIPT, IMG, JS_URL, TEMPLATE, DEBUG, SQL)
# Everything at once, for fields long enough; shorter fields get the longest single payload that fits.
FULL = "".join(PAYLOADS)

# Unescaped or evaluated forms, as they would appear in HTML (each with what it would mean).
DANGERS = (
    (re.compile(re.escape(SCRIPT)), "unescaped <script>"),
    (re.compile(r"<img src=x onerror", re.IGNORECASE), "unescaped <img onerror>"),
    (
        re.compile(r"""(?:href|src|action|formaction|xlink:href|data)\s*=\s*["']?\s*javascript:""", re.I),
        "javascript: URL in an attribute",
    ),
    (re.compile(r"«49»"), "template expression evaluated ({{7*7}} → 49)"),
    (re.compile(r"(?:'|&#x27;|&#39;)True(?:'|&#x27;|&#39;): True"), "{% debug %} evaluated (context dump)"),
)

# Text fields that take no free text from users, so the corpus leaves them alone (with why):
#   SlugField: codes are validated as slugs by every form and serializer, and name URLs;
#   hashes and tokens: computed by the application, never typed;
#   fields under 8 characters: enum-like codes (CAPEX/OPEX, import source).
SKIPPED_NAMES = {"sha256", "file_sha256", "token_hash", "password", "username"}
# Named fields of one model that take no free text either (app_label.Model.field: why):
SKIPPED_FIELDS = {
    # HTML the application rendered itself (an escaped template) and froze when the report was sent
    # or generated, shown as is: a payload written here would be our own output, not a user's. The
    # documents test (test_xss_documents.py) freezes them again from the injected data instead.
    "governance.ExceptionReport.html_snapshot",
    "reporting.HighlightReport.html",
    # Keys the application computes to find a row again (a report run's idempotency key, an agenda
    # item's source "exception-12"), never typed nor shown.
    "reporting.ReportRun.key",
    "governance.AgendaItem.source_key",
    # E-mail addresses, one per line, each validated as an address by the form (as EmailField).
    "reporting.DistributionList.extra_emails",
}


def injectable_fields(model) -> list[models.Field]:
    """The model's free-text fields: CharField/TextField without choices, outside the skips."""
    fields = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if isinstance(field, models.SlugField | models.EmailField) or field.name in SKIPPED_NAMES:
            continue
        if f"{model._meta.app_label}.{model.__name__}.{field.name}" in SKIPPED_FIELDS:
            continue
        if field.max_length is not None and field.max_length < 8:
            continue
        fields.append(field)
    return fields


def payload_for(field, suffix: str) -> str:
    """FULL, or the longest payload that fits, followed by `suffix` (keeps unique fields unique)."""
    room = (field.max_length or 10_000) - len(suffix)
    if len(FULL) <= room:
        return FULL + suffix
    fitting = [payload for payload in PAYLOADS if len(payload) <= room]
    return max(fitting, key=len) + suffix if fitting else suffix


def corpus_models(app_labels) -> list:
    found = []
    for label in app_labels:
        for model in apps.get_app_config(label).get_models():
            if issubclass(model, pghistory.models.Event) or model._meta.proxy:
                continue
            if injectable_fields(model):
                found.append(model)
    return found


APPS = ("portfolio", "projects", "governance", "reporting")


def inject(*, app_labels=APPS, users: bool = True) -> dict[str, int]:
    """Write the payloads into every free-text field of every row of these apps' models (and the
    users' first and last names); returns {"models", "fields", "rows", "values"} written."""
    targets = corpus_models(app_labels) + ([get_user_model()] if users else [])
    counts = {"models": 0, "fields": 0, "rows": 0, "values": 0}
    for model in targets:
        fields = injectable_fields(model)
        if model is get_user_model():
            fields = [model._meta.get_field("first_name"), model._meta.get_field("last_name")]
        counts["models"] += 1
        counts["fields"] += len(fields)
        for pk in model._default_manager.values_list("pk", flat=True):
            values = {field.attname: payload_for(field, f"#{pk}") for field in fields}
            model._default_manager.filter(pk=pk).update(**values)
            counts["rows"] += 1
            counts["values"] += len(values)
    return counts


def findings(html: str) -> list[str]:
    """Every payload that came out unescaped or evaluated (empty: the output is safe)."""
    return [
        f"{meaning}: …{html[max(0, m.start() - 60) : m.end() + 20]}…"
        for pattern, meaning in DANGERS
        for m in pattern.finditer(html)
    ]
