"""The files that set the course up elsewhere (Binder, CI) agree with requirements.txt and the README."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _requirement_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]


def test_every_dependency_is_pinned():
    for name in ("requirements.txt", "requirements-test.txt"):
        for line in _requirement_lines(ROOT / name):
            assert line == "-e ." or re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][^\s]*", line), f"{name}: {line!r}"


def test_binder_installs_exactly_requirements_txt_on_the_readmes_python():
    assert _requirement_lines(ROOT / ".binder" / "requirements.txt") == ["-r ../requirements.txt"]
    runtime = (ROOT / ".binder" / "runtime.txt").read_text().strip()
    version = re.fullmatch(r"python-(3\.\d+)", runtime)[1]
    assert f"Python {version}" in (ROOT / "README.md").read_text()
    requires = re.search(r'requires-python = ">=(3\.\d+)"', (ROOT / "pyproject.toml").read_text())[1]
    assert tuple(map(int, version.split("."))) >= tuple(map(int, requires.split(".")))


def test_ci_runs_the_readmes_commands():
    ci, readme = (ROOT / ".ci" / "run").read_text(), (ROOT / "README.md").read_text()
    for command in ("python -m pip install -r requirements.txt", "python -m pytest"):
        assert command in readme and command in ci
