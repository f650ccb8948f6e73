"""The URL-coverage gate under pytest-xdist: the controller merges what each worker exercised and
collected, and refuses to judge when a worker ended without its report."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import url_coverage
from tests.url_coverage import ControllerGate


@pytest.fixture
def exercised():
    saved = set(url_coverage.EXERCISED)
    url_coverage.EXERCISED.clear()
    yield url_coverage.EXERCISED
    url_coverage.EXERCISED.clear()
    url_coverage.EXERCISED.update(saved)


def _config():
    option = SimpleNamespace(collectonly=False, keyword="", markexpr="", verbose=0)
    return SimpleNamespace(option=option)


def _session(collected=10):
    return SimpleNamespace(shouldstop=False, shouldfail=False, testscollected=collected)


def _node(routes, files, deselected=0):
    report = {"exercised": routes, "collected_files": files, "deselected": deselected}
    return SimpleNamespace(workeroutput={"url_coverage": report})


def test_the_controller_merges_the_workers_reports(exercised):
    gate = ControllerGate(_config())
    every_file = sorted(str(path) for path in url_coverage._all_test_files())
    half = len(every_file) // 2
    gate.pytest_testnodedown(_node(["a/", "b/"], every_file[:half]), None)
    gate.pytest_testnodedown(_node(["b/", "c/"], every_file[half:]), None)
    assert exercised == {"a/", "b/", "c/"}
    assert gate._why_not_full_run(_session()) == ""
    # one worker's files only: the run was not the whole suite
    lone = ControllerGate(_config())
    lone.pytest_testnodedown(_node(["a/"], every_file[:half]), None)
    assert "not collected" in lone._why_not_full_run(_session())


def test_a_lost_worker_or_a_narrowed_run_is_not_judged(exercised):
    every_file = sorted(str(path) for path in url_coverage._all_test_files())
    gate = ControllerGate(_config())
    gate.pytest_testnodedown(_node(["a/"], every_file), None)
    gate.pytest_testnodedown(SimpleNamespace(workeroutput={}), "crashed")
    assert gate._why_not_full_run(_session()) == "a worker ended without its report"
    narrowed = ControllerGate(_config())
    narrowed.pytest_testnodedown(_node(["a/"], every_file, deselected=3), None)
    narrowed.pytest_testnodedown(_node(["a/"], every_file, deselected=3), None)
    assert narrowed._why_not_full_run(_session()) == "3 tests deselected"
    assert Path(every_file[0]) in narrowed.collected_files
