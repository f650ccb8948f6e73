"""Lost-update race (RELIABILITY row 16): many writers PATCH one object, each with the version it read.

The engine is transport-agnostic: a writer is two callables, `read()` → version and
`write(version, token)` → (HTTP status, new version or None). The script drives them over HTTP
against gunicorn; the pytest variant drives the Django test client in threads.

Two phases: `rounds` where every writer reads, waits at a barrier, then writes (the worst case: all
writers hold the same version), then `free_attempts` per writer without a barrier (reads and writes
interleave as they happen).
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attempt:
    writer: int
    read_version: int
    status: int
    new_version: int | None
    token: str


@dataclass(frozen=True)
class Writer:
    read: Callable[[], int]
    write: Callable[[int, str], tuple[int, int | None]]
    done: Callable[[], None] = lambda: None


@dataclass
class RaceResult:
    attempts: list[Attempt]
    errors: list[str] = field(default_factory=list)

    @property
    def statuses(self) -> Counter:
        return Counter(a.status for a in self.attempts)

    @property
    def successes(self) -> list[Attempt]:
        return [a for a in self.attempts if a.status == 200]


def race(writers: list[Writer], *, rounds: int, free_attempts: int) -> RaceResult:
    """Run the writers in one thread each; returns every attempt (exceptions are recorded as errors)."""
    barrier = threading.Barrier(len(writers))
    attempts: list[Attempt] = []
    errors: list[str] = []
    aborted: list[int] = []
    lock = threading.Lock()

    def run(index: int, writer: Writer) -> None:
        try:
            for round_number in range(rounds):
                version = writer.read()
                barrier.wait(timeout=120)
                token = f"w{index}-r{round_number}"
                status, new_version = writer.write(version, token)
                with lock:
                    attempts.append(Attempt(index, version, status, new_version, token))
                barrier.wait(timeout=120)
            for number in range(free_attempts):
                version = writer.read()
                token = f"w{index}-f{number}"
                status, new_version = writer.write(version, token)
                with lock:
                    attempts.append(Attempt(index, version, status, new_version, token))
        except threading.BrokenBarrierError:
            with lock:
                aborted.append(index)  # another writer failed first; its error is the one reported
        except Exception as error:  # noqa: BLE001 - reported as a failure of the race
            with lock:
                errors.append(f"writer {index}: {error!r}")
            barrier.abort()
        finally:
            writer.done()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if aborted:
        errors.append(f"{len(aborted)} writers stopped when the race was aborted")
    return RaceResult(attempts=attempts, errors=errors)


def verify(
    result: RaceResult,
    *,
    initial_version: int,
    final_version: int,
    final_token: str,
    events: list[tuple[int, str]],
) -> tuple[dict, list[str]]:
    """The row-16 invariants; returns (figures, problems). `events` are the (version, token)
    snapshots of the audit trail's update events written during the race."""
    problems = list(result.errors)
    statuses = result.statuses
    successes = result.successes
    per_version: dict[int, Counter] = defaultdict(Counter)
    for attempt in result.attempts:
        per_version[attempt.read_version][attempt.status] += 1
    for version, counts in sorted(per_version.items()):
        if counts[200] != 1:
            problems.append(f"version {version}: {counts[200]} successes (expected exactly 1)")
        others = {status: n for status, n in counts.items() if status not in (200, 412)}
        if others:
            problems.append(f"version {version}: unexpected statuses {others}")
    for attempt in successes:
        if attempt.new_version != attempt.read_version + 1:
            problems.append(f"{attempt.token}: version {attempt.read_version} → {attempt.new_version}")
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    if server_errors:
        problems.append(f"{server_errors} server errors")
    if final_version != initial_version + len(successes):
        problems.append(f"final version {final_version} != {initial_version} + {len(successes)} successes")
    if len(events) != len(successes):
        problems.append(f"{len(events)} audit events for {len(successes)} successes")
    recorded = set(events)
    lost = [a for a in successes if (a.new_version, a.token) not in recorded]
    if lost:
        problems.append(f"{len(lost)} lost updates, e.g. {lost[0].token}")
    last = max(successes, key=lambda a: a.new_version, default=None)
    if last is not None and last.token != final_token:
        problems.append(f"final value {final_token!r} is not the last success {last.token!r}")
    figures = {
        "attempts": len(result.attempts),
        "ok": len(successes),
        "stale": statuses[412],
        "server_errors": server_errors,
        "versions": len(per_version),
        "events": len(events),
        "lost": len(lost),
    }
    return figures, problems
