"""Deployment configuration: production is clean under Django's checklist; secrets have no default."""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError
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
    print(
        f"\nRELIABILITY row 11: manage.py check --deploy --fail-level WARNING (production settings) "
        f"exit {result.returncode}: {result.stdout.strip() or result.stderr.strip()}"
    )


def test_production_uses_host_prefixed_secure_cookies_and_hsts():
    result = run_manage("diffsettings", "--all", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    lines = {line.removeprefix("### ") for line in result.stdout.splitlines()}  # ### : default value
    for expected in [
        "SESSION_COOKIE_NAME = '__Host-sessionid'",
        "CSRF_COOKIE_NAME = '__Host-csrftoken'",
        "LANGUAGE_COOKIE_NAME = '__Host-language'",
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "LANGUAGE_COOKIE_SECURE = True",
        "SESSION_COOKIE_HTTPONLY = True",
        "SESSION_COOKIE_SAMESITE = 'Lax'",
        "SECURE_HSTS_SECONDS = 31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS = True",
        "SECURE_SSL_REDIRECT = True",
        "DEBUG = False",
    ]:
        assert expected in lines, expected


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


SIXTY_FOUR = "Une phrase de passe de soixante-quatre caractères, espaces inclus !"[:64]


@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_passwords_are_stored_with_argon2id_at_the_asvs_cost(world):
    """The stored hash, read back from the database and parsed: argon2id, and a cost at least the
    ASVS 5.0 appendix's (m >= 47 104 KiB at t=1; Django's m=102 400 KiB, t=2, p=8 is stronger)."""
    from django.contrib.auth import get_user_model

    user = world.users["pm_a"]
    user.set_password(SIXTY_FOUR)
    user.save()
    stored = get_user_model().objects.values_list("password", flat=True).get(pk=user.pk)
    match = re.fullmatch(r"argon2\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+", stored)
    assert match, stored
    memory, time_cost, parallelism = (int(group) for group in match.groups())
    assert identify_hasher(stored).algorithm == "argon2"
    assert memory * time_cost >= 47_104 and memory >= 19_456 and parallelism >= 1
    # 64 characters accepted and used unchanged: no truncation, no normalisation of spaces or case
    assert len(SIXTY_FOUR) == 64
    validate_password(SIXTY_FOUR, user)
    assert user.check_password(SIXTY_FOUR)
    assert not user.check_password(SIXTY_FOUR[:63])
    assert not user.check_password(SIXTY_FOUR.lower())
    assert not user.check_password(SIXTY_FOUR.replace(" ", ""))
    print(
        f"\nRELIABILITY row 8: stored hash argon2id v=19 m={memory} KiB t={time_cost} p={parallelism} "
        f"(ASVS minimum m=47104 at t=1); a 64-character password accepted and verified unchanged"
    )


def test_password_policy_needs_twelve_characters_and_rejects_common_ones(db):
    for weak in ["short", "password1234", "123456789012", "onzecaracte"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("x" * 64 + "une phrase de passe longue")
    # no composition rules: lower-case words are fine once long enough
    validate_password("douze lettres")
    assert len("douze lettres") >= base.AUTH_PASSWORD_VALIDATORS[1]["OPTIONS"]["min_length"] == 12


def test_the_common_password_list_rejects_the_3000_most_common(db):
    """Django's CommonPasswordValidator with its 20 000-entry list (ASVS 6.2.4: the top 3 000)."""
    validator = next(v for v in get_default_password_validators() if isinstance(v, CommonPasswordValidator))
    source = Path(CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH)
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        ranked = [line.strip() for line in handle]
    assert len(ranked) == len(validator.passwords) > 19_000  # the "20k" list, deduplicated
    top = ranked[:3000]
    rejected = 0
    for password in top:
        with pytest.raises(ValidationError):
            validator.validate(password)
        rejected += 1
    # whatever its length: padded to 12 characters the common ones are still refused as a whole
    with pytest.raises(ValidationError):
        validate_password("password1234")
    print(
        f"\nRELIABILITY row 8: CommonPasswordValidator ({len(validator.passwords)} entries) rejects "
        f"{rejected}/3000 of the most common passwords; minimum length 12; no composition rules"
    )


def test_sessions_expire_after_30_idle_minutes_and_12_hours():
    assert base.SESSION_COOKIE_AGE == 1800
    assert base.SESSION_SAVE_EVERY_REQUEST is False  # saved at most once a minute instead
    assert base.SESSION_TOUCH_INTERVAL == 60
    assert base.SESSION_ABSOLUTE_LIFETIME == 12 * 3600


def test_login_lockout_is_keyed_on_username_and_address():
    assert base.AXES_FAILURE_LIMIT == 5
    assert base.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
