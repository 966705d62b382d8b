"""Checks for lesson 07, A spoken-digit recognizer."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, check_function, exercise, passed


def _confusion(truth, predicted, n):
    m = np.zeros((n, n), int)
    np.add.at(m, (np.asarray(truth), np.asarray(predicted)), 1)
    return m


def _cases():
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 4, size=30)
    predicted = np.where(rng.random(30) < 0.7, truth, rng.integers(0, 4, size=30))
    return truth, predicted


@exercise("accuracy")
def accuracy(fn) -> None:
    """Exercise 1: ``fn(truth, predicted)`` is the fraction of correct predictions."""
    truth, predicted = _cases()
    check_function(fn, lambda t, p: np.mean(np.asarray(t) == np.asarray(p)),
                   [(truth, predicted), (np.array([1, 2]), np.array([1, 2])), (np.array([0]), np.array([3]))],
                   what="accuracy", hint="Compare element-wise, then average the booleans: np.mean(truth == predicted).")
    passed("Right.")


@exercise("confusion_matrix")
def confusion_matrix(fn) -> None:
    """Exercise 2: ``fn(truth, predicted, n_classes)``: entry ``[i, j]`` counts class ``i`` predicted as ``j``."""
    truth, predicted = _cases()
    cases = [(truth, predicted, 4), (np.array([0, 0, 1]), np.array([1, 1, 1]), 3)]
    check_function(fn, _confusion, cases, what="confusion_matrix",
                   hint="Rows are the truth, columns the prediction; the diagonal holds the correct ones.")
    passed("Right: every row sums to the number of recordings of that digit.")


@exercise("per_speaker_accuracy")
def per_speaker_accuracy(fn) -> None:
    """Exercise 3: ``fn(speakers, truth, predicted)`` → ``{speaker: accuracy}``."""
    truth, predicted = _cases()
    speakers = np.array(["ann", "bob", "cy"] * 10)
    got = fn(speakers, truth, predicted)
    expected = {s: float(np.mean(truth[speakers == s] == predicted[speakers == s])) for s in ("ann", "bob", "cy")}
    if not isinstance(got, dict) or set(got) != set(expected):
        raise ExerciseError(f"Expected a dict with one entry per speaker {sorted(expected)}, got {got!r:.100}.")
    for s in expected:
        if not np.isclose(got[s], expected[s]):
            raise ExerciseError(f"For speaker {s!r} expected {expected[s]:.4f}, got {got[s]}. "
                                "Select that speaker's rows with a boolean mask, then average.")
    passed("Right: one number per voice tells you whom the recognizer hears well.")


@exercise("most_confused")
def most_confused(fn) -> None:
    """Exercise 4: ``fn(confusion)`` → ``(true, predicted)``: the largest off-diagonal cell."""
    m = np.array([[9, 1, 0], [0, 7, 3], [2, 0, 8]])
    got = fn(m.copy())
    if got is None or tuple(int(v) for v in got) != (1, 2):
        raise ExerciseError(f"In {m.tolist()} the largest mistake is true 1 heard as 2 (3 times); got {got}. "
                            "Ignore the diagonal (those are correct): copy the matrix and set it to 0 first.")
    passed("Right: that is the pair to listen to first.")
