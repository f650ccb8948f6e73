"""Report generators, one per kind: `generate(run, progress) -> Rendered`.

A generator reads the data of its run's scope, renders it and returns the file's bytes; it writes
nothing: reporting.services stores the file and marks the run done in one step, so a failure leaves
no half file. `progress(percent, step)` reports visible progress (the run page polls it).
Generators import lazily (weasyprint and kaleido are heavy): register them by dotted path.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module


@dataclass(frozen=True)
class Rendered:
    content: bytes
    filename: str
    content_type: str = "application/pdf"
    page_count: int | None = None
    # what else the generator produced (e.g. the HighlightReport it froze), for the caller's log
    extra: dict = field(default_factory=dict)


Progress = Callable[[int, str], None]

GENERATORS = {
    "highlight": "reporting.generators.highlight.generate",
    "exception": "reporting.generators.exception.generate",
    "steering": "reporting.generators.steering.generate",
}


class TransientError(Exception):
    """A failure worth retrying (a renderer or mail server hiccup): the task retries with backoff."""


def generator_for(kind: str) -> Callable:
    module_name, _, name = GENERATORS[kind].rpartition(".")
    return getattr(import_module(module_name), name)
