"""Fault injection for the Celery drills, loaded into the worker with `celery worker -I`.

A run asks for faults through its `options` (set by the drill when it requests the run):
    {"inject": {"transient": 3}}   the generator raises TransientError on the first 3 attempts
    {"inject": {"permanent": true}} the generator raises ValueError (not retried)
Each call of the generator is appended to <RELIABILITY_FAULT_DIR>/<run id>.calls (one timestamp per
line), which the drill reads to measure the retry delays. Production code is not touched: the hook
wraps `reporting.tasks.generator_for` in the worker process only.
"""

import os
import time
from pathlib import Path

from reporting import tasks
from reporting.generators import TransientError

CALLS = Path(os.environ.get("RELIABILITY_FAULT_DIR", "/tmp/pmo-reliability/faults"))
original_generator_for = tasks.generator_for


def generator_for(kind):
    generator = original_generator_for(kind)

    def injected(run, progress):
        CALLS.mkdir(parents=True, exist_ok=True)
        calls = CALLS / f"{run.pk}.calls"
        with calls.open("a") as handle:
            handle.write(f"{time.time()}\n")
        inject = (run.options or {}).get("inject", {})
        attempt = len(calls.read_text().split())
        if inject.get("permanent"):
            raise ValueError("gabarit introuvable (fault hook)")
        if attempt <= inject.get("transient", 0):
            raise TransientError(f"moteur de rendu indisponible (fault hook, attempt {attempt})")
        return generator(run, progress)

    return injected


tasks.generator_for = generator_for
