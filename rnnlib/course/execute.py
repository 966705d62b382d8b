"""Run lessons top to bottom and store them as committed: what a learner sees on opening one.

Maintainers run ``python -m rnnlib.course execute`` after changing a lesson (with ``RNNLIB_FSDD_DIR``
pointing at the full copy of FSDD, so the outputs are the ones a learner's download gives). Besides
running every cell, it stores the widgets' state (so sliders show on GitHub and in the site), collapses
the carriage returns of progress bars to their last state, and applies :func:`notebooks.tidy`.

One trap, found the hard way: a widget whose callback *prints* (a stdout stream inside its ``Output``) while the
cell that creates it runs made nbclient (0.11, storing widget state) wait for the cell's reply until the cell
timeout, now and then, and then go on silently. Widget callbacks in the lessons display rich output instead
(``Markdown``, figures, ``Audio``); a print that happens later, on a learner's click, is fine.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from . import notebooks

__all__ = ["collapse_carriage_returns", "run", "execute"]


def collapse_carriage_returns(nb) -> None:
    """Merge consecutive stream outputs and keep only the last state of each ``\\r``-updated line.

    A progress bar arrives as many small outputs, each starting with a carriage return; a screen shows
    only the last one, and so does nbval when it compares. (nbconvert's CoalesceStreamsPreprocessor.)
    """
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    CoalesceStreamsPreprocessor().preprocess(nb, {})


def run(nb, folder, *, timeout: int = 300, kernel: str = "python3", allow_errors: bool = False,
        progress: bool = False) -> float:
    """Run every cell of ``nb`` in a fresh kernel, working folder ``folder``; store widget state. Returns seconds.

    The one way the course runs a notebook, for ``execute`` and for the tests of the student edition:
    nbclient 0.11 without ``store_widget_state`` fails on a widget that displays output as it is created
    (a ``KeyError`` in its output-widget hook), so widget state is always stored.
    """
    from nbclient import NotebookClient

    n_code = sum(cell.cell_type == "code" for cell in nb.cells)
    start = time.perf_counter()

    def after_cell(cell, cell_index, **_):   # a hook here also, empirically, keeps the widget-reply stall away
        if progress and cell.cell_type == "code":
            print(f"\r  cell {cell_index + 1}/{len(nb.cells)} ({n_code} code cells), "
                  f"{time.perf_counter() - start:.0f} s", end="", flush=True)

    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, store_widget_state=True,
                            allow_errors=allow_errors, resources={"metadata": {"path": str(folder)}},
                            on_cell_executed=after_cell)
    client.execute()
    if progress:
        print()
    return time.perf_counter() - start


def execute(path, *, timeout: int = 300, kernel: str = "python3") -> float:
    """Execute the notebook at ``path`` in place (working folder: its own). Returns the seconds it took."""
    path = Path(path)
    nb = notebooks.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    env_note = "" if os.environ.get("RNNLIB_FSDD_DIR") else \
        " (RNNLIB_FSDD_DIR is not set: the lessons will use or download the cached copy of FSDD)"
    print(f"executing {path.name}{env_note}", flush=True)
    seconds = run(nb, path.parent, timeout=timeout, kernel=kernel, progress=True)
    collapse_carriage_returns(nb)
    notebooks.tidy(nb)
    notebooks.write(nb, path)
    return seconds
