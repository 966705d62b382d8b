"""Checks for lesson 03, The recurrent step."""
from __future__ import annotations

import numpy as np

from ..layers import RNN
from ._core import ExerciseError, check_function, exercise, passed


def _reference_step(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def _step_cases():
    rng = np.random.default_rng(3)
    cases = []
    for B, D, H in [(1, 2, 3), (4, 3, 5), (2, 1, 1)]:
        cases.append((rng.standard_normal((B, D)), rng.standard_normal((B, H)), rng.standard_normal((D, H)),
                      rng.standard_normal((H, H)), rng.standard_normal(H)))
    return cases


@exercise("rnn_step")
def rnn_step(fn) -> None:
    """Exercise 1: ``fn(x_t, h_prev, W_xh, W_hh, b_h)`` is one step of the RNN for a batch."""
    check_function(fn, _reference_step, _step_cases(), what="rnn_step",
                   hint="h_t = tanh(x_t @ W_xh + h_prev @ W_hh + b_h): row vectors, so x_t comes first.")
    passed("Right: one step of the recurrence, for every sequence of the batch at once.")


@exercise("n_params")
def n_params(fn) -> None:
    """Exercise 2: ``fn(D, H, O)`` counts the parameters of an RNN layer plus its Dense readout."""
    cases = [(1, 1, 1), (60, 64, 10), (20, 128, 5), (3, 7, 2)]
    check_function(fn, lambda D, H, O: D * H + H * H + H + H * O + O, cases, what="n_params",
                   hint="W_xh is (D, H), W_hh is (H, H), b_h is (H,), W_hy is (H, O), b_y is (O,).")
    passed("Right: note that none of it depends on T: the same weights serve every step.")


@exercise("rnn_forward")
def rnn_forward(fn) -> None:
    """Exercise 3: ``fn(x, W_xh, W_hh, b_h)`` runs the RNN over ``x: (B, T, D)`` from h0 = 0 → ``(B, T, H)``."""
    rng = np.random.default_rng(4)
    for B, T, D, H in [(1, 1, 2, 3), (3, 6, 2, 4), (2, 15, 5, 3)]:
        layer = RNN(D, H, seed=T)
        layer.params["b_h"][:] = rng.normal(size=H)
        x = rng.standard_normal((B, T, D))
        expected = layer.forward(x)
        check_function(fn, lambda *a: expected, [(x, layer.params["W_xh"], layer.params["W_hh"], layer.params["b_h"])],
                       what=f"rnn_forward on x of shape {x.shape}",
                       hint="Start from h = zeros((B, H)); for t in range(T): h = step(x[:, t], h, ...); store h in out[:, t].")
    passed("Right: your loop matches rnnlib.layers.RNN, which does exactly this.")


@exercise("last_state_index")
def last_state_index(answer, lengths) -> None:
    """Exercise 4: for padded sequences, the index of each sequence's last real step."""
    expected = np.asarray(lengths) - 1
    got = np.asarray(answer) if answer is not None else None
    if got is None or got.shape != expected.shape or not np.array_equal(got, expected):
        raise ExerciseError(f"For lengths {list(lengths)} the last real steps are at {expected.tolist()}, "
                            f"got {None if got is None else got.tolist()}. Python counts from 0.")
    passed("Right: a classifier reads the state at index length - 1, not at the padded end.")
