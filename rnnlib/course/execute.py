"""Run lessons top to bottom and store them as committed: what a learner sees on opening one.

Maintainers run ``python -m rnnlib.course execute`` after changing a lesson (with ``RNNLIB_FSDD_DIR``
pointing at the full copy of FSDD, so the outputs are the ones a learner's download gives). Besides
running every cell, it stores the widgets' state (so sliders show on GitHub and in the site), collapses
the carriage returns of progress bars to their last state, and applies :func:`notebooks.tidy`.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from . import notebooks

_CARRIAGE_RETURN = re.compile(r"[^\n]*\r(?!\n)")   # what nbval and Jupyter do with "\r": keep the last state


def collapse_carriage_returns(nb) -> None:
    """Keep only the last state of each ``\\r``-updated line of every stream output (progress bars)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                text = out.text if isinstance(out.text, str) else "".join(out.text)
                out.text = _CARRIAGE_RETURN.sub("", text)


def execute(path, *, timeout: int = 600, kernel: str = "python3") -> float:
    """Execute the notebook at ``path`` in place (working folder: its own). Returns the seconds it took."""
    from nbclient import NotebookClient

    path = Path(path)
    nb = notebooks.read(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    env_note = "" if os.environ.get("RNNLIB_FSDD_DIR") else \
        " (RNNLIB_FSDD_DIR is not set: the lessons will use or download the cached copy of FSDD)"
    print(f"executing {path.name}{env_note}", flush=True)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    seconds = time.perf_counter() - start
    collapse_carriage_returns(nb)
    notebooks.tidy(nb)
    notebooks.write(nb, path)
    return seconds
