"""The API's JSON renderer (its own module: DRF's settings import it while pmo.core.api imports DRF's
views)."""

import orjson
from rest_framework import renderers


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, encoded by orjson (C) instead of the standard library's encoder: a page of 100
    status reports is ~200 kB. The same bytes as DRF's compact, UTF-8 output: dates, times and what
    orjson does not know natively (Decimal, lazy translations, UUID...) go through DRF's own
    encoder, and U+2028/U+2029 are escaped as DRF does. An indented response (the `indent` media
    type parameter) is left to DRF. One difference: a NaN or infinite float is written as null,
    where DRF fails the request (our serializers give decimals as strings, never such floats)."""

    OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            content = orjson.dumps(data, default=self.encoder_class().default, option=self.OPTIONS)
        except TypeError:  # e.g. an int wider than 64 bits: DRF's encoder decides
            return super().render(data, accepted_media_type, renderer_context)
        return content.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
