"""The stored-XSS and template-injection corpus (RELIABILITY row 13), reusable by every surface.

`inject()` writes the payloads into every user-editable text field of every model of the given
apps (by default portfolio, projects, governance and reporting), into the free text kept inside
their JSON and array fields (JSON_TEXT) and into the users' names,
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
from django.contrib.postgres.fields import ArrayField
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


# Free text kept inside JSON and array fields (app_label.Model.field: the paths of its text leaves).
# A path is a tuple of steps: a key, or "*" for every item of a list or every value of a dict; the
# leaf it reaches is replaced when it is a string (numbers, dates-as-ids and choices are left alone,
# and so are the keys the code reads: a payload there would only break the page, not test it).
JSON_TEXT = {
    # what each level of a scoring criterion's scale means, typed by the PMO: {"1": text, ...}
    "portfolio.ScoringCriterion.level_descriptions": (("*",),),
    # a gate's checklist questions, one per line of the methodology form
    "portfolio.GateDefinition.criteria": (("*",),),
    # the answers to a gate's checklist: the question copied from the gate, the manager's comment
    "governance.GateReview.checklist": (("*", "criterion"), ("*", "comment")),
    # a lesson's tags, typed comma-separated
    "governance.LessonLearned.tags": (("*",),),
    # the exception report's options, drafted then edited by the manager
    "governance.ExceptionReport.options": (("*", "title"), ("*", "description"), ("*", "risk")),
    # names copied from the records when the report was drafted (shown by the draft's document)
    "governance.ExceptionReport.facts": (
        ("project", "name"),
        ("project", "manager"),
        ("project", "sponsor"),
        ("project", "portfolio"),
        ("project", "programme"),
        ("milestones", "*", "name"),
        ("risks", "*", "title"),
    ),
    # an uploaded workbook's cells (before -> after), the sheet titles, the errors and warnings that
    # quote them, shown by the import job page
    "projects.TabularImport.result": (
        ("sheets", "*", "title"),
        ("sheets", "*", "changes", "*", "cells", "*", "before"),
        ("sheets", "*", "changes", "*", "cells", "*", "after"),
        ("errors", "*", "sheet"),
        ("errors", "*", "message"),
        ("warnings", "*"),
    ),
}
# JSON and array fields that hold no free text shown on a page (app_label.Model.field: why):
SKIPPED_JSON = {
    "projects.StatusReport.indicated": "QCDR colours the application computed at submission",
    "projects.ScheduleImport.new_project": (
        "portfolio id, code (a slug) and cost category, validated again when applied; the name is "
        "shown nowhere before it becomes the project's name (a text field of the corpus)"
    ),
    "projects.ScheduleImport.result": (
        "a summary of the uploaded schedule, served by the JSON API only: the preview page reads the "
        "file again (its text is not a field of the corpus)"
    ),
    "governance.ChangeRequest.proposed_milestones": "milestone ids and dates, validated by the form",
    "governance.ChangeRequest.proposed_costs": "months, a cost category (a choice) and amounts",
    "governance.Decision.details": "ids, numbers, dates and tolerances the application wrote",
    "governance.Scenario.result": "the optimiser's output: project and role ids and numbers",
    "governance.Scenario.frontier": "the optimiser's output: budgets and scores",
    "governance.ProjectProposal.objectives": "objective ids and contributions 1-3, validated",
    "governance.ProjectProposal.yearly_costs": "years and amounts, validated",
    "governance.ProjectProposal.efforts": "role ids and days, validated",
    "reporting.ReportRun.options": (
        "a steering pack's agenda, shown only in the pack's PDF: test_xss_documents.py writes the "
        "payloads into it itself"
    ),
    # copies of the project's records frozen by the generator, shown only through the frozen HTML
    # (`html`, skipped above) and the PDF; test_xss_documents.py regenerates both from injected records
    "reporting.HighlightReport.content": "a copy of the records, shown through the frozen HTML",
    "reporting.HighlightReport.diff": "a copy of the records, shown through the frozen HTML",
}


def label_of(model, field) -> str:
    return f"{model._meta.app_label}.{model.__name__}.{field.name}"


def structured_fields(model) -> list[models.Field]:
    """The model's JSON and array fields."""
    return [f for f in model._meta.concrete_fields if isinstance(f, models.JSONField | ArrayField)]


