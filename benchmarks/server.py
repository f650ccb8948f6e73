"""The processes a benchmark run starts and stops itself: gunicorn on loopback (and a Celery worker
when a task operation needs one), with the peak resident memory of their workers (VmHWM)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc (no pgrep)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may contain spaces, so split after the last ")".
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def memory_kb(pid: int) -> dict[str, int]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, in kB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _sep, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values


class Process:
    """A child process with its log in a file; stopped by its own pid only."""

    name = "process"

    def __init__(self, env: dict[str, str], log: Path, *, root: Path = ROOT):
        self.env, self.log_path, self.root = env, log, root
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            self.command(), cwd=self.root, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def workers(self) -> list[int]:
        return children(self.proc.pid) if self.proc else []

    def peak_rss_kb(self) -> dict[int, int]:
        return {pid: memory_kb(pid).get("VmHWM", 0) for pid in self.workers()}

    def stop(self, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-lines:])
        except OSError:
            return ""


class Gunicorn(Process):
    name = "gunicorn"

    def __init__(self, env, log, *, port: int, workers: int = 2, root: Path = ROOT):
        super().__init__(env, log, root=root)
        self.port, self.worker_count = port, workers

    def command(self):
        return [
            str(BIN / "gunicorn"),
            "pmo.wsgi",
            "--chdir",
            str(self.root),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.worker_count),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ]

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}):\n{self.tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz/")
                if connection.getresponse().status == 200 and len(self.workers()) >= self.worker_count:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer on port {self.port}:\n{self.tail()}")


class CeleryWorker(Process):
    name = "celery"

    def __init__(self, env, log, *, concurrency: int = 2):
        super().__init__(env, log)
        self.concurrency = concurrency

    def command(self):
        return [
            str(BIN / "celery"),
            "-A",
            "pmo",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(self.concurrency),
            "--hostname",
            f"bench-{os.getpid()}@%h",
        ]

    def wait_ready(self, app, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"celery worker exited ({self.proc.returncode}):\n{self.tail()}")
            if app.control.ping(timeout=1.0):
                return
        raise SystemExit(f"celery worker did not answer:\n{self.tail()}")
