"""The error answers of every API operation, written into the OpenAPI schema (drf-spectacular
postprocessing hook, SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).

drf-spectacular documents the success answer of an operation. A client (and schemathesis, RELIABILITY
row 27) also needs the errors it must handle, which follow from how the API is built:

- 403 everywhere: not signed in (session authentication answers 403, not 401), a missing CSRF token,
  a second factor not passed, or a role that may not do this;
- 404 on every path naming an object (invisible objects are not found, RELIABILITY row 1) and on
  every paginated list (a page past the end);
- 400 on every write (validation, field by field) and on every read taking query parameters (an
  unknown project in a filter, a page size that is not a number);
- 412 when the operation reads If-Match (the version sent is not the current one) and 428 when
  If-Match is required and missing (pmo.core.api.expected_version_from).

The body is DRF's: `{"detail": "…"}`, or the invalid fields with their messages.

`AutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) declares the If-Match header of every PUT and
PATCH of a view built on `VersionedUpdateMixin`, which refuses them without it (428).
"""

from drf_spectacular import openapi

ERROR = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": 'DRF\'s error body: {"detail": "…"} or, for invalid input, each field with its messages '
    "(non_field_errors for the object as a whole).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input: the fields in error, with their messages.",
    "403": "Not signed in, second factor not passed, or not allowed.",
    "404": "Not found, or not visible to you; or a page past the end of the list.",
    "412": "Precondition failed: the version sent in If-Match is not the current one.",
    "428": "Precondition required: send the version read, in If-Match.",
}
WRITES = {"post", "put", "patch", "delete"}


def error_codes(path: str, method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    if_match = [p for p in parameters if p.get("in") == "header" and p.get("name", "").lower() == "if-match"]
    queries = [p for p in parameters if p.get("in") == "query"]
    codes = ["403"]
    if method in WRITES or queries:
        codes.append("400")
    if "{" in path or any(p.get("name") == "page" for p in queries):
        codes.append("404")
    if if_match:
        codes.append("412")
        if any(p.get("required") for p in if_match):
            codes.append("428")
    return sorted(codes)


def document_errors(result, generator, request, public):
    """Add the error answers to each operation (an answer an operation already documents is kept)."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(ERROR, ERROR_SCHEMA)
    reference = {"$ref": f"#/components/schemas/{ERROR}"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "head", "options", *WRITES}:
                continue
            responses = operation.setdefault("responses", {})
            for code in error_codes(path, method, operation):
                responses.setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": reference}},
                        "description": DESCRIPTIONS[code],
                    },
                )
    return result


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        from pmo.core.api import IF_MATCH, VersionedUpdateMixin

        parameters = list(super().get_override_parameters())
        if isinstance(self.view, VersionedUpdateMixin) and self.method in ("PUT", "PATCH"):
            parameters.append(IF_MATCH)
        return parameters
