"""Slides for the classroom and a static site of the course, both built with nbconvert, both offline.

    python -m rnnlib.course slides OUT_DIR   # one reveal.js deck per lesson: OUT_DIR/NN_title.slides.html
    python -m rnnlib.course site OUT_DIR     # OUT_DIR/index.html and one page per lesson, for GitHub Pages

Why nbconvert: it is already installed with JupyterLab, renders exactly what the committed notebooks hold
(plots, equations, audio players, saved widget state), honours the cells' slideshow metadata, and builds
with no network. The JavaScript it needs is copied next to the pages (:mod:`rnnlib.course.assets`).
Solutions never appear: slides skip them (their slide type is ``skip``) and the site hides their source.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from . import assets, notebooks

__all__ = ["build_slides", "lesson_summary", "build_site"]

TEMPLATES = Path(__file__).parent / "templates"


def _without_solution_source(nb):
    """The site shows each exercise's check and result, not its reference solution."""
    for cell in nb.cells:
        if notebooks.is_solution(cell):
            cell.source = notebooks.strip_solution(notebooks.source(cell))
            cell.outputs = []
    return nb


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def _without_live_only_widgets(nb):
    """Drop the saved state of widgets that only work with a kernel and their own JavaScript (``anywidget``).

    A static page renders saved widgets with the standard widget renderer, which would try to fetch such a
    widget's code from a CDN (and fail offline). The microphone of lesson 07 is one: the page keeps the
    upload button and the answer shown with it, without the record button.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    live_only = {key for key, model in state.items() if model.get("model_module") == "anywidget"}
    for key in live_only:
        del state[key]
    references = {f"IPY_MODEL_{key}" for key in live_only}
    for model in state.values():
        children = model.get("state", {}).get("children")
        if isinstance(children, list):
            model["state"]["children"] = [child for child in children if child not in references]
    return nb


def build_slides(out_dir: Path, paths) -> list[Path]:
    """One self-contained reveal.js deck per lesson in ``out_dir``; returns their paths."""
    from nbconvert import SlidesExporter

    out_dir = Path(out_dir)
    settings = assets.vendor(out_dir, reveal=True)
    exporter = SlidesExporter(**settings, template_name="course_reveal", extra_template_basedirs=[str(TEMPLATES)],
                              reveal_theme="white", reveal_transition="none",
                              reveal_width="1280", reveal_height="720", exclude_input_prompt=True)
    written = []
    for path in paths:
        body, _ = exporter.from_notebook_node(_without_live_only_widgets(notebooks.read(path)),
                                              resources={"metadata": {"name": path.stem}})
        target = out_dir / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def lesson_summary(nb) -> tuple[str, list[str]]:
    """The lesson's title and its goals ("After this lesson you will be able to" list), from its first cell."""
    first = notebooks.source(nb.cells[0])
    title = re.search(r"^#\s+(.+)$", first, re.M)
    goals = re.findall(r"^\s*\d+\.\s+(.+?)(?=^\s*\d+\.|\Z|\n\n)", first, re.M | re.S)
    return (title[1].strip() if title else "Untitled"), [" ".join(g.split()) for g in goals]


def _inline_markdown(text: str) -> str:
    """Just enough markdown for a goal line: escaping, **bold**, *italics*, `code`."""
    text = html.escape(text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


def build_site(out_dir: Path, paths) -> list[Path]:
    """``index.html`` (the lesson table with each lesson's goals) and one HTML page per lesson."""
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir)
    settings = assets.vendor(out_dir, reveal=False)
    exporter = HTMLExporter(**settings, template_name="course_lab", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True)
    pages, rows = [], []
    for path in paths:
        nb = _without_live_only_widgets(notebooks.read(path))
        title, goals = lesson_summary(nb)
        body, _ = exporter.from_notebook_node(_without_solution_source(nb), resources={"metadata": {"name": title}})
        target = out_dir / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        pages.append(target)
        items = "".join(f"<li>{_inline_markdown(g)}</li>" for g in goals)
        rows.append(f'<section class="lesson"><h2><a href="{target.name}">{html.escape(title)}</a></h2>'
                    f"<p>You leave able to:</p><ol>{items}</ol></section>")
    index = out_dir / "index.html"
    index.write_text(_INDEX.format(lessons="\n".join(rows)), encoding="utf-8")
    (out_dir / ".nojekyll").write_text("")          # GitHub Pages: serve _static/ as it is
    return [index, *pages]


_INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>RNNs for Audio</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5;
       color: #222; }}
h1 {{ margin-bottom: 0.2rem; }} .lesson {{ border-top: 1px solid #ddd; padding: 0.4rem 0; }}
.lesson h2 {{ font-size: 1.2rem; margin: 0.6rem 0 0.2rem; }} code {{ background: #f3f3f3; padding: 0 0.2em; }}
</style></head>
<body>
<h1>RNNs for Audio</h1>
<p>A hands-on course on recurrent neural networks, taught on sound: from what a recording is to a spoken-digit
recognizer built from pieces you write yourself, in plain NumPy. These pages show each lesson as it runs; to run
it yourself and do the exercises, open the notebooks in JupyterLab (see the repository's README).</p>
{lessons}
<p><small>Code: MIT licence. Data: the Free Spoken Digit Dataset, CC BY-SA 4.0, by its authors.</small></p>
</body></html>
"""