def json_text_fields(model) -> list[models.Field]:
    """The model's JSON and array fields that hold free text (JSON_TEXT)."""
    return [f for f in structured_fields(model) if label_of(model, f) in JSON_TEXT]


def json_marker(field) -> str:
    """What every payload written into this JSON field carries (to find it again in a page)."""
    return f"#{field.model.__name__}.{field.name}:"


def with_payloads(value, path: tuple, make):
    """`value` with every string leaf `path` reaches replaced by `make()`."""
    if not path:
        return make() if isinstance(value, str) else value
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(value, list):
            return [with_payloads(item, rest, make) for item in value]
        if isinstance(value, dict):
            return {key: with_payloads(item, rest, make) for key, item in value.items()}
        return value
    if isinstance(value, dict) and step in value:
        return {**value, step: with_payloads(value[step], rest, make)}
    return value


def json_payloads(field, value, pk) -> tuple[object, int]:
    """`value` with the payloads in its text leaves (each ending with the field's marker, the row and
    a serial number), and how many leaves were written."""
    written = 0
    # an array's items have their own length (a lesson's tags: 50 characters); JSON has none
    item = getattr(field, "base_field", None) or models.TextField()

    def make() -> str:
        nonlocal written
        written += 1
        return payload_for(item, f"{json_marker(field)}{pk}.{written}")

    for path in JSON_TEXT[label_of(field.model, field)]:
        value = with_payloads(value, path, make)
    return value, written


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
            if injectable_fields(model) or json_text_fields(model):
                found.append(model)
    return found


APPS = ("portfolio", "projects", "governance", "reporting")


def inject(*, app_labels=APPS, users: bool = True) -> dict:
    """Write the payloads into every free-text field of every row of these apps' models, into the
    text leaves of their JSON and array fields (JSON_TEXT), and into the users' first and last
    names; returns {"models", "fields", "rows", "values", "json_fields", "json_values"} written, and
    "json_written": {label: leaves} per JSON field."""
    targets = corpus_models(app_labels) + ([get_user_model()] if users else [])
    counts = {"models": 0, "fields": 0, "rows": 0, "values": 0, "json_fields": 0, "json_values": 0}
    json_written: dict[str, int] = {}
    for model in targets:
        fields = injectable_fields(model)
        structured = json_text_fields(model)
        if model is get_user_model():
            fields = [model._meta.get_field("first_name"), model._meta.get_field("last_name")]
            structured = []
        counts["models"] += 1
        counts["fields"] += len(fields)
        counts["json_fields"] += len(structured)
        json_written.update({label_of(model, field): 0 for field in structured})
        rows = model._default_manager.values("pk", *(field.attname for field in structured))
        for row in rows:
            pk = row["pk"]
            values = {field.attname: payload_for(field, f"#{pk}") for field in fields}
            for field in structured:
                values[field.attname], written = json_payloads(field, row[field.attname], pk)
                json_written[label_of(model, field)] += written
                counts["json_values"] += written
            model._default_manager.filter(pk=pk).update(**values)
            counts["rows"] += 1
            counts["values"] += len(fields)
    return {**counts, "json_written": json_written}


def findings(html: str) -> list[str]:
    """Every payload that came out unescaped or evaluated (empty: the output is safe)."""
    return [
        f"{meaning}: …{html[max(0, m.start() - 60) : m.end() + 20]}…"
        for pattern, meaning in DANGERS
        for m in pattern.finditer(html)
    ]
