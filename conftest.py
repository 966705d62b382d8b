"""How pytest sees the course: markers for the fast loop, lessons that need an extra, and numbers that training moves.

* Every lesson cell that nbval runs is marked ``notebooks``, every test in ``tests/browser`` ``browser``, so
  ``python -m pytest -m "not notebooks and not browser"`` is the quick unit loop (README).
* A lesson that needs an optional extra (lesson 11's framework) is skipped, with the reason, where it is missing.
* A cell tagged ``depends-on-training`` prints what a training run produced. Float32 training lands on
  slightly different weights on another CPU (another BLAS kernel sums in another order, and hundreds of steps
  magnify the last bit), so nbval compares such a cell with its numbers masked: the words, the verdicts and the
  shape of the output are still compared, line by line. The lesson's text quotes those numbers as ranges that
  hold on every machine we tried.
"""
from pathlib import Path
import re

import pytest

TRAINING_TAG = "depends-on-training"
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?")
_AUDIO = re.compile(r"base64,[A-Za-z0-9+/=\s]+")


def mask_training_numbers(text):
    """``text`` with every number replaced by ``#`` and every embedded sound by ``AUDIO``."""
    if not isinstance(text, str):
        return text
    return _NUMBER.sub("#", _AUDIO.sub("base64,AUDIO", text))


def pytest_collection_modifyitems(config, items):
    from rnnlib.course import notebooks

    reasons = {}
    for item in items:
        path = Path(str(getattr(item, "path", getattr(item, "fspath", ""))))
        if "browser" in path.parts and path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)
        if path.suffix != ".ipynb":
            continue
        item.add_marker(pytest.mark.notebooks)
        if path not in reasons:
            reasons[path] = notebooks.missing_extra(path)
        if reasons[path]:
            item.add_marker(pytest.mark.skip(reason=f"{path.name} skipped: {reasons[path]}"))
        cell = getattr(item, "cell", None)
        if cell is not None and TRAINING_TAG in cell.get("metadata", {}).get("tags", []):
            sanitize = item.sanitize
            item.sanitize = lambda text, sanitize=sanitize: mask_training_numbers(sanitize(text))
