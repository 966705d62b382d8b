"""What every lesson's checks share: comparing a learner's answer or function with a reference.

Three outcomes, each said in one place:

* right: :func:`passed` prints a ✅ line;
* not attempted yet (the student edition's ``raise NotImplementedError()`` stub, or an answer left as
  ``None``/``...``): the check prints one friendly "not done yet" line and returns, so *Run All* goes on;
* wrong: :class:`ExerciseError` says what was tried, what was expected and what came back. In Jupyter it shows
  as that sentence alone, not as a traceback through this package; when the learner's own code crashed, the
  learner's part of the traceback is kept above the sentence, since that is where the mistake is.
"""
from __future__ import annotations

import dis
import functools
import importlib
import traceback
import types
from pathlib import Path

import numpy as np

_CHECKS = str(Path(__file__).resolve().parent)


class ExerciseError(AssertionError):
    """Your answer is not right yet; the message says what was tried and what was expected."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows for this error: the learner's own frames, if their code crashed, then the sentence."""
        lines = []
        cause = self.__cause__
        if cause is not None and cause.__traceback__ is not None:
            frames = [f for f in traceback.extract_tb(cause.__traceback__) if not f.filename.startswith(_CHECKS)]
            if frames:
                lines += ["Traceback of your code (most recent call last):"]
                lines += [line.rstrip("\n") for line in traceback.format_list(frames)]
                lines += [f"{type(cause).__name__}: {cause}", ""]
        return lines + [f"\x1b[31m❌ {self}\x1b[0m"]


class NotDoneYet(Exception):
    """Raised inside a check when the exercise has not been attempted; :func:`exercise` turns it into a line.

    A message, if given, replaces the standard "not done yet" sentence (e.g. when the exercise *this* one builds
    on is the unfinished one).
    """


def passed(message: str) -> None:
    print(f"✅ {message}")


def _loads(code) -> tuple[set[str], set[str]]:
    """The global names a function's code loads and the attribute names it reads, nested code included."""
    globals_, attributes = set(), set()
    for ins in dis.get_instructions(code):
        if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
            globals_.add(ins.argval)
        elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD"):
            attributes.add(ins.argval)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            inner_globals, inner_attributes = _loads(const)
            globals_ |= inner_globals
            attributes |= inner_attributes
    return globals_, attributes


def _resolve(dotted: str):
    module, _, attr = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attr)


