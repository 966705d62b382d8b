"""Automatic checks for the exercises, one module per lesson: ``from rnnlib.checks import lesson01 as check``.

A check prints a short confirmation when your answer is right. When it is not, it raises
:class:`ExerciseError` that says what it tried, what it expected and what it got, so you
know *what* is wrong, not only *that* it is.
"""
from ._core import ExerciseError

__all__ = ["ExerciseError"]
