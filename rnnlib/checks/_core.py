"""What every lesson's checks share: comparing a learner's answer or function with a reference."""
from __future__ import annotations

import numpy as np


class ExerciseError(AssertionError):
    """Your answer is not right yet; the message says what was tried and what was expected."""


def passed(message: str) -> None:
    print(f"✅ {message}")


def _close(got, expected, rtol, atol) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = np.asarray(expected, dtype=np.float64)
    return got.shape == expected.shape and bool(np.allclose(got, expected, rtol=rtol, atol=atol))


def check_value(got, expected, *, what: str, hint: str = "", rtol=1e-6, atol=1e-9) -> None:
    """Raise :class:`ExerciseError` unless ``got`` equals ``expected`` (to tolerance, same shape)."""
    if got is None or got is Ellipsis:
        raise ExerciseError(f"{what}: you have not given an answer yet (it is still {got!r}).")
    if not _close(got, expected, rtol, atol):
        shape = f" (shape {np.shape(got)}, expected {np.shape(expected)})" if np.shape(got) != np.shape(expected) else ""
        raise ExerciseError(f"{what}: expected {_fmt(expected)}, got {_fmt(got)}{shape}. {hint}".strip())


def check_function(fn, reference, cases, *, what: str, hint: str = "", rtol=1e-6, atol=1e-9) -> None:
    """Call ``fn(*case)`` and ``reference(*case)`` for each case; raise on the first disagreement."""
    if not callable(fn):
        raise ExerciseError(f"{what}: expected a function, got {type(fn).__name__}.")
    for case in cases:
        args = case if isinstance(case, tuple) else (case,)
        expected = reference(*args)
        try:
            got = fn(*args)
        except Exception as err:  # the learner's code failed: say where, with their error
            raise ExerciseError(f"{what}: calling it with {_fmt_args(args)} raised "
                                f"{type(err).__name__}: {err}") from err
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
