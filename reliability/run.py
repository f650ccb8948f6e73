"""`make reliability`: the long checks one after the other, one figure line each, then a summary.

    .venv/bin/python -m reliability.run [16 17 ...]      # all rows, or only the rows named

Environment knobs (the defaults are the RELIABILITY.md figures):
    RELIABILITY_FUZZ_SECONDS   atheris budget per target (600)
    RELIABILITY_FUZZ_EXAMPLES  schemathesis examples per operation (100)
    RELIABILITY_LOAD_SECONDS   duration of each load step (60)
    RELIABILITY_SOAK_SECONDS   soak duration (1200)
Exit status: non-zero when any row failed.
"""

from __future__ import annotations

import subprocess
import sys
import time

from reliability import common

STEPS = [
    (5, "stage-gate state machine (Hypothesis)", ["reliability.pytest_rows", "5"]),
    (16, "lost updates (50 writers over HTTP)", ["reliability.lost_updates"]),
    (17, "counters (200 concurrent cost additions)", ["reliability.counters"]),
    (18, "audit completeness and the app DB role", ["reliability.pytest_rows", "18"]),
    (20, "soft delete", ["reliability.pytest_rows", "20"]),
    (21, "backup/restore drill under write load", ["reliability.drill"]),
    ("22-26", "Celery faults (kill -9, Redis flush, retries, beats)", ["reliability.celery_faults"]),
    (24, "Celery configuration invariants", ["reliability.pytest_rows", "24"]),
    (27, "schemathesis per principal", ["reliability.fuzz_api"]),
    (28, "atheris: CSV export and QCDR maths", ["reliability.fuzz_atheris"]),
    (29, "load, knee and soak (large seed)", ["reliability.load.run"]),
]


def main(argv=None) -> int:
    wanted = set(argv if argv is not None else sys.argv[1:])
    results = []
    for row, title, module in STEPS:
        first, _, last = str(row).partition("-")
        covered = {str(n) for n in range(int(first), int(last or first) + 1)}
        if wanted and not (wanted & covered or str(row) in wanted):
            continue
        print(f"\n=== RELIABILITY row {row}: {title}", flush=True)
        started = time.monotonic()
        process = subprocess.Popen(
            [common.PY, "-m", *module], cwd=common.ROOT, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        figures = []
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith("RELIABILITY row"):
                figures.append(line.strip())
        code = process.wait()
        results.append((row, code, time.monotonic() - started, figures))
    print("\n=== RELIABILITY summary")
    for row, code, seconds, figures in results:
        status = "ok  " if code == 0 else "FAIL"
        for figure in figures or [f"RELIABILITY row {row}: no figure printed"]:
            print(f"{status} [{seconds / 60:4.1f} min] {figure}")
    failed = [row for row, code, _s, _f in results if code != 0]
    print(
        f"{len(results) - len(failed)}/{len(results)} rows passed" + (f"; failed: {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
