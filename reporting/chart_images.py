"""plotly figure dicts → SVG, through kaleido 1.x and the machine's Chromium.

Starting Chromium and parsing plotly.js costs ~2.5 s, an export ~40 ms. A job (a COPIL pack) borrows
a browser from its process's `pool` (`with pool.lease() as renderer`): a warm one left by an earlier
job, else a new one that boots in the background while the job reads its data. Back in the pool, a
browser stays warm `CHART_BROWSER_KEEP_S` seconds (0: closed after each job), and one that failed is
closed, never lent again. A Celery worker process warms one at start when `CHART_BROWSER_WARM_START`
is on. The browser runs in a thread of its own with its own event loop, so the caller stays
synchronous (Celery task, test, management command) and Django's ORM stays on the caller's thread.

Nothing is fetched from the network: plotly.js comes from the plotly package, MathJax is disabled,
and Chromium runs headless without sandbox, GPU, sync, component updates or background networking.
"""

import asyncio
import atexit
import contextlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from copy import deepcopy

DEFAULT_WIDTH = 760
DEFAULT_HEIGHT = 440
# The PDF's own font: plotly measures text in Chromium with the font WeasyPrint will draw it with.
PDF_FONT = '"DejaVu Sans", sans-serif'
EXTRA_CHROMIUM_FLAGS = ("--disable-background-networking",)


class ChartRenderingError(RuntimeError):
    """The browser could not start or a figure could not be exported."""


