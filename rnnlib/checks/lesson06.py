"""Checks for lesson 06, LSTM and GRU."""
from __future__ import annotations

import numpy as np

from ..layers import GRU, LSTM
from ._core import check_function, exercise, passed


def _cases(cls, with_cell: bool):
    rng = np.random.default_rng(8)
    cases = []
    for B, D, H in [(1, 2, 3), (4, 3, 5)]:
        layer = cls(D, H, seed=B)
        for v in layer.params.values():
            v += rng.normal(0, 0.2, v.shape)
        x, h = rng.standard_normal((B, D)), rng.standard_normal((B, H))
        args = (x, h, rng.standard_normal((B, H))) if with_cell else (x, h)
        cases.append((layer, args))
    return cases


@exercise("lstm_step")
def lstm_step(fn) -> None:
    """Exercise 1: ``fn(x_t, h_prev, c_prev, W_x, W_h, b)`` returns ``(h_t, c_t)`` of one LSTM step."""
    for layer, (x, h, c) in _cases(LSTM, True):
        expected_h = layer.forward(x[:, None], h0=h, c0=c)[:, 0]
        expected_c = layer.last_cell
        p = layer.params
        check_function(lambda *a: np.stack(fn(*a)), lambda *a: np.stack([expected_h, expected_c]),
                       [(x, h, c, p["W_x"], p["W_h"], p["b"])], what="lstm_step (h_t and c_t stacked)",
                       hint="Split a = x W_x + h W_h + b into four blocks i, f, g, o (in that order); σ on i, f, o, "
                            "tanh on g; c = f·c_prev + i·g; h = o·tanh(c).")
    passed("Right: your step matches layers.LSTM.")


@exercise("gru_step")
def gru_step(fn) -> None:
    """Exercise 2: ``fn(x_t, h_prev, W_x, W_h, b_x, b_h)`` returns ``h_t`` of one GRU step."""
    for layer, (x, h) in _cases(GRU, False):
        expected = layer.forward(x[:, None], h0=h)[:, 0]
        p = layer.params
        check_function(fn, lambda *a: expected, [(x, h, p["W_x"], p["W_h"], p["b_x"], p["b_h"])], what="gru_step",
                       hint="ax = x W_x + b_x and ah = h W_h + b_h, each in blocks r, z, n; r, z = σ(ax + ah) blockwise; "
                            "n = tanh(ax_n + r·ah_n); h = (1 - z)·n + z·h_prev.")
    passed("Right: your step matches layers.GRU.")


@exercise("n_params")
def n_params(fn) -> None:
    """Exercise 3: ``fn(kind, D, H)`` counts the parameters of an ``"rnn"``, ``"lstm"`` or ``"gru"`` layer."""
    counts = {"rnn": lambda D, H: D * H + H * H + H, "lstm": lambda D, H: 4 * (D * H + H * H + H),
              "gru": lambda D, H: 3 * (D * H + H * H + 2 * H)}
    cases = [(k, D, H) for k in counts for D, H in ((1, 1), (60, 64), (20, 32))]
    check_function(fn, lambda k, D, H: counts[k](D, H), cases, what="n_params",
                   hint="An LSTM is four RNN-sized blocks (one per gate); a GRU three, with two bias vectors each.")
    passed("Right: an LSTM costs four times an RNN of the same width, a GRU three times.")


@exercise("cell_gradient")
def cell_gradient(fn) -> None:
    """Exercise 4: ``fn(f, k)``: the factor a gradient on the cell keeps after ``k`` steps of forget gate ``f``."""
    cases = [(0.99, 100), (0.5, 3), (1.0, 1000), (np.array([0.9, 0.999]), 50)]
    check_function(fn, lambda f, k: np.asarray(f) ** k, cases, what="cell_gradient",
                   hint="Along the cell, ∂c_t/∂c_{t-1} = f (element-wise): k steps multiply by f ** k.")
    passed("Right: with f = 0.99 a third of the gradient survives 100 steps; the network learns how much to keep.")
