"""pytest runs every lesson under nbval (see pyproject.toml); a lesson that needs an optional extra (lesson 10's
framework) is skipped, with the reason, where that extra is not installed."""
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    from rnnlib.course import notebooks

    reasons = {}
    for item in items:
        path = Path(str(getattr(item, "path", getattr(item, "fspath", ""))))
        if path.suffix != ".ipynb":
            continue
        if path not in reasons:
            reasons[path] = notebooks.missing_extra(path)
        if reasons[path]:
            item.add_marker(pytest.mark.skip(reason=f"{path.name} skipped: {reasons[path]}"))