def chromium_path() -> str:
    """CHROMIUM_PATH from the environment, else the `chromium` on the PATH, else Debian's."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def for_print(figure: dict, *, font_size: int | None = None, legend_gap: float | None = None) -> dict:
    """A copy of a page figure fit for paper: the PDF's font, no modebar, static; `legend_gap` puts
    a horizontal legend that far (a fraction of the plot's height) below the plot, clear of the x
    axis title."""
    figure = deepcopy(figure)
    layout = figure.setdefault("layout", {})
    font = dict(layout.get("font") or {})
    font["family"] = PDF_FONT
    if font_size:
        font["size"] = font_size
    layout["font"] = font
    if legend_gap is not None:
        layout["legend"] = {
            **(layout.get("legend") or {}),
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -legend_gap,
            "yanchor": "top",
        }
    config = dict(figure.get("config") or {})
    config.pop("toImageButtonOptions", None)
    config.update({"displayModeBar": False, "responsive": False, "staticPlot": True})
    figure["config"] = config
    return figure


def active_locale() -> tuple[str, dict]:
    """(name, plotly locale) of the active language, as the pages give it to plotly."""
    from projects.charts import chart_config

    config = chart_config()
    return config["locale"], config["locales"][config["locale"]]


def locale_script(name: str, definition: dict) -> str:
    """JavaScript registering a plotly locale and making it the default of every plot."""
    module = {"moduleType": "locale", "name": name, **definition}
    return f"Plotly.register({json.dumps(module)});\nPlotly.setPlotConfig({json.dumps({'locale': name})});\n"


def _kaleido_class():
    # kaleido and choreographer log every tab and temporary directory at INFO: keep warnings only.
    for name in ("kaleido", "choreographer", "logistro"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from choreographer.browsers.chromium import Chromium
    from kaleido import Kaleido

    class QuietChromium(Chromium):
        """Chromium with the project's flags on top of choreographer's (headless, --no-sandbox...)."""

        def get_cli(self):
            return [*super().get_cli(), *EXTRA_CHROMIUM_FLAGS]

    class OneBrowserKaleido(Kaleido):
        """Kaleido without the page reload it does after every figure.

        kaleido reloads its tab (parsing plotly.js again, ~0.25 s) after each export; its script
        already purges the plot it drew, so the tab is reused as is: 10 figures take ~0.4 s instead of
        ~2.8 s. If a later kaleido renames this hook, the override is simply unused (slower, still
        correct).
        """

        async def _return_kaleido_tab(self, tab) -> None:
            await self.tabs_ready.put(tab)

    return OneBrowserKaleido, QuietChromium


class ChartRenderer:
    """One headless Chromium for a whole job.

    >>> with ChartRenderer() as renderer:      # the browser starts booting in the background
    ...     data = read_everything()            # the caller works meanwhile
    ...     svgs = renderer.render([figure_a, figure_b])

    `render` waits for the browser, then exports each figure in order and returns the SVG texts.
    """

    def __init__(
        self,
        *,
        browser_path: str | None = None,
        timeout: float = 60.0,
        locale: tuple[str, dict] | None = None,
    ) -> None:
        self.browser_path = browser_path or chromium_path()
        self.timeout = timeout
        # plotly.toImage ignores a figure's config.locales: the locale is registered in the page.
        self.locale = locale or active_locale()
        self._scripts: tempfile.TemporaryDirectory | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._opened: Future | None = None
        self.figures_rendered = 0

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> "ChartRenderer":
        """Boot the browser in a background thread and return at once."""
        if self._thread is not None:
            return self
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="chart-renderer", daemon=True)
        self._thread.start()
        self._opened = asyncio.run_coroutine_threadsafe(self._open(), loop)
        return self

    @property
    def key(self) -> tuple[str, str]:
        """What a job asks of a browser: which Chromium, which plotly locale."""
        return self.browser_path, self.locale[0]

    def is_alive(self) -> bool:
        """Booted (or booting) and its Chromium process still running."""
        if self._thread is None or not self._thread.is_alive():
            return False
        if self._opened is not None and self._opened.done() and self._opened.exception() is not None:
            return False
        process = getattr(self._kaleido, "subprocess", None)
        return process is None or process.poll() is None

    async def _open(self) -> None:
        from kaleido import PageGenerator

        kaleido_class, chromium_class = _kaleido_class()
        self._scripts = tempfile.TemporaryDirectory(prefix="pmo-charts-")
        script = os.path.join(self._scripts.name, "locale.js")
        with open(script, "w", encoding="utf-8") as out:
            out.write(locale_script(*self.locale))
        self._kaleido = kaleido_class(
            path=self.browser_path,
            n=1,
            timeout=self.timeout,
            page_generator=PageGenerator(mathjax=False, others=[(script, "utf-8")]),
            browser_cls=chromium_class,
        )
        await self._kaleido.open()

    def close(self) -> None:
        """Close the browser and stop the thread (safe to call twice, or after a failed start)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            if self._opened is not None:
                # a failed start leaves nothing to wait for
                with contextlib.suppress(Exception):
                    self._opened.result(timeout=self.timeout)
            if self._kaleido is not None:
                asyncio.run_coroutine_threadsafe(self._kaleido.close(), loop).result(timeout=self.timeout)
        finally:
            self._kaleido = None
            if self._scripts is not None:
                self._scripts.cleanup()
                self._scripts = None
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=self.timeout)
            loop.close()
            self._loop = self._thread = self._opened = None

    def __enter__(self) -> "ChartRenderer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- work --------------------------------------------------------------------------------------

    def render(
        self, figures: Sequence[dict], *, width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT
    ) -> list[str]:
        """SVG text of each figure, in order (sizes in CSS pixels; the PDF scales the image)."""
        self.start()
        try:
            self._opened.result(timeout=self.timeout)
        except Exception as error:
            raise ChartRenderingError(f"Chromium did not start ({self.browser_path}): {error}") from error
        future = asyncio.run_coroutine_threadsafe(self._render_all(list(figures), width, height), self._loop)
        try:
            return future.result(timeout=self.timeout * max(1, len(figures)))
        except ChartRenderingError:
            raise
        except Exception as error:
            raise ChartRenderingError(f"Chart export failed: {error}") from error

    async def _render_all(self, figures: list[dict], width: int, height: int) -> list[str]:
        out = []
        for figure in figures:
            opts = {"format": "svg", "width": width, "height": height}  # beats the layout's size
            svg = await self._kaleido.calc_fig(figure, opts=opts)
            out.append(svg.decode("utf-8"))
            self.figures_rendered += 1
        return out


