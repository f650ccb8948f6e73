"""Rows whose proof is a pytest module (18 audit, 20 soft delete, 24 Celery configuration), run with
their own test database and summed up in one figure line.

    .venv/bin/python -m reliability.pytest_rows 5|18|20|24
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from reliability import common

ROWS = {
    5: (
        "stage-gate state machine: 500 examples × 50 steps of uploads, requests, decisions, "
        "withdrawals by 8 principals; no skipped gate, deciders only, PM never decides, all audited",
        ["tests/reliability/test_gate_state_machine.py"],
    ),
    18: (
        "audit trail: every tracked model × save/update/bulk_update/raw SQL/delete/bulk_create, "
        "user+URL+UTC on each event; app role cannot UPDATE/DELETE/TRUNCATE event tables",
        [
            "tests/reliability/test_audit_completeness.py",
            "tests/reliability/test_db_role.py",
            "tests/core/test_audit.py",
        ],
    ),
    20: (
        "soft delete: archived project/programme 404 for 6 non-PMO principals, 0 child rows lost "
        "(count+md5), restore identical, history FKs PROTECT",
        ["tests/reliability/test_soft_delete.py"],
    ),
    24: (
        "Celery invariants: visibility 900 s > time limit > soft limit, same value in 3 places, "
        "bounded retries, result_expires ≤ 1 day, soft shutdown",
        ["tests/reliability/test_celery_config.py", "tests/core/test_celery.py"],
    ),
}


def redis_policy() -> str:
    """The broker's eviction policy and persistence (Celery's "Key eviction" caveat)."""
    import redis

    client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    policy = client.config_get("maxmemory-policy").get("maxmemory-policy")
    appendonly = client.config_get("appendonly").get("appendonly")
    return f"local Redis maxmemory-policy={policy}, appendonly={appendonly}"


def main(argv=None) -> int:
    row = int((argv or sys.argv[1:])[0])
    description, paths = ROWS[row]
    result = subprocess.run(
        [str(common.BIN / "pytest"), *paths, "-p", "no:cacheprovider", "-q", "-rs", "--no-header"],
        cwd=common.ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pmo.settings.test",
            "TEST_DATABASE_NAME": f"test_reliability_row{row}",
            "GATE_MACHINE_PROFILE": "reliability",
        },
        capture_output=True,
        text=True,
    )
    output = result.stdout + result.stderr
    summary = output.strip().splitlines()[-1] if output.strip() else "no output"
    skips = sorted(set(re.findall(r"SKIPPED \[\d+\] [^:]+:\d+: (.*)", output)))
    if result.returncode != 0:
        print(output[-6000:], file=sys.stderr)
    extra = f"; {redis_policy()}" if row == 24 else ""
    skipped = f"; skipped: {'; '.join(skips)}" if skips else ""
    verdict = "PASS" if result.returncode == 0 else "FAIL"
    common.figure(row, f"{verdict} {description}: {summary.strip('= ')}{skipped}{extra}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
