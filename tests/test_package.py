"""rnnlib as a package: every module says what it exports, and a plain (non-editable) install works."""
import importlib
import inspect
import os
import pkgutil
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import rnnlib

ROOT = Path(__file__).resolve().parent.parent


def _public_modules():
    for info in pkgutil.walk_packages(rnnlib.__path__, "rnnlib."):
        if info.ispkg or any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        if info.name in ("rnnlib.frameworks", "rnnlib.interop"):
            pytest.importorskip("torch")
        yield importlib.import_module(info.name)


def _defined_here(module) -> set[str]:
    """The public functions and classes a module defines itself (not the ones it imports)."""
    return {name for name, obj in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
            and getattr(obj, "__module__", None) == module.__name__}


def test_every_module_exports_exactly_what_it_defines():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    wrong = {}
    for module in _public_modules():
        exported = getattr(module, "__all__", None)
        if exported is None:
            wrong[module.__name__] = "no __all__"
            continue
        missing = sorted(_defined_here(module) - set(exported))
        absent = [name for name in exported if not hasattr(module, name)]
        twice = sorted({name for name in exported if exported.count(name) > 1})
        if missing or absent or twice:
            wrong[module.__name__] = f"not exported {missing}, exported but absent {absent}, listed twice {twice}"
    assert not wrong, wrong


def test_the_module_map_names_every_module():
    described = rnnlib.__doc__
    for info in pkgutil.iter_modules(rnnlib.__path__):
        if not info.name.startswith("_"):
            assert f"``{info.name}``" in described, f"rnnlib/__init__.py's module map leaves out {info.name}"


def test_lesson_01s_imports_leave_the_recognizer_unloaded():
    """What lesson 01 imports stays light: no recognizer, models or training code until a lesson needs them."""
    code = ("import sys; from rnnlib import audio, datasets, plots, widgets; "
            "print(sorted(m for m in sys.modules if m.startswith('rnnlib.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for heavy in ("rnnlib.recognizer", "rnnlib.models", "rnnlib.train", "rnnlib.digits"):
        assert f"'{heavy}'" not in loaded, f"{heavy} is loaded by lesson 01's imports: {loaded}"


def test_a_plain_install_carries_the_checksums(tmp_path):
    """``pip install .`` (not editable) must give an rnnlib that can verify FSDD: build the wheel, import from it."""
    source = tmp_path / "source"      # a copy, so the build leaves nothing in the checkout and finds no stale build/
    shutil.copytree(ROOT / "rnnlib", source / "rnnlib", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                            "--wheel-dir", str(tmp_path / "dist"), str(source)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    wheel, = (tmp_path / "dist").glob("rnnlib-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rnnlib/fsdd_sha256.txt" in names
    assert any(name.startswith("rnnlib/course/templates/") for name in names)

    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    probe = ("import rnnlib, rnnlib.datasets as d; print(rnnlib.__file__); "
             "print(len(d.load_checksums()))")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    where, count = run.stdout.split()
    assert Path(where).is_relative_to(tmp_path / "site"), f"imported the checkout, not the wheel: {where}"
    assert int(count) == len((ROOT / "rnnlib" / "fsdd_sha256.txt").read_text().split("\n")) - 1
