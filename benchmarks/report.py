"""The printed table, the pass/fail verdicts against the issue's targets, and the memory lines."""

from __future__ import annotations

COLUMNS = (
    ("operation", 44, "<"),
    ("p50 ms", 8, ">"),
    ("p95 ms", 8, ">"),
    ("srv p50", 8, ">"),
    ("cpu p50", 8, ">"),
    ("req/s 1", 8, ">"),
    ("req/s 8", 8, ">"),
    ("queries", 7, ">"),
    ("SQL ms", 7, ">"),
    ("floor ms", 8, ">"),
    ("×floor", 7, ">"),
    ("target", 26, "<"),
    ("result", 6, "<"),
)


def _num(value, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def check(row: dict) -> list[str]:
    """The targets this measured row misses, in words."""
    if row.get("state") == "measured" and "task" in row:
        total, limit = row["task"].get("total_s"), row["targets"].get("total_s")
        if total is not None and limit is not None and total > limit:
            return [f"{total:g} s > {limit:g} s"]
        return []
    if row.get("state") != "measured" or "single" not in row:
        return []
    targets, one = row["targets"], row["single"]
    misses = []
    p50, p95 = one["latency_ms"]["p50"], one["latency_ms"]["p95"]
    if targets["p50_ms"] is not None and p50 > targets["p50_ms"]:
        misses.append(f"p50 {p50:.1f} ms > {targets['p50_ms']:g} ms")
    if targets["p95_ms"] is not None and p95 > targets["p95_ms"]:
        misses.append(f"p95 {p95:.1f} ms > {targets['p95_ms']:g} ms")
    ratio = row.get("floor_ratio")
    if targets["floor_ratio"] is not None and ratio is not None and ratio > targets["floor_ratio"]:
        misses.append(f"{ratio:.1f}× the SQL floor > {targets['floor_ratio']:g}×")
    queries = one["queries_max"]
    if targets["max_queries"] is not None and queries is not None and queries > targets["max_queries"]:
        misses.append(f"{queries} queries > {targets['max_queries']}")
    if targets.get("constant_queries", True) and one["queries_min"] != one["queries_max"]:
        misses.append(f"query count varies ({one['queries_min']}–{one['queries_max']})")
    return misses


def verdicts(rows: list[dict]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    misses = {row["key"]: check(row) for row in rows}
    errors = {row["key"]: row["errors"] for row in rows if row.get("state") == "error"}
    return {k: v for k, v in misses.items() if v}, errors


def _cells(row: dict) -> list[str]:
    label = row["label"]
    if row.get("state") == "not built yet":
        return [label, *["–"] * 10, row.get("target_text", ""), "n/b"]
    if row.get("state") == "error" and "single" not in row:
        return [label, *["–"] * 10, row.get("target_text", ""), "ERROR"]
    if "task" in row:
        total = row["task"].get("total_s")
        verdict = "FAIL" if check(row) else "pass"
        return [label, *["–"] * 10, row.get("target_text", ""), f"{_num(total, 2)} s {verdict}"]
    one, many = row["single"], row["concurrent"]
    queries = one["queries_max"]
    if one["queries_min"] != queries:
        queries_text = f"{one['queries_min']}-{queries}"
    else:
        queries_text = "–" if queries is None else str(queries)
    floor = row["floor_ms"]
    result = "ERROR" if row["state"] == "error" else ("FAIL" if check(row) else "pass")
    return [
        label,
        _num(one["latency_ms"]["p50"]),
        _num(one["latency_ms"]["p95"]),
        _num(one["server_ms"]["p50"]),
        _num(one["cpu_ms"]["p50"]),
        _num(one["rps"], 0),
        _num(many["rps"], 0),
        queries_text,
        _num(one["sql_ms"]["p50"]),
        (_num(floor["p50"], 2) if floor.get("p50") is not None else "err") if floor else "–",
        _num(row["floor_ratio"], 1) if row["floor_ratio"] else "–",
        row["target_text"],
        result,
    ]


def _line(cells: list[str]) -> str:
    return "  ".join(
        f"{cell:{align}{width}}" for cell, (_n, width, align) in zip(cells, COLUMNS, strict=True)
    )


def table(rows: list[dict]) -> str:
    header = _line([name for name, _w, _a in COLUMNS])
    lines = [header, "-" * len(header)]
    lines += [_line(_cells(row)) for row in rows]
    return "\n".join(lines)


def markdown(rows: list[dict]) -> str:
    """The same table in Markdown (for benchmarks/README.md and closing notes)."""
    names = [name for name, _w, _a in COLUMNS]
    lines = ["| " + " | ".join(names) + " |", "|" + "|".join("---" for _ in names) + "|"]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def progress_line(row: dict, prefix: str = "") -> str:
    if row.get("state") == "not built yet":
        return f"  {prefix}{row['label']}: not built yet ({row['why']})"
    if row.get("state") == "error" and "single" not in row:
        return f"  {prefix}{row['label']}: ERROR {row['errors']}"
    if "task" in row:
        return f"  {prefix}{row['label']}: {row['task']}"
    one = row["single"]
    text = (
        f"  {prefix}{row['label']}: p50 {one['latency_ms']['p50']:.1f} ms, "
        f"p95 {one['latency_ms']['p95']:.1f} ms, {one['queries_max']} queries"
    )
    if row.get("errors"):
        text += f"  ERROR {row['errors']}"
    return text


def memory_lines(gunicorn: dict[int, int], celery: dict[int, int] | None, seed: dict | None) -> str:
    lines = []
    if gunicorn:
        peaks = ", ".join(f"{kb / 1024:.0f} MB" for kb in gunicorn.values())
        lines.append(f"Peak RSS of the gunicorn workers (VmHWM): {peaks}")
    if celery:
        peaks = ", ".join(f"{kb / 1024:.0f} MB" for kb in celery.values())
        lines.append(f"Peak RSS of the Celery worker processes (VmHWM): {peaks}")
    else:
        lines.append("Celery worker: not started (no task operation is built yet)")
    if seed:
        lines.append(
            f"Large seed: {seed['wall_s']:.1f} s, peak RSS {seed['peak_rss_kb'] / 1024:.0f} MB "
            "(seeded in this run)"
        )
    return "\n".join(lines)


def summary_line(rows, misses, errors) -> str:
    measured = sum(1 for row in rows if row.get("state") in ("measured", "error"))
    missing = sum(1 for row in rows if row.get("state") == "not built yet")
    text = f"{measured} operations measured, {missing} not built yet; "
    text += f"{len(misses)} miss a target" if misses else "every target met"
    if errors:
        text += f"; {len(errors)} ERRORS: " + "; ".join(f"{k}: {v[0]}" for k, v in errors.items())
    if misses:
        text += "\n" + "\n".join(f"  MISS {key}: {', '.join(why)}" for key, why in misses.items())
    return text


def comparison(before: list[dict], after: list[dict]) -> str:
    """Before and after side by side: p50 latency, CPU per request, queries and ratio to floor."""
    header = (
        f"{'operation':<44}  {'p50 before':>10} {'p50 after':>10}  {'cpu before':>10} {'cpu after':>10}  "
        f"{'queries':>9}  {'×floor':>11}"
    )
    lines = ["BEFORE → AFTER (measured alternately, operation by operation)", header, "-" * len(header)]
    for old, new in zip(before, after, strict=True):
        if "single" not in old or "single" not in new:
            continue
        o, n = old["single"], new["single"]
        ratio = f"{_num(old['floor_ratio'])}→{_num(new['floor_ratio'])}"
        lines.append(
            f"{new['label']:<44}  {_num(o['latency_ms']['p50']):>10} {_num(n['latency_ms']['p50']):>10}  "
            f"{_num(o['cpu_ms']['p50']):>10} {_num(n['cpu_ms']['p50']):>10}  "
            f"{str(o['queries_max']) + '→' + str(n['queries_max']):>9}  {ratio:>11}"
        )
    return "\n".join(lines)
