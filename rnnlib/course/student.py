"""The student edition: every lesson with its exercises to do.

Solution regions become nbgrader's stub (``# YOUR CODE HERE`` / ``raise NotImplementedError()``), the
outputs of exercise and check cells are cleared, and so are the outputs of cells that plug the learner's
function into what follows (``check.epoch_function(...)`` and the like: their stored output was made with the
reference answer). A markdown cell whose text is only true of one edition carries the student edition's text in
its metadata, ``{"rnnlib": {"student": "..."}}``, which replaces it here. Everything else is kept as it is
(explanations, plots, sounds). The checks answer a stub with "not done yet", and nothing after an exercise
depends on its answer, so *Run All* reaches the end of every lesson.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

from . import notebooks

__all__ = ["student_notebook", "write_student_edition"]

#: A cell that plugs the learner's function(s) into the lesson: ``check.epoch_function(train_one_epoch)``.
_USES_YOURS = re.compile(r"\bcheck\.\w+_functions?\(")


def student_notebook(nb):
    """A copy of ``nb`` with every exercise left to do. Returns ``(notebook, number of exercises)``."""
    nb = copy.deepcopy(nb)
    count = 0
    for cell in nb.cells:
        if notebooks.is_solution(cell):
            count += 1
            cell.source = notebooks.strip_solution(notebooks.source(cell))
            cell.metadata.pop("jupyter", None)              # the stub is for the student to see and fill
        if notebooks.is_solution(cell) or notebooks.is_check(cell) or \
                cell.metadata.get("nbgrader", {}).get("solution") or \
                (cell.cell_type == "code" and _USES_YOURS.search(notebooks.source(cell))):
            cell.outputs, cell.execution_count = [], None
        student_text = cell.metadata.get("rnnlib", {}).pop("student", None)
        if student_text is not None:
            cell.source = student_text
        if not cell.metadata.get("rnnlib", True):
            cell.metadata.pop("rnnlib")
    return nb, count


def write_student_edition(out_dir: Path, paths) -> list[tuple[Path, int]]:
    """Write the student edition of each lesson in ``paths`` into ``out_dir``; returns ``[(path, exercises)]``."""
    out_dir = Path(out_dir)
    paths = list(paths)
    if not paths:
        raise FileNotFoundError("No lessons to convert: give notebook paths, or run from a checkout with notebooks/.")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb, count = student_notebook(notebooks.read(path))
        target = out_dir / Path(path).name
        notebooks.write(nb, target)
        written.append((target, count))
    return written
