"""The instructor's slides and the publisher's site, built from the committed lessons and opened in Chromium.

Slides open from disk (file://) with every request to the network refused, as in a classroom without one;
the site is served from 127.0.0.1, as a static host would. Screenshots go to build/screenshots/.
"""
from __future__ import annotations

import functools
import http.server
import threading

import pytest

from rnnlib.course import notebooks
from rnnlib.course.publish import build_site, build_slides

from rnnlib.course.assets import missing as missing_assets

from .jupyterlab import missing

REASON = missing() or missing_assets()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")
SCREENSHOTS = notebooks.ROOT / "build" / "screenshots"
LESSONS = notebooks.lessons()
SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
MATH = ".MathJax_CHTML"                     # what MathJax (CommonHTML output) leaves for each equation


def _wait_for_math(page, html: str) -> None:
    """Wait until MathJax has typeset the page (if it has any equation), so heights and counts are final."""
    if "$" in html:
        page.wait_for_selector(MATH, state="attached", timeout=60_000)
    page.wait_for_function("!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.running === 0 && "
                           "MathJax.Hub.queue.pending === 0", timeout=60_000)


def _solution_lines(path) -> set[str]:
    return notebooks.solution_only_lines(notebooks.read(path))


def _font_from_disk(text: str) -> bool:
    """Chromium refuses web fonts to pages opened from disk (file:// has no origin); the text falls back."""
    return text.startswith("Access to font at") or text == "Failed to load resource: net::ERR_FAILED"


def _offline_page(browser, **kwargs):
    """A page whose every request off this machine fails (and is recorded)."""
    page = browser.new_page(**kwargs)
    page.outside = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("file:", "data:", "http://127.0.0.1")):
            request_route.continue_()
        else:
            page.outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" and not _font_from_disk(msg.text)
            else None)
    return page


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    return build_slides(tmp_path_factory.mktemp("slides"), LESSONS)


@pytest.mark.parametrize("index", range(len(LESSONS)), ids=[p.name for p in LESSONS])
def test_slides_present_offline(index, decks, browser):
    lesson, deck = LESSONS[index], decks[index]
    page = _offline_page(browser, viewport={"width": SLIDE_WIDTH, "height": SLIDE_HEIGHT})
    try:
        page.goto(deck.as_uri())
        page.wait_for_selector(".reveal.ready", timeout=30_000)
        # The deck loads reveal.js as a require.js module, so it is not a global: ask require.js for it.
        page.evaluate("new Promise(done => require(['_static/reveal.js/dist/reveal.js'], R => { "
                      "window.Reveal = R; done(); }))")
        html = deck.read_text()
        _wait_for_math(page, html)
        if "$" in html:
            assert page.locator(MATH).count() > 0, "equations not rendered"
        total = page.evaluate("Reveal.getTotalSlides()")
        assert total >= 5, f"{deck.name}: only {total} slides"
        too_tall = page.evaluate(f"""() => {{
            const tall = [];
            for (const [h, column] of [...document.querySelectorAll('.slides > section')].entries()) {{
                const stack = column.querySelectorAll(':scope > section');
                const count = Math.max(stack.length, 1);
                for (let v = 0; v < count; v++) {{
                    Reveal.slide(h, v);
                    const slide = Reveal.getCurrentSlide();
                    if (slide.scrollHeight > {SLIDE_HEIGHT} + 2) tall.push([h, v, slide.scrollHeight]);
                }}
            }}
            return tall;
        }}""")
        assert not too_tall, f"{deck.name}: slides taller than {SLIDE_WIDTH}x{SLIDE_HEIGHT} (h, v, px): {too_tall}"
        code = "\n".join(page.locator(".jp-CodeCell .jp-InputArea").all_text_contents())
        leaked = [line for line in _solution_lines(lesson) if line in code]
        assert not leaked, f"{deck.name} shows solution lines: {leaked[:3]}"
        assert not page.outside, f"{deck.name} asked the network for {page.outside[:3]}"
        assert not page.errors, f"{deck.name}: console errors {page.errors[:3]}"
        page.evaluate("Reveal.slide(0, 0)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{lesson.stem}.slides.png"))
    finally:
        page.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    build_site(folder, LESSONS)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_site_index_links_every_lesson(site, browser):
    page = _offline_page(browser, viewport={"width": 1200, "height": 900})
    try:
        page.goto(site)
        links = page.eval_on_selector_all(".lesson h2 a", "els => els.map(e => e.getAttribute('href'))")
        assert links == [f"{p.stem}.html" for p in LESSONS]
        assert page.locator(".lesson ol li").count() >= 3 * len(LESSONS), "each lesson lists its goals"
        page.screenshot(path=str(SCREENSHOTS / "site-index.png"), full_page=True)
        assert not page.errors and not page.outside
    finally:
        page.close()


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.name for p in LESSONS])
def test_site_lesson_page(lesson, site, browser):
    nb = notebooks.read(lesson)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    audio = sum("".join(o.get("data", {}).get("text/html", "")).count("<audio") for o in outputs)
    page = _offline_page(browser, viewport={"width": 1200, "height": 900})
    try:
        response = page.goto(site + f"{lesson.stem}.html")
        assert response.ok
        _wait_for_math(page, page.content())
        widgets = sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
        if widgets:                                          # the widget renderer loads their saved state
            page.wait_for_function("n => document.querySelectorAll('.jupyter-widgets').length >= n", arg=widgets,
                                   timeout=30_000)
        page.wait_for_function("[...document.images].every(i => i.complete)", timeout=30_000)
        broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).length")
        assert page.locator("img").count() >= images and broken == 0
        players = page.locator("audio").evaluate_all(                       # not those a saved widget shows
            "els => els.filter(e => !e.closest('.jupyter-widgets')).length")
        assert players == audio, f"{players} audio players outside widgets, expected {audio}"
        assert page.locator(MATH).count() > 0, "equations not rendered"
        code = "\n".join(page.locator(".jp-CodeCell .jp-InputArea").all_inner_texts())
        assert not [line for line in _solution_lines(lesson) if line in code], "solution code on the site"
        assert "Error displaying widget" not in page.content()
        assert not page.outside, f"asked the network for {page.outside[:3]}"
        assert not page.errors, f"console errors {page.errors[:3]}"
        page.screenshot(path=str(SCREENSHOTS / f"site-{lesson.stem}.png"))
    finally:
        page.close()
