"""Supply chain (RELIABILITY row 30): pip-audit over the hash-pinned lock file, bandit over our code.

Run by `make audit` (part of `make test`, mk/security.mk):

    python -m tests.security.supply_chain pip-audit   # 0 known-vulnerable pins, or exit 1
    python -m tests.security.supply_chain bandit      # 0 High findings, or exit 1

pip-audit asks PyPI's JSON API for the advisories of each pinned release. A package index that does
not serve that API (a mirror) leaves packages "not audited": that is reported as such, never as
"0 vulnerabilities"; with PIP_AUDIT_STRICT=1 it fails the run.
"""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
BANDIT_TARGETS = ["pmo", "portfolio", "projects", "governance", "reporting"]


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603


def pip_audit() -> int:
    result = _run(
        [
            str(VENV_BIN / "pip-audit"),
            "--requirement",
            "requirements.lock",
            "--require-hashes",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ]
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
        print("pip-audit did not produce a report")
        return 1
    dependencies = report.get("dependencies", [])
    audited = [dep for dep in dependencies if "skip_reason" not in dep]
    skipped = [dep for dep in dependencies if "skip_reason" in dep]
    vulnerable = [dep for dep in audited if dep.get("vulns")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"  {dep['name']}=={dep['version']}: {vuln['id']} (fixed in {fixes})")
    print(
        f"RELIABILITY row 30 (pip-audit): {len(dependencies)} pinned packages in requirements.lock, "
        f"{len(audited)} audited against the PyPI advisory database, {len(vulnerable)} with known "
        f"vulnerabilities, {len(skipped)} could not be audited"
    )
    if skipped and not audited:
        print(
            "  WARNING: no package could be audited: the package index reached here does not serve "
            "PyPI's per-release JSON API (first reason: " + skipped[0]["skip_reason"] + "). "
            "The figure is NOT established on this machine; run `make audit` where pypi.org is reachable."
        )
    strict = os.environ.get("PIP_AUDIT_STRICT") == "1"
    return 1 if vulnerable or (strict and skipped) else 0


def bandit() -> int:
    result = _run(
        [str(VENV_BIN / "bandit"), "-c", "pyproject.toml", "-r", *BANDIT_TARGETS, "-f", "json", "-q"]
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout[-2000:], result.stderr[-2000:], sep="\n")
        print("bandit did not produce a report")
        return 1
    findings = report.get("results", [])
    by_severity = Counter(finding["issue_severity"] for finding in findings)
    for finding in findings:
        if finding["issue_severity"] == "HIGH":
            where = f"{finding['filename']}:{finding['line_number']}"
            print(f"  {where} {finding['test_id']} {finding['issue_text']}")
    lines = report.get("metrics", {}).get("_totals", {}).get("loc", 0)
    print(
        f"RELIABILITY row 30 (bandit): {lines} lines of {', '.join(BANDIT_TARGETS)} scanned: "
        f"{by_severity.get('HIGH', 0)} High, {by_severity.get('MEDIUM', 0)} Medium, "
        f"{by_severity.get('LOW', 0)} Low findings"
    )
    return 1 if by_severity.get("HIGH", 0) else 0


if __name__ == "__main__":
    commands = {"pip-audit": pip_audit, "bandit": bandit}
    sys.exit(commands[sys.argv[1]]())
