"""Checks for lesson 05, Vanishing and exploding gradients."""
from __future__ import annotations

import numpy as np

from ._core import ExerciseError, check_function, exercise, passed


@exercise("gradient_after")
def gradient_after(fn) -> None:
    """Exercise 1: ``fn(factor, k)`` is the size of a unit gradient after ``k`` steps that each scale it by ``factor``."""
    cases = [(0.9, 10), (0.5, 1), (1.1, 50), (1.0, 100), (0.99, 0)]
    check_function(fn, lambda factor, k: factor ** k, cases, what="gradient_after",
                   hint="Each step multiplies by the same factor: k steps multiply by factor ** k.")
    passed("Right: 0.9 per step leaves 0.35 after 10 steps but 0.00003 after 100. Exponentials are merciless.")


@exercise("steps_until")
def steps_until(fn) -> None:
    """Exercise 2: ``fn(factor, threshold)``: the fewest steps after which ``factor ** k < threshold``."""
    def reference(factor, threshold):
        return int(np.floor(np.log(threshold) / np.log(factor))) + 1

    cases = [(0.9, 1e-3), (0.5, 0.01), (0.99, 0.1), (0.2, 0.5)]
    check_function(fn, reference, cases, what="steps_until",
                   hint="Solve factor**k < threshold for k with logarithms (mind the direction: log(factor) < 0), "
                        "or simply count in a loop.")
    passed("Right: a factor of 0.9 per step loses a thousandfold in 66 steps, about 0.66 s of speech.")


@exercise("spectral_radius")
def spectral_radius(fn) -> None:
    """Exercise 3: ``fn(W)`` is the largest absolute eigenvalue of a square matrix."""
    rng = np.random.default_rng(5)
    cases = [np.diag([0.5, -2.0, 1.0]), np.array([[0.0, 1.0], [-1.0, 0.0]]), rng.standard_normal((6, 6))]
    check_function(fn, lambda W: np.max(np.abs(np.linalg.eigvals(W))), cases, what="spectral_radius",
                   hint="np.linalg.eigvals(W) gives the eigenvalues (possibly complex): take the largest absolute value.")
    passed("Right: it is the growth factor per step of the linear part of the recurrence, in the long run.")


@exercise("clip_by_global_norm")
def clip_by_global_norm(fn) -> None:
    """Exercise 4: ``fn(grads, max_norm)`` returns the gradients (a dict of arrays) scaled to global norm ≤ max_norm."""
    rng = np.random.default_rng(6)
    for max_norm in (1.0, 100.0):
        grads = {"W": rng.standard_normal((3, 4)) * 5, "b": rng.standard_normal(4)}
        total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        scale = min(1.0, max_norm / total)
        got = fn({k: v.copy() for k, v in grads.items()}, max_norm)
        if not isinstance(got, dict) or set(got) != set(grads):
            raise ExerciseError(f"clip_by_global_norm must return a dict with keys {sorted(grads)}, got {got!r:.80}.")
        for k in grads:
            if not np.allclose(got[k], grads[k] * scale, rtol=1e-6):
                if scale == 1.0:
                    raise ExerciseError(f"With max_norm={max_norm} the norm {total:.2f} is already small enough: "
                                        "return the gradients unchanged.")
                raise ExerciseError(f"With global norm {total:.2f} and max_norm={max_norm}, every gradient should be "
                                    f"multiplied by {scale:.4f}; {k!r} is not. One norm over all arrays, one scale for all.")
    passed("Right: the step keeps its direction and only loses length, so clipping never points training the wrong way.")
