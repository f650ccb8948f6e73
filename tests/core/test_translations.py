"""The French catalogue is complete and up to date with the code (every UI string translated)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
IGNORED = [".venv", "node_modules", "static/vendor", "tests", "benchmarks", "staticfiles"]

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext is installed by make")


def gettext_tool(*args: str) -> str:
    return subprocess.run([*args], cwd=ROOT, capture_output=True, text=True, check=True).stdout  # noqa: S603


def untranslated(catalogue: Path) -> str:
    return gettext_tool("msgattrib", "--untranslated", "--no-obsolete", "--no-wrap", str(catalogue))


def test_french_catalogue_has_no_untranslated_or_fuzzy_entry():
    assert untranslated(CATALOGUE) == ""
    assert gettext_tool("msgattrib", "--only-fuzzy", "--no-obsolete", str(CATALOGUE)) == ""
    gettext_tool("msgfmt", "--check", "-o", "/dev/null", str(CATALOGUE))


def test_every_string_of_the_code_is_in_the_french_catalogue(tmp_path):
    """Re-extract the strings into a copy of the catalogue: nothing may come out untranslated."""
    copy = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    copy.parent.mkdir(parents=True)
    shutil.copy(CATALOGUE, copy)
    script = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'pmo.settings.test'; django.setup();"
        "from django.conf import settings; from django.core.management import call_command;"
        f"settings.LOCALE_PATHS = [{str(tmp_path)!r}];"
        f"call_command('makemessages', locale=['fr'], ignore_patterns={IGNORED!r}, verbosity=0)"
    )
    gettext_tool(sys.executable, "-c", script)
    missing = untranslated(copy)
    assert missing == "", f"Strings missing from locale/fr (run makemessages and translate):\n{missing}"