def delegated_to(fn, dotted_names) -> str | None:
    """The first of ``dotted_names`` (e.g. ``"rnnlib.train.train_epoch"``) that ``fn``'s code calls, or None.

    A learner's function calls it if its code names it and that name, in the learner's notebook, is that very
    object: imported directly, or an attribute of a module the notebook imported (``train.train_epoch``).
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    loaded, attributes = _loads(code)
    namespace = getattr(fn, "__globals__", {})
    for dotted in dotted_names:
        target = _resolve(dotted)
        short = dotted.rpartition(".")[2]
        if short in loaded and namespace.get(short) is target:
            return dotted                                   # called by its bare name, imported from rnnlib
        if short in attributes and any(isinstance(namespace.get(name), types.ModuleType)
                                       and getattr(namespace[name], short, None) is target for name in loaded):
            return dotted                                   # called as module.name
    return None


def exercise(name: str, *, not_by=()):
    """Decorate a check: an exercise not attempted yet prints "not done yet" instead of failing.

    name: what the learner writes, e.g. ``"rnn_forward"``, used in the message. not_by: dotted names of the
    functions that already do the exercise (``"rnnlib.train.train_epoch"``): an answer that calls one of them is
    told to write the logic itself, since the check would otherwise grade rnnlib's code as the learner's.
    """
    def wrap(check):
        @functools.wraps(check)
        def run(*args, **kwargs):
            used = next((u for u in (delegated_to(a, not_by) for a in args if callable(a)) if u), None)
            if used is not None:
                raise ExerciseError(f"Your {name} calls {used}, which does what this exercise asks you to write "
                                    "yourself, and the check cannot grade rnnlib's code as yours. Replace the call "
                                    "with your own code (rnnlib's version is there to compare with afterwards).")
            try:
                return check(*args, **kwargs)
            except NotDoneYet as pending:
                print(f"⏳ {pending}" if pending.args else
                      f"⏳ {name}: not done yet. Write it where the cell says # YOUR CODE HERE, run that cell, "
                      "then run this one again.")
        run.not_by = tuple(not_by)
        return run
    return wrap


def not_attempted(value) -> bool:
    """True for an answer that is still the placeholder: ``None`` or ``...``."""
    return value is None or value is Ellipsis


def call(fn, args, what: str):
    """``fn(*args)``, with the learner's own exceptions reported as an :class:`ExerciseError`.

    A ``NotImplementedError`` (the student edition's stub) means "not done yet".
    """
    if not callable(fn):
        raise ExerciseError(f"{what}: expected a function, got {type(fn).__name__}.")
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotDoneYet from None
    except Exception as err:  # the learner's code failed: say where, with their error
        raise ExerciseError(f"{what}: calling it with {_fmt_args(args)} raised "
                            f"{type(err).__name__}: {err}") from err


def _close(got, expected, rtol, atol) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=np.float64)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def check_value(got, expected, *, what: str, hint: str = "", rtol=1e-6, atol=1e-9) -> None:
    """Raise :class:`ExerciseError` unless ``got`` equals ``expected`` (to tolerance, same shape)."""
    if not_attempted(got):
        raise NotDoneYet
    if not _close(got, expected, rtol, atol):
        shape = (f" (shape {np.shape(got)}, expected {np.shape(expected)})"
                 if np.shape(got) != np.shape(expected) else "")
        raise ExerciseError(f"{what}: expected {_fmt(expected)}, got {_fmt(got)}{shape}. {hint}".strip())


def check_function(fn, reference, cases, *, what: str, hint: str = "", rtol=1e-6, atol=1e-9) -> None:
    """Call ``fn(*case)`` and ``reference(*case)`` for each case; raise on the first disagreement."""
    for case in cases:
        args = case if isinstance(case, tuple) else (case,)
        expected = reference(*args)
        got = call(fn, args, what)
        if got is None:
            raise ExerciseError(f"{what}: with {_fmt_args(args)} it returned None: did you forget `return`?")
        check_value(got, expected, what=f"{what} with {_fmt_args(args)}", hint=hint, rtol=rtol, atol=atol)


def _fmt(x) -> str:
    arr = np.asarray(x) if not isinstance(x, str) else x
    if isinstance(arr, np.ndarray) and arr.size > 6:
        return f"an array of shape {arr.shape} starting {np.array2string(arr.ravel()[:4], precision=4)}…"
    if isinstance(arr, np.ndarray) and arr.dtype.kind == "f":
        return np.array2string(arr, precision=6) if arr.ndim else f"{float(arr):.6g}"
    return repr(x)


def _fmt_args(args) -> str:
    return ", ".join(_fmt(a) if np.ndim(a) else repr(a) for a in args)


def quietly(check, *fns) -> str | None:
    """Run ``check(*fns)`` without printing: None if it passes, else the sentence it would have said."""
    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()):
            getattr(check, "__wrapped__", check)(*fns)
    except NotDoneYet:
        return "not done yet"
    except ExerciseError as err:
        return str(err)
    return None


def builds_on(fn, name: str, check, exercise_label: str) -> None:
    """Before judging ``fn``, make sure the learner's ``name`` that it calls passes its own ``check``.

    A learner's function that calls their earlier exercise (``classify`` calling ``rnn_forward``) would otherwise
    be blamed for the earlier one's mistake. Raises :class:`NotDoneYet` or :class:`ExerciseError` naming the
    earlier exercise; does nothing if ``fn`` does not call ``name``.
    """
    code = getattr(fn, "__code__", None)
    if code is None or name not in code.co_names:
        return
    theirs = getattr(fn, "__globals__", {}).get(name)
    if not callable(theirs):
        return
    verdict = quietly(check, theirs)
    if verdict == "not done yet":
        raise NotDoneYet(f"{fn.__name__} calls your {name} ({exercise_label}), which is not done yet: finish it "
                         f"first, then run this check again.")
    if verdict is not None:
        raise ExerciseError(f"{fn.__name__} calls your {name} ({exercise_label}), which is not right yet, so "
                            f"{fn.__name__} cannot be judged on top of it. Its check says: {verdict}")


def yours_or_reference(yours, reference, check, name: str):
    """``yours`` if it passes ``check`` (silently), else ``reference``; says which one the lesson goes on with.

    So a lesson can plug the learner's own piece into what comes next, and still run to the end
    when the exercise is not done yet (the student edition) or not right yet.
    """
    if quietly(check, yours) is not None:
        print(f"Your {name} is not finished yet, so what follows uses the course's own. (Finish the exercise "
              "and run this cell again to use yours.)")
        return reference
    print(f"What follows uses your own {name}.")
    return yours
