"""RELIABILITY row 28: coverage-guided fuzzing (atheris/libFuzzer) of the CSV export sanitiser and the
QCDR/EVM maths.

    .venv/bin/python -m reliability.fuzz_atheris                       # both targets, figure line
    .venv/bin/python -m reliability.fuzz_atheris --seconds 60          # shorter (RELIABILITY_FUZZ_SECONDS)
    .venv/bin/python -m reliability.fuzz_atheris --target csv_export   # one target, libFuzzer output

Each target runs in its own process until 1 000 000 executions or the time budget (10 min by
default), whichever comes first, with RSS capped at 512 MB. Any exception or failed property is a
crash: libFuzzer stops, writes the input to /tmp/pmo-reliability/atheris/crash-*, and exits non-zero.

Properties:
- csv_export: the bytes parse back (RFC 4180, `;`) to exactly the cells written, made safe; no
  cell starts with a formula trigger (= + - @ TAB CR); the UTF-8 BOM is there.
- qcdr: evm_from_totals never raises; AC = 0 → CPI "not computable" (None), never ZeroDivision;
  CPI = EV/AC and SPI = EV/PV exactly in Decimal; roll-ups divide the sums (ΣEV/ΣAC, not a mean of
  CPIs); a higher actual cost never improves the cost colour; compute_qcdr on random facts never
  raises and always gives a colour for every axis.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

WORK = Path(os.environ.get("RELIABILITY_REPORTS", "/tmp/pmo-reliability")) / "atheris"
TARGETS = ("csv_export", "qcdr")


# --- Targets (run inside the fuzzing process) ------------------------------------------------------


def csv_export_target(data: bytes) -> None:
    import csv
    import io

    import atheris

    from reporting.exports import FORMULA_TRIGGERS, csv_bytes, spreadsheet_safe

    fdp = atheris.FuzzedDataProvider(data)
    columns = fdp.ConsumeIntInRange(1, 5)

    def cell():
        kind = fdp.ConsumeIntInRange(0, 9)
        if kind == 0:
            return None
        if kind == 1:
            return fdp.ConsumeInt(8)
        if kind == 2:
            return fdp.ConsumeRegularFloat()
        text = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40))
        if kind == 3 and text:  # bias towards the dangerous prefixes
            return "=+-@\t\r"[fdp.ConsumeIntInRange(0, 5)] + text
        return text

    header = [cell() for _ in range(columns)]
    rows = [[cell() for _ in range(columns)] for _ in range(fdp.ConsumeIntInRange(0, 4))]
    output = csv_bytes(header=header, rows=rows)
    assert output.startswith("\ufeff".encode()), "no BOM"
    parsed = list(csv.reader(io.StringIO(output.decode("utf-8")[1:], newline=""), delimiter=";"))
    expected = [[spreadsheet_safe(value) for value in row] for row in [header, *rows]]
    assert parsed == expected, (parsed, expected)
    for row in parsed:
        for value in row:
            assert not value.startswith(FORMULA_TRIGGERS), value


def qcdr_target(data: bytes) -> None:
    from datetime import date, timedelta
    from decimal import Decimal

    import atheris

    from projects import qcdr
    from projects.types import (
        RAG,
        CostFact,
        Declared,
        DeliverableFact,
        EVMethod,
        MilestoneFact,
        ProjectFacts,
        RiskFact,
        Thresholds,
    )

    fdp = atheris.FuzzedDataProvider(data)

    def money(zero_bias: bool = True) -> Decimal:
        if zero_bias and fdp.ConsumeIntInRange(0, 7) == 0:
            return Decimal("0")
        return Decimal(fdp.ConsumeIntInRange(0, 10**13)) / 100

    def day() -> date:
        return date(2020, 1, 1) + timedelta(days=fdp.ConsumeIntInRange(0, 4000))

    def maybe(make):
        return make() if fdp.ConsumeBool() else None

    bac, pv, ac = money(), money(), money()
    ev = maybe(money)
    evm = qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac)
    if ev is None or ac == 0:
        assert evm.cpi is None
    else:
        assert evm.cpi == ev / ac
    if ev is None or pv == 0:
        assert evm.spi is None
    else:
        assert evm.spi == ev / pv
    if evm.eac is not None:
        assert evm.vac == bac - evm.eac and evm.etc == evm.eac - ac

    evms = [
        qcdr.evm_from_totals(bac=money(), pv=money(), ev=maybe(money), ac=money())
        for _ in range(fdp.ConsumeIntInRange(1, 5))
    ]
    rolled = qcdr.rollup_evm(evms)
    known = [item for item in evms if item.ev is not None]
    sum_ev = sum((item.ev for item in known), Decimal("0"))
    sum_ac = sum((item.ac for item in known), Decimal("0"))
    if known and sum_ac != 0:
        assert rolled.cpi == sum_ev / sum_ac, "roll-up CPI is not ΣEV/ΣAC"
    else:
        assert rolled.cpi is None

    thresholds = Thresholds(
        cost_tolerance_pct=Decimal(fdp.ConsumeIntInRange(0, 50)),
        time_tolerance_days=fdp.ConsumeIntInRange(0, 60),
    )
    severity = {RAG.GREEN: 0, RAG.AMBER: 1, RAG.RED: 2}
    worse = qcdr.evm_from_totals(bac=bac, pv=pv, ev=ev, ac=ac + money(zero_bias=False) + Decimal("0.01"))
    before, after = qcdr.cost_axis(evm, thresholds).rag, qcdr.cost_axis(worse, thresholds).rag
    if before in severity and after in severity:
        assert severity[after] >= severity[before], "a higher actual cost improved the cost colour"

    as_of = day()
    facts = ProjectFacts(
        budget=bac,
        percent_complete=maybe(lambda: Decimal(fdp.ConsumeIntInRange(0, 10000)) / 100),
        ev_method=EVMethod.MILESTONES if fdp.ConsumeBool() else EVMethod.PERCENT_COMPLETE,
        milestones=tuple(
            MilestoneFact(
                name="m",
                baseline=maybe(day),
                forecast=maybe(day),
                actual=maybe(day),
                is_key=fdp.ConsumeBool(),
                weight=Decimal(fdp.ConsumeIntInRange(0, 1000)),
                cancelled=fdp.ConsumeBool(),
            )
            for _ in range(fdp.ConsumeIntInRange(0, 4))
        ),
        costs=tuple(
            CostFact(month=day().replace(day=1), planned=money(), actual=money(), forecast=money())
            for _ in range(fdp.ConsumeIntInRange(0, 4))
        ),
        risks=tuple(
            RiskFact(
                title="r",
                probability=fdp.ConsumeIntInRange(1, 5),
                impact=fdp.ConsumeIntInRange(1, 5),
                is_open=fdp.ConsumeBool(),
                is_opportunity=fdp.ConsumeBool(),
            )
            for _ in range(fdp.ConsumeIntInRange(0, 3))
        ),
        deliverables=tuple(
            DeliverableFact(
                name="d",
                due=maybe(day),
                state=("planned", "in_review", "accepted", "rejected")[fdp.ConsumeIntInRange(0, 3)],
            )
            for _ in range(fdp.ConsumeIntInRange(0, 3))
        ),
        last_submitted=maybe(day),
        has_risk_register=fdp.ConsumeBool(),
    )
    result = qcdr.compute_qcdr(facts, Declared(), as_of, thresholds)
    for axis in (
        result.indicated.quality,
        result.indicated.cost,
        result.indicated.schedule,
        result.indicated.risk,
    ):
        assert axis.rag in RAG
    assert result.indicated.overall in RAG
    qcdr.qcdr_as_dict(result)


def fuzz(target: str, *, seconds: int, runs: int) -> None:
    """Inside the child process: instrument the code under test and hand over to libFuzzer."""
    import atheris

    with atheris.instrument_imports(
        include=["pmo.core.exports", "reporting.exports", "projects.qcdr", "projects.types"]
    ):
        import pmo.core.exports  # noqa: F401 (the helpers reporting.exports re-exports)
        import projects.qcdr  # noqa: F401
        import reporting.exports  # noqa: F401
    corpus = WORK / f"corpus-{target}"
    corpus.mkdir(parents=True, exist_ok=True)
    function = {"csv_export": csv_export_target, "qcdr": qcdr_target}[target]
    atheris.Setup(
        [
            sys.argv[0],
            str(corpus),
            f"-max_total_time={seconds}",
            f"-runs={runs}",
            "-rss_limit_mb=512",
            "-print_final_stats=1",
            f"-artifact_prefix={WORK}/crash-{target}-",
        ],
        function,
    )
    atheris.Fuzz()


# --- Driver ---------------------------------------------------------------------------------------


def run_target(target: str, *, seconds: int, runs: int) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reliability.fuzz_atheris",
            "--child",
            target,
            "--seconds",
            str(seconds),
            "--runs",
            str(runs),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "pmo.settings.test"},
    )
    log = result.stdout + result.stderr
    (WORK / f"{target}.log").write_text(log)
    executed = re.findall(r"stat::number_of_executed_units:\s*(\d+)", log)
    peak = re.findall(r"stat::peak_rss_mb:\s*(\d+)", log)
    crash = re.findall(r"(Uncaught Python exception:.*?)(?:\n\n|$)", log, flags=re.S)
    return {
        "target": target,
        "ok": result.returncode == 0,
        "runs": int(executed[-1]) if executed else 0,
        "rss_mb": int(peak[-1]) if peak else None,
        "seconds": time.monotonic() - started,
        "crash": crash[0][:800] if crash else (log[-800:] if result.returncode else ""),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=TARGETS, action="append")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("RELIABILITY_FUZZ_SECONDS", 600)))
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--child", choices=TARGETS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        fuzz(args.child, seconds=args.seconds, runs=args.runs)
        return 0
    results = [run_target(target, seconds=args.seconds, runs=args.runs) for target in args.target or TARGETS]
    for result in results:
        if not result["ok"]:
            print(f"FAIL {result['target']}: {result['crash']}", file=sys.stderr)
    from reliability.common import figure

    ok = all(r["ok"] and (r["rss_mb"] or 0) < 512 for r in results)
    figure(
        28,
        f"{'PASS' if ok else 'FAIL'} "
        + "; ".join(
            f"{r['target']}: {r['runs']:,} execs in {r['seconds']:.0f} s, "
            f"{'0 crashes' if r['ok'] else 'CRASH'}, peak RSS {r['rss_mb']} MB"
            for r in results
        )
        + f" (budget {args.seconds} s or {args.runs:,} execs per target)",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
