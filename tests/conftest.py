"""Shared fixtures. Tests that read FSDD use the copy named by RNNLIB_FSDD_DIR and skip without it."""
import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def fsdd_dir() -> Path:
    configured = os.environ.get("RNNLIB_FSDD_DIR")
    if not configured:
        pytest.skip("RNNLIB_FSDD_DIR is not set: these tests read a local copy of FSDD.")
    return Path(configured)
