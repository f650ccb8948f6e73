"""Uploaded schedules go to a per-test media directory: rolled-back tests leave no file behind."""

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
