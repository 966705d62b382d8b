"""The course tooling: lesson conventions, and a student edition that runs to the end with nothing given away."""
import json
import re

import pytest

from rnnlib.course import execute, notebooks
from rnnlib.course.student import student_notebook, write_student_edition

LESSONS = notebooks.lessons()
NAMES = [p.name for p in LESSONS]


def test_strip_solution_keeps_indentation_and_the_rest():
    text = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n\nprint(f)"
    assert notebooks.strip_solution(text) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                                              "    raise NotImplementedError()\n\nprint(f)")
    with pytest.raises(ValueError, match="never closed"):
        notebooks.strip_solution("### BEGIN SOLUTION\nx = 1")


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_lesson_follows_the_conventions(path):
    nb = notebooks.read(path)
    before = [dict(c.metadata) for c in nb.cells]
    after = [dict(c.metadata) for c in notebooks.tidy(notebooks.read(path)).cells]
    assert before == after, "run `python -m rnnlib.course tidy` (or execute) on this lesson"
    solutions = [c for c in nb.cells if notebooks.is_solution(c)]
    real = [(name, n) for name, n in notebooks.exercise_sizes(nb) if n >= 10]
    assert len(real) >= 2, f"every lesson has two exercises of ten or more lines of logic; this one: " \
                           f"{notebooks.exercise_sizes(nb)}"
    for cell in solutions:
        assert cell.metadata["jupyter"]["source_hidden"] is True
        assert cell.metadata["slideshow"]["slide_type"] == "skip"
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), "nbgrader grade_ids must be unique"


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_student_edition_gives_nothing_away(path):
    course = notebooks.read(path)
    student, count = student_notebook(course)
    assert count == sum(notebooks.is_solution(c) for c in course.cells)
    text = "\n".join(notebooks.source(c) for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    # Code only: a prompt or a hint may quote a piece on purpose (an API to call, a nudge), and says so.
    code = "\n".join(notebooks.source(c) for c in student.cells if c.cell_type == "code")
    leaked = [line for line in notebooks.solution_only_lines(course) if line in code]
    assert not leaked, f"solution lines in the student edition: {leaked[:3]}"
    assert text.count("raise NotImplementedError()") >= count


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_each_edition_says_what_is_true_of_it(path):
    """The course edition has folded solutions, not stubs; the student edition has stubs, and shows no output
    that only a finished exercise could have made ("What follows uses your own ...")."""
    course = notebooks.read(path)
    student, _ = student_notebook(course)
    for cell in course.cells:
        if cell.cell_type == "markdown":
            assert "YOUR CODE HERE" not in notebooks.source(cell), "the course edition has no stubs: " \
                "give this cell its student-edition text in metadata.rnnlib.student"
    for cell in student.cells:
        if cell.cell_type == "markdown":
            assert "reference solution" not in notebooks.source(cell), \
                f"the student edition has no folded solutions: {notebooks.source(cell)[:120]!r}"
        shown = json.dumps(cell.get("outputs", []))
        assert "What follows uses your own" not in shown and "rnnlib.checks" not in shown
        assert "rnnlib" not in cell.metadata or cell.metadata["rnnlib"]


def _hint_texts(nb) -> list[str]:
    return [m for c in nb.cells if c.cell_type == "markdown"
            for m in re.findall(r"<details><summary>Hint.*?</details>", notebooks.source(c), re.S)]


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_hints_come_in_three_steps_and_never_hold_a_line_of_the_solution(path):
    nb = notebooks.read(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "<summary>Hint" in notebooks.source(cell):
            labels = re.findall(r"<summary>(Hint \d \([^)]*\))</summary>", notebooks.source(cell))
            assert labels == ["Hint 1 (the idea)", "Hint 2 (the structure)", "Hint 3 (a fragment)"], labels
    for name, levels in notebooks.exercise_hints(nb):
        assert levels == ["the idea", "the structure", "a fragment"], f"{name}: hints {levels}"
    hints = " ".join(" ".join(h.split()) for h in _hint_texts(nb))
    code_lines = {line.split("  #")[0].strip() for line in notebooks.solution_only_lines(nb, min_length=1)}
    given = [line for line in code_lines if len(line) >= 10 and " ".join(line.split()) in hints]
    assert not given, f"hints give away solution lines: {given}"


def test_student_text_replaces_the_course_text_in_the_student_edition():
    import nbformat

    md = nbformat.v4.new_markdown_cell("Open the folded reference solution.")
    md.metadata["rnnlib"] = {"student": "Write your code where it says # YOUR CODE HERE."}
    used = nbformat.v4.new_code_cell("step = check.step_function(teacher_forced_step)",
                                     outputs=[nbformat.v4.new_output("stream", text="What follows uses your own")])
    student, _ = student_notebook(nbformat.v4.new_notebook(cells=[md, used]))
    assert student.cells[0].source.startswith("Write your code") and "rnnlib" not in student.cells[0].metadata
    assert student.cells[1].outputs == []


def _browser_suite_runs() -> bool:
    from rnnlib.course.browser import missing
    return missing() is None


@pytest.mark.notebooks
@pytest.mark.skipif(_browser_suite_runs(), reason="tests/browser runs the student editions in JupyterLab instead "
                                                   "(the same checks, in the browser)")
@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_student_edition_runs_to_the_end(path, tmp_path, fsdd_dir):
    """Run All on the student edition: no error anywhere, and every check says "not done yet".

    Where Chromium and Playwright are present, tests/browser does this in JupyterLab, so each lesson is not
    run twice for the same proof.
    """
    if notebooks.missing_extra(path):
        pytest.skip(f"{path.name}: {notebooks.missing_extra(path)}")
    [(target, _)] = write_student_edition(tmp_path, [path])
    nb = notebooks.read(target)
    execute.run(nb, path.parent, allow_errors=True)
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(nb.cells) for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"errors in the student edition of {path.name}: {errors[:3]}"
    for i, cell in enumerate(nb.cells):
        if notebooks.is_check(cell):
            said = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            assert re.search(r"not done yet", said), f"cell {i} ({notebooks.source(cell)!r}) said {said!r}"


@pytest.mark.parametrize("path", LESSONS, ids=NAMES)
def test_nbgrader_reads_the_lessons_as_assignments(path):
    """nbgrader itself (from requirements-test.txt) accepts the metadata and makes the same student version."""
    nbgrader = pytest.importorskip("nbgrader.preprocessors", reason="nbgrader is not installed "
                                   "(pip install -r requirements-test.txt)")
    nb = notebooks.read(path)
    resources = {}
    for preprocessor in (nbgrader.CheckCellMetadata(), nbgrader.ClearSolutions(), nbgrader.LockCells(),
                         nbgrader.ClearOutput()):
        nb, resources = preprocessor.preprocess(nb, resources)
    ours, _ = student_notebook(notebooks.read(path))
    theirs = [notebooks.source(c) for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    mine = [notebooks.source(c) for c in ours.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert theirs == mine
    assert all(c.metadata["nbgrader"].get("locked") for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))


def test_fit_slides_keeps_a_lead_in_with_its_code():
    import nbformat

    from rnnlib.course import slidefit

    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook(cells=[md("## A section"), md("A long explanation."), md("Now the code:"),
                                         code("x = 1"), md("More text.")])
    half = slidefit.HEIGHT // 2
    slidefit.fit(nb, {0: 50, 1: half, 2: 60, 3: half, 4: 40})
    types = [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells]
    assert types[2] == "subslide" and types[3] == "-", types     # "Now the code:" moved on with its code


def test_slides_and_site_say_why_they_cannot_be_built_without_npm(tmp_path, monkeypatch):
    from rnnlib.course import assets
    monkeypatch.setenv("RNNLIB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(assets.shutil, "which", lambda name: None)
    assert "npm is not installed" in assets.missing() and "reveal.js" in assets.missing()
    monkeypatch.setattr(assets.shutil, "which", lambda name: "/usr/bin/npm")
    assert assets.missing() is None


def test_exercises_lists_each_exercise_with_its_size_and_hint_levels(capsys):
    from rnnlib.course.__main__ import main

    assert main(["exercises", str(LESSONS[0])]) == 0
    out = capsys.readouterr().out
    assert "alias_frequency (2 lines of logic); hints: the idea → the structure → a fragment" in out
