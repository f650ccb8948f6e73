"""Shared plumbing of the reliability scripts: a scratch database, gunicorn on loopback, sessions.

Everything runs against its own PostgreSQL database (`pmo_reliability` by default), never the
developer's `pmo`, and a gunicorn started on a free loopback port that is stopped at the end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DEFAULT_DB = os.environ.get("RELIABILITY_DB", "pmo_reliability")
WORK = Path(os.environ.get("RELIABILITY_REPORTS", "/tmp/pmo-reliability"))
# The scratch databases' files (report PDFs...), never the developer's media/.
MEDIA = WORK / "media"


def figure(row: int | str, text: str) -> None:
    """The one line `make reliability` collects for its summary."""
    print(f"RELIABILITY row {row}: {text}", flush=True)


def log(text: str) -> None:
    print(f"  · {text}", file=sys.stderr, flush=True)


def db_url(name: str, user: str = "postgres") -> str:
    return f"postgres://{user}@{PG['host']}:{PG['port']}/{name}"


def app_env(dbname: str, **extra: str) -> dict[str, str]:
    """Environment of a manage.py / gunicorn process on `dbname`: local settings with DEBUG off
    (DEBUG keeps every query in memory, which would look like a leak in a soak)."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "pmo.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": db_url(dbname),
            "PYTHONUNBUFFERED": "1",
            "MEDIA_ROOT": str(MEDIA),
        }
    )
    env.update(extra)
    return env


def manage(dbname: str, *args: str, check: bool = True, quiet: bool = False, **extra: str):
    """Run `manage.py <args>` against `dbname` in a child process."""
    return subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=app_env(dbname, **extra),
        check=check,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def pg_connect(dbname: str = "postgres", **kwargs):
    import psycopg

    return psycopg.connect(dbname=dbname, autocommit=True, **{**PG, **kwargs})


def database_exists(name: str) -> bool:
    with pg_connect() as connection:
        return bool(connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone())


def drop_database(name: str) -> None:
    from psycopg import sql

    with pg_connect() as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def prepare_database(name: str = DEFAULT_DB, *, size: str = "demo") -> float:
    """Create, migrate and seed `name` (the seed only when it is empty); returns the seconds spent."""
    started = time.monotonic()
    subprocess.run([PY, "bin/ensure-database"], cwd=ROOT, env=app_env(name), check=True)
    if manage(name, "migrate", "--no-input", "-v", "0", check=False, quiet=True).returncode != 0:
        # A scratch database left by an older tree whose migrations were since rewritten: start over.
        log(f"migrate failed on {name}: recreating it")
        drop_database(name)
        subprocess.run([PY, "bin/ensure-database"], cwd=ROOT, env=app_env(name), check=True)
        manage(name, "migrate", "--no-input", "-v", "0")
    manage(name, "seed_demo", "--if-empty", "--size", size, quiet=True)
    return time.monotonic() - started


def setup_django(dbname: str = DEFAULT_DB, **extra: str) -> None:
    """Use the ORM of `dbname` in this process (for checks and server-side sessions)."""
    os.environ.update(app_env(dbname, **extra))
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import logging

    import django

    django.setup()
    # One "login succeeded" line per server-side session would drown the figures.
    for name in ("pmo.security", "weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn on a free loopback port, started and stopped by the script that owns it."""

    def __init__(
        self,
        dbname: str,
        *,
        workers: int = 2,
        threads: int = 8,
        log_path: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ):
        self.dbname = dbname
        self.extra_env = extra_env or {}
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path or Path(f"/tmp/reliability-gunicorn-{self.port}.log")  # noqa: S108
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in __exit__
        self._log_file = log_file
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "pmo.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--timeout",
                "120",
                # Clients here reuse connections across pauses (barriers, paced users): a short
                # keep-alive makes the server close a connection as a request goes out on it.
                "--keep-alive",
                "300",
                "--access-logfile",
                "-",
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(M)s",
            ],
            cwd=ROOT,
            env=app_env(self.dbname, **self.extra_env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.log_path})")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base_url + "/accounts/login/", timeout=2).status_code < 500:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s ({self.log_path})")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def server_errors(self) -> list[str]:
        """Access-log lines with a 5xx status (the format above: method path status duration)."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in lines if len(line.split()) == 4 and line.split()[2].startswith("5")]

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _pass_second_factor(user, session_key: str) -> None:
    """PMO officers and executives need TOTP: give the user a confirmed device and mark the session
    verified with it, as the verification step would (pmo.core.mfa.mark_verified)."""
    try:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from pmo.core import mfa
    except ImportError:  # a tree without the second factor
        return
    if not mfa.mfa_required(user):
        return
    from django.contrib.sessions.backends.db import SessionStore

    device = mfa.confirmed_totp_device(user) or TOTPDevice.objects.create(
        user=user, name="reliability", confirmed=True
    )
    session = SessionStore(session_key=session_key)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class Session:
    """A logged-in browser identity created server-side: session cookie + CSRF token.

    Logging in through the form would spend an Argon2 hash per session and go through the login
    throttle; the session row is what the server checks, so it is created directly.
    """

    def __init__(self, username: str):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.middleware.csrf import _get_new_csrf_string
        from django.test import Client

        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        self.username = username
        self.user_id = user.pk
        self.session_cookie_name = settings.SESSION_COOKIE_NAME
        self.session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
        _pass_second_factor(user, self.session_key)
        self.csrf_cookie_name = settings.CSRF_COOKIE_NAME
        self.csrf_token = _get_new_csrf_string()

    @property
    def cookie_header(self) -> str:
        return f"{self.session_cookie_name}={self.session_key}; {self.csrf_cookie_name}={self.csrf_token}"

    def headers(self, base_url: str = "") -> dict[str, str]:
        headers = {"Cookie": self.cookie_header, "X-CSRFToken": self.csrf_token}
        if base_url:
            headers["Referer"] = base_url + "/"
            headers["Origin"] = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
        return headers

    def requests_session(self, base_url: str):
        import requests

        http = requests.Session()
        http.headers.update(self.headers(base_url))
        return http


def drop_runs(runs) -> None:
    """Earlier drills' runs of the scratch database, with what was derived from them."""
    for relation in runs.model._meta.related_objects:
        if relation.field.model._meta.label.endswith("Event"):
            continue
        relation.related_model._default_manager.filter(**{f"{relation.field.name}__in": runs}).delete()
    runs.delete()
