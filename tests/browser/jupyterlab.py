"""A throw-away JupyterLab server and a headless Chromium, for testing the lessons as a student sees them.

What we learned driving them on these machines: autosave off
(else the executed notebook is written back), windowing off (else off-screen cells are not in the page),
a fresh workspace per run (else the last one's notebooks come back), Debian's Chromium through its
executable path (no browser download), and flags that keep it off the network.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from rnnlib.course.browser import launch_chromium, missing  # noqa: F401 (re-exported for the tests)

SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """``with JupyterLab(root) as lab: page.goto(lab.url("notebooks/01_x.ipynb"))``."""

    def __init__(self, root: Path, *, timeout: float = 120):
        self.root, self.timeout = Path(root), timeout
        self.token, self.port = secrets.token_hex(16), _free_port()
        self._tmp = Path(tempfile.mkdtemp(prefix="rnnlib-lab-"))
        self._process = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/{path}?reset&token={self.token}"

    def __enter__(self) -> "JupyterLab":
        settings, workspaces = self._tmp / "settings", self._tmp / "workspaces"
        for name, value in SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        workspaces.mkdir()
        command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--port={self.port}", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.root}", f"--LabApp.user_settings_dir={settings}",
                   f"--LabApp.workspaces_dir={workspaces}", "--allow-root"]
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(self._tmp / "config")}
        env.pop("MPLBACKEND", None)            # the lessons choose %matplotlib inline themselves
        self._log = open(self._tmp / "server.log", "w")
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/status?token={self.token}", timeout=2)
                return self
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError(f"JupyterLab did not start; its log:\n{(self._tmp / 'server.log').read_text()[-2000:]}")

    def __exit__(self, *exc) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
        if getattr(self, "_log", None):
            self._log.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


def wait_until_steady(page, expression: str, *, quiet: float = 1.0, timeout: float = 60) -> None:
    """Wait until the JavaScript ``expression`` has kept one value for ``quiet`` seconds (a condition, not a sleep)."""
    deadline, last, since = time.monotonic() + timeout, object(), time.monotonic()
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value != last:
            last, since = value, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        page.wait_for_timeout(100)
    raise TimeoutError(f"{expression} kept changing for {timeout} s (last value {last!r})")


def error_outputs(page) -> list[str]:
    """The text of every output that shows an exception or a warning.

    JupyterLab 4 renders an error output as stderr text holding the traceback
    (``application/vnd.jupyter.stderr``), not under ``application/vnd.jupyter.error``.
    """
    stderr = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    return [text for text in stderr.all_inner_texts() if re.search(r"Traceback|Error|Exception|Warning", text)]


def run_all(page, timeout: float = 300) -> float:
    """Click Run → Run All Cells and wait until every code cell has run; returns the seconds it took."""
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function("document.querySelector('.jp-Notebook-ExecutionIndicator, .jp-Toolbar-kernelStatus')"
                           " !== null", timeout=60_000)
    # The cells render a moment after the kernel indicator appears: wait until their count stops changing.
    wait_until_steady(page, "document.querySelectorAll('.jp-Notebook .jp-Cell').length")
    # The committed notebook already shows its stored prompt numbers: clear them, so "every prompt has a
    # number" can only mean "every cell has run".
    page.click("#jp-MainMenu >> text=Edit")
    page.click(".lm-Menu >> text=Clear Outputs of All Cells")
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                                   .every(p => !/\\[\\d+\\]/.test(p.textContent))""", timeout=30_000)
    start = time.monotonic()
    page.click("#jp-MainMenu >> text=Run")
    page.click(".lm-Menu >> text=Run All Cells")
    page.wait_for_function(
        """() => {
            // A cell whose source is collapsed (a folded solution) shows an empty prompt.
            const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                .map(p => p.textContent.trim()).filter(text => text !== '');
            return prompts.length > 0 && prompts.every(text => /\\[\\d+\\]/.test(text));
        }""", timeout=timeout * 1000, polling=1000)
    return time.monotonic() - start


# ------------------------------------------------------------------ the live slideshow (jupyterlab-slideshow)

TOGGLE = "[data-command='deck:toggle']"                 # the notebook toolbar's slideshow button
#: What is on screen now: the cells the slideshow shows, the box they fill, and the cell the presenter is on (space
#: moves through the cells of a slide before it moves to the next slide).
SHOWN = """() => {
    const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell.jp-deck-mod-visible')];
    const all = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    const boxes = cells.map(c => c.getBoundingClientRect());
    const active = document.activeElement && document.activeElement.closest('.jp-Cell');
    return {cells: cells.map(c => all.indexOf(c)), active: all.indexOf(active), top: Math.min(...boxes.map(b => b.top)),
            bottom: Math.max(...boxes.map(b => b.bottom)), height: window.innerHeight};
}"""


def start_slideshow(page) -> None:
    """Select the first cell and press the slideshow button: the show starts at the selected cell."""
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.locator(TOGGLE).first.click()
    page.wait_for_selector(".jp-deck-mod-visible", timeout=30_000)


def next_step(page, shown: dict) -> dict | None:
    """Press space (the next slide or fragment); what is shown once it has stopped moving, or None at the end."""
    page.keyboard.press("Space")
    try:
        page.wait_for_function(f"old => {{ const now = ({SHOWN})(); return now.active !== old.active "
                               f"|| JSON.stringify(now.cells) !== JSON.stringify(old.cells); }}",
                               arg=shown, timeout=3_000)
    except Exception:
        return None                                         # nothing changed: the last step was the last slide
    wait_until_steady(page, f"({SHOWN})()", quiet=0.3, timeout=30)
    return page.evaluate(SHOWN)
