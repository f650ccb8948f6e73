"""Deployment configuration: production is clean under Django's checklist; secrets have no default."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings

from pmo.settings import base

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "pmo.settings.production",
    "SECRET_KEY": "k" * 20 + "9Zq!x7@Lm#p2$Wr5^Tn8&Vb3*Yc6(Hd1)Jf4_Gs0+",
    "ALLOWED_HOSTS": "pmo.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/pmo",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "PMO <pmo@example.com>",
}


def run_manage(*args, env):
    dropped = {
        *PRODUCTION_ENV,
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }  # the e2e tests set the last
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_a_realistic_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST"]
)
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_seed_demo_refuses_production():
    result = run_manage("seed_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "production" in result.stderr


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_passwords_are_hashed_with_argon2id():
    encoded = make_password("a sixty-four character passphrase is accepted unchanged by us ok!")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert encoded.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")


def test_password_policy_needs_twelve_characters_and_rejects_common_ones(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["short", "password1234", "123456789012"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("x" * 64 + "une phrase de passe longue")


def test_sessions_expire_after_30_idle_minutes_and_12_hours():
    assert base.SESSION_COOKIE_AGE == 1800
    assert base.SESSION_SAVE_EVERY_REQUEST is True
    assert base.SESSION_ABSOLUTE_LIFETIME == 12 * 3600


def test_login_lockout_is_keyed_on_username_and_address():
    assert base.AXES_FAILURE_LIMIT == 5
    assert base.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
