"""Debian's Chromium, driven by Playwright, as the course's tools and tests use it (no browser download).

As root on these machines Chromium needs ``--no-sandbox``; the networking flags keep it from knocking on
a closed network at every start.
"""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["missing", "launch_chromium"]

CHROMIUM = Path(os.environ.get("RNNLIB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def missing() -> str | None:
    """Why a browser cannot be driven here, in one line, or None if it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (python -m pip install -r requirements-test.txt)"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def launch_chromium(playwright, *, microphone_wav=None, **kwargs):
    """A headless Chromium from ``sync_playwright()``'s ``playwright``.

    microphone_wav: a WAV file the browser's (fake) microphone plays once, with the permission granted:
    what a test needs to drive a recording widget.
    """
    args = list(CHROMIUM_FLAGS)
    if microphone_wav is not None:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={microphone_wav}%noloop"]
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args, **kwargs)
