"""Checks for lesson 04, Backpropagation through time."""
from __future__ import annotations

import numpy as np

from ._core import check_function, exercise, passed


@exercise("tanh_grad")
def tanh_grad(fn) -> None:
    """Exercise 1: ``fn(h)`` is d tanh(a)/da written in terms of ``h = tanh(a)``."""
    cases = [np.array(0.0), np.array([0.5, -0.5, 0.99]), np.tanh(np.linspace(-3, 3, 7))]
    check_function(fn, lambda h: 1 - np.asarray(h) ** 2, cases, what="tanh_grad",
                   hint="d/da tanh(a) = 1 - tanh(a)²: you already have tanh(a), it is h.")
    passed("Right: the backward pass never needs a again, only the stored h_t.")


def _readout_reference(h, dy):
    H, O = h.shape[-1], dy.shape[-1]
    return h.reshape(-1, H).T @ dy.reshape(-1, O)


@exercise("readout_grad")
def readout_grad(fn) -> None:
    """Exercise 2: ``fn(h, dy)`` is dL/dW_hy summed over batch and time; ``h: (B, T, H)``, ``dy: (B, T, O)``."""
    rng = np.random.default_rng(0)
    cases = [(rng.standard_normal((1, 1, 2)), rng.standard_normal((1, 1, 3))),
             (rng.standard_normal((4, 6, 3)), rng.standard_normal((4, 6, 2)))]
    check_function(fn, _readout_reference, cases, what="readout_grad",
                   hint="Each step adds h_tᵀ dy_t; flatten (B, T) into one axis and it is one matrix product.")
    passed("Right: a weight used at every step collects a gradient from every step.")


@exercise("centred_difference")
def centred_difference(fn) -> None:
    """Exercise 3: ``fn(f, x, eps)`` approximates f'(x) by a centred difference."""
    cases = [(np.sin, 0.3, 1e-5), (np.exp, 1.0, 1e-4), (lambda v: v**3, 2.0, 1e-3)]
    check_function(fn, lambda f, x, eps: (f(x + eps) - f(x - eps)) / (2 * eps), cases, what="centred_difference",
                   rtol=1e-9, hint="(f(x + eps) - f(x - eps)) / (2 * eps)")
    passed("Right: the error of a centred difference shrinks like eps², a one-sided one only like eps.")


def _dh_reference(dy_t, W_hy, da_next, W_hh):
    return dy_t @ W_hy.T + da_next @ W_hh.T


@exercise("hidden_grad")
def hidden_grad(fn) -> None:
    """Exercise 4: ``fn(dy_t, W_hy, da_next, W_hh)`` is dL/dh_t: the two paths out of h_t."""
    rng = np.random.default_rng(1)
    cases = [(rng.standard_normal((2, 3)), rng.standard_normal((4, 3)), rng.standard_normal((2, 4)),
              rng.standard_normal((4, 4)))]
    check_function(fn, _dh_reference, cases, what="hidden_grad",
                   hint="Now: through y_t = h_t W_hy. Later: through a_{t+1} = ... + h_t W_hh. Add both.")
    passed("Right: this recursion, run from t = T down to 1, is backpropagation through time.")