class RendererPool:
    """The warm browsers of this process, one per (Chromium, locale), lent to one job at a time.

    A browser left idle `keep_s` seconds is closed by a timer; a process forked from this one (a
    Celery pool child) starts with an empty pool: browsers, threads and pipes are not shared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, str], tuple[ChartRenderer, threading.Timer]] = {}
        self._pid = os.getpid()
        self.started = 0  # browsers this process booted (tests and benchmarks read it)
        atexit.register(self.close_all)

    @staticmethod
    def keep_s() -> float:
        from django.conf import settings

        return float(getattr(settings, "CHART_BROWSER_KEEP_S", 0))

    def _take(self, key: tuple[str, str]) -> "ChartRenderer | None":
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's browsers are not ours
                self._idle, self._pid = {}, os.getpid()
            renderer, timer = self._idle.pop(key, (None, None))
        if timer is not None:
            timer.cancel()
        if renderer is not None and not renderer.is_alive():
            renderer.close()
            return None
        return renderer

    def acquire(self, *, browser_path: str | None = None) -> ChartRenderer:
        """A warm browser for the active language, or a new one booting in the background."""
        renderer = ChartRenderer(browser_path=browser_path)
        warm = self._take(renderer.key)
        if warm is not None:
            return warm
        self.started += 1
        return renderer.start()

    def release(self, renderer: ChartRenderer, *, healthy: bool = True) -> None:
        """Give a browser back: kept warm when it worked and keeping is on, else closed (in a thread,
        so the job goes on while Chromium exits)."""
        keep_s = self.keep_s()
        if healthy and keep_s > 0 and renderer.is_alive():
            timer = threading.Timer(keep_s, self._expire, args=(renderer,))
            timer.daemon = True
            with self._lock:
                spare = self._idle.pop(renderer.key, None)
                self._idle[renderer.key] = (renderer, timer)
            timer.start()
            if spare is None:
                return
            spare[1].cancel()
            renderer = spare[0]  # two jobs of one process at once: keep one browser, close the other
        threading.Thread(target=renderer.close, name="chart-renderer-close", daemon=True).start()

    @contextlib.contextmanager
    def lease(self, *, browser_path: str | None = None) -> Iterator[ChartRenderer]:
        """A browser for the duration of a `with` block; kept only when the block did not fail."""
        renderer = self.acquire(browser_path=browser_path)
        healthy = False
        try:
            yield renderer
            healthy = True
        finally:
            self.release(renderer, healthy=healthy)

    def warm(self) -> None:
        """Boot a browser now and keep it (a worker process at start), unless keeping is off."""
        if self.keep_s() > 0:
            from django.conf import settings
            from django.utils.translation import override

            with override(settings.LANGUAGE_CODE):  # the reports' language (reporting.tasks)
                self.release(self.acquire())

    def _expire(self, renderer: ChartRenderer) -> None:
        with self._lock:
            entry = self._idle.get(renderer.key)
            if entry is None or entry[0] is not renderer:
                return
            del self._idle[renderer.key]
        renderer.close()

    def close_all(self) -> None:
        with self._lock:
            entries = list(self._idle.values()) if self._pid == os.getpid() else []
            self._idle = {}
        for renderer, timer in entries:
            timer.cancel()
            renderer.close()

    def idle_count(self) -> int:
        with self._lock:
            return len(self._idle)


pool = RendererPool()


def figures_to_svg(figures: Sequence[dict], **sizes) -> list[str]:
    """Export figures with one browser started for the call (convenience for one-off exports)."""
    with ChartRenderer() as renderer:
        return renderer.render(figures, **sizes)
