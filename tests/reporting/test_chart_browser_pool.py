"""The chart browsers of a process (reporting.chart_images.RendererPool): a job borrows a warm one,
a failed or dead one is never lent again, an idle one is closed, a forked process starts empty.

Real headless Chromium: each boot costs ~2.5 s, so the tests share browsers where they can."""

import os
import re
import time

import pytest

from reporting.chart_images import ChartRenderingError, RendererPool

FIGURE = {"data": [{"type": "bar", "x": ["A", "B"], "y": [3, 5]}], "layout": {"title": {"text": "T"}}}


def browser_process(renderer):
    renderer._opened.result(timeout=60)
    return renderer._kaleido.subprocess


def without_plot_id(svg: str) -> str:
    """plotly names every plot's clip paths and gradients with a random id: the drawing is the rest."""
    plot_id = re.search(r'id="defs-([0-9a-f]+)"', svg).group(1)
    return svg.replace(plot_id, "ID")


def wait_until(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def browsers(settings):
    settings.CHART_BROWSER_KEEP_S = 60
    pool = RendererPool()
    yield pool
    pool.close_all()


def test_the_next_job_gets_the_warm_browser_and_its_charts_are_the_same(browsers):
    with browsers.lease() as first:
        (svg_first,) = first.render([FIGURE])
    process = browser_process(first)

    with browsers.lease() as second:
        (svg_second,) = second.render([FIGURE])

    assert second is first and browsers.started == 1
    assert browser_process(second) is process and process.poll() is None
    assert without_plot_id(svg_second) == without_plot_id(svg_first)
    assert browsers.idle_count() == 1


def test_a_job_that_failed_closes_its_browser_and_the_next_one_boots_a_new_one(browsers):
    with pytest.raises(RuntimeError), browsers.lease() as renderer:
        renderer.render([FIGURE])
        process = browser_process(renderer)
        raise RuntimeError("the chart export went wrong")

    assert browsers.idle_count() == 0
    assert wait_until(lambda: process.poll() is not None)
    with browsers.lease() as again:
        assert again is not renderer
        assert "<svg" in again.render([FIGURE])[0]
    assert browsers.started == 2


def test_a_browser_that_died_while_idle_is_replaced(browsers):
    with browsers.lease() as renderer:
        renderer.render([FIGURE])
    process = browser_process(renderer)
    process.kill()
    process.wait(timeout=30)

    with browsers.lease() as again:
        assert "<svg" in again.render([FIGURE])[0]

    assert again is not renderer and not renderer.is_alive()
    assert browsers.started == 2


def test_an_idle_browser_is_closed_after_the_keep_time(browsers, settings):
    settings.CHART_BROWSER_KEEP_S = 0.5
    with browsers.lease() as renderer:
        renderer.render([FIGURE])
    process = browser_process(renderer)
    assert browsers.idle_count() == 1

    assert wait_until(lambda: browsers.idle_count() == 0 and process.poll() is not None)
    assert not renderer.is_alive()


def test_keep_time_zero_closes_the_browser_after_every_job(browsers, settings):
    settings.CHART_BROWSER_KEEP_S = 0
    with browsers.lease() as renderer:
        renderer.render([FIGURE])
    process = browser_process(renderer)

    assert browsers.idle_count() == 0
    assert wait_until(lambda: process.poll() is not None)
    browsers.warm()  # keeping is off: nothing is booted
    assert browsers.started == 1 and browsers.idle_count() == 0


def test_a_forked_process_does_not_borrow_its_parents_browser(browsers):
    browsers.warm()
    assert browsers.idle_count() == 1 and browsers.started == 1
    (parent,) = [renderer for renderer, _timer in browsers._idle.values()]

    browsers._pid = os.getpid() + 1  # as seen from a child forked after the warm-up
    with browsers.lease() as child:
        assert child is not parent
        child.render([FIGURE])

    assert parent.is_alive()  # the parent's browser is the parent's to close
    parent.close()


def test_a_browser_that_cannot_start_is_not_kept(browsers):
    with pytest.raises(ChartRenderingError, match="/nonexistent/chromium"):  # noqa: SIM117
        with browsers.lease(browser_path="/nonexistent/chromium") as renderer:
            renderer.render([FIGURE])

    assert browsers.idle_count() == 0 and not renderer.is_alive()
