"""The lessons as files: where they are, how to read and write them, and the metadata conventions.

A lesson is ``notebooks/NN_title.ipynb``. Its cells follow the conventions of :mod:`rnnlib.course`;
:func:`tidy` (re)applies them, so authors write content and never metadata by hand.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

__all__ = ["lessons", "missing_extra", "read", "write", "source", "is_solution", "is_check", "tidy", "shows_widget",
           "strip_solution", "solution_only_lines", "exercise_hints", "exercise_sizes"]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
_LESSON = re.compile(r"^(\d\d)_.+\.ipynb$")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# nbval runs the kernel without a widget manager, so a figure that Jupyter shows *inside* a widget (an
# interactive demo's first drawing) reaches nbval as an output of the cell, but is stored, correctly, in
# the widget's state. nbval cannot compare such cells; the browser tests (tests/browser) run them instead.
NBVAL_SKIP_OUTPUT = "nbval-ignore-output"
_CHECK_CALL = re.compile(r"^check\.\w+\(.*\)\s*$", re.S)


def lessons(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every lesson notebook, in course order (the list comes from the folder, not from a table)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if _LESSON.match(p.name))


def missing_extra(path) -> str | None:
    """Why a lesson cannot run here (an optional extra it needs is not installed), or None if it can.

    A lesson declares an extra in its metadata, ``{"rnnlib": {"extra": "framework"}}`` (lesson 11); the
    tests skip it with this reason instead of failing.
    """
    extra = read(path).metadata.get("rnnlib", {}).get("extra")
    if extra is None:
        return None
    if extra != "framework":
        raise ValueError(f"{path}: unknown extra {extra!r} in its metadata (known: 'framework').")
    from .. import frameworks
    return frameworks.missing()


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def write(nb, path) -> None:
    nbformat.write(nb, str(path))


def source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def is_solution(cell) -> bool:
    """A code cell holding a reference solution between the BEGIN/END SOLUTION lines."""
    return cell.cell_type == "code" and BEGIN in source(cell)


def is_check(cell) -> bool:
    """A code cell that only calls an exercise check, ``check.name(...)``."""
    return cell.cell_type == "code" and bool(_CHECK_CALL.match(source(cell).strip()))


def _slide_type(cell, index: int, first_code: int | None) -> str | None:
    """The cell's slideshow type, or None for a cell that continues the slide before it.

    "Continue" is written as *no* slide type rather than nbformat's "-": nbconvert's decks read both alike, but
    jupyterlab-slideshow (the live presentation mode, README's Presenting) hides a cell marked "-".
    """
    text = source(cell).lstrip()
    current = cell.metadata.get("slideshow", {}).get("slide_type")
    if cell.cell_type == "markdown":
        if re.match(r"#{1,2} ", text):
            return "slide"
        if text.startswith("### "):
            return "subslide"
    if index == first_code or is_solution(cell) or is_check(cell):
        return "skip"
    if current in ("fragment", "notes", "skip", "subslide"):
        return current                      # an author's explicit choice
    return None


def tidy(nb) -> nbformat.NotebookNode:
    """Apply the conventions: slide types, nbgrader metadata, collapsed solutions. Returns ``nb``."""
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    first_code = code[0] if code else None
    exercise = 0
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata
        for key in ("execution", "collapsed", "scrolled"):
            meta.pop(key, None)
        slide_type = _slide_type(cell, i, first_code)
        if slide_type is None:
            meta.pop("slideshow", None)
        else:
            meta["slideshow"] = {"slide_type": slide_type}
        if cell.cell_type == "markdown" and (BEGIN in source(cell) or END in source(cell)):
            raise ValueError(f"cell {i}: solution markers belong in code cells only.")
        if is_solution(cell):
            exercise += 1
            meta["nbgrader"] = {"grade": False, "solution": True, "locked": False, "schema_version": 3,
                                "grade_id": f"exercise-{exercise}", "task": False}
            meta["jupyter"] = {"source_hidden": True}
        elif is_check(cell):
            meta["nbgrader"] = {"grade": True, "solution": False, "locked": True, "schema_version": 3,
                                "grade_id": f"check-{exercise}", "points": 1, "task": False}
            meta.pop("jupyter", None)
        else:
            meta.pop("nbgrader", None)
            if meta.get("jupyter", {}).get("source_hidden"):
                meta.pop("jupyter")
        _tag(meta, NBVAL_SKIP_OUTPUT, shows_widget(cell))
    return nb


def shows_widget(cell) -> bool:
    """True if the cell's stored output is a widget (a slider demo, an upload button)."""
    return any(WIDGET_VIEW in out.get("data", {}) for out in cell.get("outputs", []))


def _tag(meta, tag: str, on: bool) -> None:
    tags = [t for t in meta.get("tags", []) if t != tag] + ([tag] if on else [])
    if tags:
        meta["tags"] = tags
    else:
        meta.pop("tags", None)


def strip_solution(text: str) -> str:
    """Replace every BEGIN/END SOLUTION region of ``text`` by the stub, at the region's indentation."""
    out, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError("A BEGIN SOLUTION line inside another solution region.")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + stub_line for stub_line in STUB.splitlines()]
        elif stripped == END:
            if not inside:
                raise ValueError("An END SOLUTION line without its BEGIN SOLUTION.")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("A BEGIN SOLUTION region is never closed by END SOLUTION.")
    return "\n".join(out)


def solution_only_lines(nb, min_length: int = 12) -> set[str]:
    """The substantial code lines written inside solution regions and nowhere else in the lesson.

    What must never reach a student: the student edition, the slides and the site are tested against it.
    """
    inside, outside = set(), set()
    for cell in nb.cells:
        region = False
        for line in source(cell).splitlines():
            stripped = line.strip()
            if stripped in (BEGIN, END):
                region = stripped == BEGIN
                continue
            (inside if region else outside).add(stripped)
    return {line for line in inside - outside if len(line) >= min_length and not line.startswith("#")}


def exercise_hints(nb) -> list[tuple[str, list[str]]]:
    """``[(function name, hint levels)]`` for each exercise, e.g. ``("rnn_forward", ["the idea", "the structure",
    "a fragment"])``: the folded hints in the markdown between the previous exercise's solution and its own."""
    found, levels = [], []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            levels += re.findall(r"<summary>Hint \d \(([^)]*)\)</summary>", source(cell))
        elif is_solution(cell):
            name = re.search(r"^def (\w+)", source(cell), re.M)
            found.append((name[1] if name else "?", levels))
            levels = []
    return found


def exercise_sizes(nb) -> list[tuple[str, int]]:
    """``[(function name, lines of logic)]`` for each exercise: the non-blank, non-comment lines of its solution."""
    sizes = []
    for cell in nb.cells:
        if not is_solution(cell):
            continue
        text = source(cell)
        name = re.search(r"^def (\w+)", text, re.M)
        count, inside = 0, False
        for line in text.splitlines():
            stripped = line.strip()
            if stripped in (BEGIN, END):
                inside = stripped == BEGIN
            elif inside and stripped and not stripped.startswith("#"):
                count += 1
        sizes.append((name[1] if name else "?", count))
    return sizes
