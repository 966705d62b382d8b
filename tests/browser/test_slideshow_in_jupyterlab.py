"""A lesson presented live, as an instructor does: in JupyterLab, with the slideshow button (jupyterlab-slideshow).

For lesson 01 (every lesson with ``RNNLIB_SLIDESHOW_LESSONS=all``, about five minutes more, as measured for the
course's closing notes): open it in JupyterLab at a projector's 1280×720, press the notebook toolbar's
slideshow button with the first cell selected, and step through every slide and fragment with the space bar, as a
presenter's clicker does. On every step, what is shown must fit the screen (nothing cut off above or below); at the
end the button leaves the slideshow and gives back the notebook. The seconds each walk takes and the number of steps
are printed (``-s`` shows them), and the first slide's screenshot goes to build/screenshots/.

Then the live part, the reason to present in JupyterLab rather than from a static deck: in lesson 01, after Run All,
the aliasing slider on its slide is moved from the keyboard and its figure and sound change.
"""
from __future__ import annotations

import os
import time

import pytest

from rnnlib.course import notebooks

from .jupyterlab import SHOWN, TOGGLE, JupyterLab, missing, next_step, run_all, start_slideshow, wait_until_steady

REASON = missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")
SCREENSHOTS = notebooks.ROOT / "build" / "screenshots"
PROJECTOR = {"width": 1280, "height": 720}
@pytest.fixture(scope="module")
def lab():
    with JupyterLab(notebooks.ROOT) as server:
        yield server


def open_lesson(browser, lab, path):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(lab.url(f"notebooks/{path.name}"))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    wait_until_steady(page, "document.querySelectorAll('.jp-Notebook .jp-Cell').length")
    return page


WALKED = (notebooks.lessons() if os.environ.get("RNNLIB_SLIDESHOW_LESSONS") == "all"
          else [p for p in notebooks.lessons() if p.name.startswith("01_")])


@pytest.mark.parametrize("path", WALKED, ids=lambda p: p.name)
def test_lesson_presents_as_a_slideshow_that_fits_a_projector(path, lab, browser):
    page = open_lesson(browser, lab, path)
    try:
        start = time.monotonic()
        start_slideshow(page)
        wait_until_steady(page, f"({SHOWN})()", quiet=0.3)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"slideshow-{path.stem}.png"))
        shown, steps, overflowing = page.evaluate(SHOWN), 0, []
        seen = [shown["cells"]]
        while True:
            if shown["top"] < -1 or shown["bottom"] > shown["height"] + 1:
                overflowing.append((shown["cells"], round(shown["top"]), round(shown["bottom"])))
            after = next_step(page, shown)
            if after is None:
                break                                       # space changes nothing any more: the end
            shown, steps = after, steps + 1
            seen.append(shown["cells"])
            assert steps < 500, f"{path.name}: the slideshow never ends"
        seconds = time.monotonic() - start
        print(f"{path.name}: {steps + 1} steps in {seconds:.0f} s")
        shown_cells = {i for cells in seen for i in cells}
        headings = [i for i, c in enumerate(notebooks.read(path).cells)
                    if c.cell_type == "markdown" and notebooks.source(c).lstrip().startswith(("# ", "## ", "### "))]
        assert set(headings) <= shown_cells, f"{path.name}: headings never shown: {sorted(set(headings) - shown_cells)}"
        assert not overflowing, f"{path.name}: cut off at 1280×720 (cells, top, bottom): {overflowing[:5]}"
        page.locator(TOGGLE).first.click()                  # leave the slideshow
        page.wait_for_function("!document.querySelector('.jp-deck-mod-visible')", timeout=30_000)
        assert page.locator(".jp-Notebook .jp-Cell").first.is_visible()
    finally:
        page.close()


def test_a_slider_runs_live_on_its_slide(lab, browser):
    """Lesson 01, run, then presented: the aliasing slider on its slide redraws its figure when moved."""
    path = next(p for p in notebooks.lessons() if p.name.startswith("01_"))
    page = open_lesson(browser, lab, path)
    try:
        run_all(page, timeout=300)
        start_slideshow(page)
        slider = page.locator(".jp-deck-mod-visible .widget-slider .noUi-handle")
        shown = page.evaluate(SHOWN)
        for _ in range(200):
            if slider.count() or shown is None:
                break
            shown = next_step(page, shown)
        assert slider.count(), "no slider on any slide of lesson 01"
        output = slider.first.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
        wait_until_steady(page, "document.querySelectorAll('.jp-deck-mod-visible img').length")
        before = output.inner_html()
        slider.first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("([el, old]) => el.innerHTML !== old", arg=[output.element_handle(), before],
                               timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "slideshow-live-slider.png"))
    finally:
        page.close()
