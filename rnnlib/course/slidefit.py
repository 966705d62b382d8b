"""Fit each lesson's slides to a 1280×720 screen by measuring them in a real browser.

    python -m rnnlib.course fit-slides [NB ...]      # maintainers, after changing a lesson

Headings decide the structure (``##`` a slide, ``###`` a sub-slide). Within a heading's part, this tool
decides where the further sub-slides start: it renders every shown cell on a slide of its own, measures
how tall each one is, then fills slides in order and starts a new sub-slide at the first cell that would
not fit. A cell taller than a screen on its own is reported: split it, or make its figure smaller.
Needs Chromium and Playwright (as the browser tests do).
"""
from __future__ import annotations

import copy
import tempfile
from pathlib import Path

from . import notebooks
from .browser import launch_chromium, missing

__all__ = ["measure", "fit", "fit_lesson"]

HEIGHT = 720
MARGIN = 24                   # reveal.js pads a slide; keep clear of the bottom edge


def _shown(nb) -> list[int]:
    """Indices of the cells a deck shows (not skipped, not speaker notes)."""
    return [i for i, c in enumerate(nb.cells)
            if c.metadata.get("slideshow", {}).get("slide_type") not in ("skip", "notes")]


def measure(nb) -> dict[int, int]:
    """Height in pixels of every shown cell of ``nb`` on a 1280×720 slide: ``{cell index: px}``."""
    from playwright.sync_api import sync_playwright

    from .publish import build_slides

    probe = copy.deepcopy(nb)
    shown = _shown(probe)
    for i in shown:
        probe.cells[i].metadata["slideshow"] = {"slide_type": "slide"}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "probe.ipynb"
        notebooks.write(probe, path)
        [deck] = build_slides(Path(tmp) / "deck", [path])
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page(viewport={"width": 1280, "height": HEIGHT})
            page.goto(deck.as_uri())
            page.wait_for_selector(".reveal.ready", timeout=30_000)
            if "$" in deck.read_text():
                page.wait_for_selector(".MathJax_CHTML", state="attached", timeout=60_000)
            page.wait_for_function("!window.MathJax || !MathJax.Hub || MathJax.Hub.queue.running === 0 && "
                                   "MathJax.Hub.queue.pending === 0", timeout=60_000)
            heights = page.evaluate("""() => new Promise(done => require(['_static/reveal.js/dist/reveal.js'], R => {
                const out = [];
                const total = document.querySelectorAll('.slides > section').length;
                for (let h = 0; h < total; h++) { R.slide(h, 0); out.push(R.getCurrentSlide().scrollHeight); }
                done(out);
            }))""")
            browser.close()
    if len(heights) != len(shown):
        raise RuntimeError(f"measured {len(heights)} slides for {len(shown)} shown cells")
    return dict(zip(shown, heights))


def fit(nb, heights: dict[int, int]) -> list[tuple[int, int]]:
    """Set the sub-slide breaks of ``nb`` from measured ``heights``; returns the cells too tall on their own.

    A break goes before the first cell that no longer fits; but a short text that introduces a code cell
    ("Now the same four sounds:") moves to the next slide with its code, rather than be left behind.
    """
    budget = HEIGHT - MARGIN
    used, too_tall = 0, []
    lead_in = None                  # (index, height) of a markdown cell that is not the first on its slide
    for i, cell in enumerate(nb.cells):
        if i not in heights:
            continue
        slide = cell.metadata.get("slideshow", {})
        text = notebooks.source(cell).lstrip()
        heading = cell.cell_type == "markdown" and text.startswith(("# ", "## ", "### "))
        if heading or used == 0:
            used = heights[i]
        elif used + heights[i] > budget:
            if cell.cell_type == "code" and lead_in and lead_in[1] + heights[i] <= budget:
                nb.cells[lead_in[0]].metadata.setdefault("slideshow", {})["slide_type"] = "subslide"
                slide.pop("slide_type", None)
                used = lead_in[1] + heights[i]
            else:
                cell.metadata["slideshow"] = {**slide, "slide_type": "subslide"}
                used = heights[i]
        else:
            if slide.get("slide_type") == "subslide":
                slide.pop("slide_type", None)        # an earlier fit's break that is no longer needed
            used += heights[i]
        starts_slide = heading or used == heights[i]
        lead_in = (i, heights[i]) if cell.cell_type == "markdown" and not starts_slide else None
        if heights[i] > HEIGHT:
            too_tall.append((i, heights[i]))
    return too_tall


def fit_lesson(path) -> list[tuple[int, int]]:
    """Measure and fit one lesson in place; returns ``[(cell index, px)]`` of cells taller than a screen."""
    reason = missing()
    if reason:
        raise FileNotFoundError(f"fit-slides measures slides in Chromium: {reason}.")
    nb = notebooks.tidy(notebooks.read(path))
    too_tall = fit(nb, measure(nb))
    notebooks.write(notebooks.tidy(nb), path)
    return too_tall
