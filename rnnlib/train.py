"""Training loops for what the lessons have built.

``fit_sequence_regressor`` is lesson 04's loop: an ``RNN`` (or any recurrent layer with the same
``forward(x, h0=..., mask=...)``/``backward`` contract) and a ``Dense`` readout, trained to map every
step of ``x: (B, T, D)`` to ``y: (B, T, O)`` with mean squared error, optionally with truncated
backpropagation through time and gradient clipping.
"""
from __future__ import annotations

import numpy as np

from . import losses, optim

__all__ = ["fit_sequence_regressor", "predict_sequence"]


def predict_sequence(rnn, readout, x, h0=None) -> np.ndarray:
    """``readout(rnn(x))``: ``x: (B, T, D)`` → ``(B, T, O)``."""
    return readout.forward(rnn.forward(x, h0=h0))


def fit_sequence_regressor(rnn, readout, x, y, *, optimizer, steps: int, chunk: int | None = None,
                           clip: float | None = None, batch_size: int | None = None, seed=0) -> dict:
    """Train ``rnn`` + ``readout`` on ``(x, y)`` for ``steps`` updates; return the history.

    x: ``(B, T, D)``, y: ``(B, T, O)``. optimizer: e.g. ``optim.SGD([rnn, readout], lr=0.1)``.
    chunk: truncated BPTT: cut time into chunks of this many steps, carry the state from chunk to
    chunk, but backpropagate only within a chunk (one update per chunk). clip: cap the global
    gradient norm. batch_size: sample this many sequences per update (default: all).

    Returns ``{"loss": [...], "grad_norm": [...], "diverged_at": None}``, one entry per update (the
    norm before clipping). If the loss stops being a finite number, training stops there and
    ``diverged_at`` holds that update's index: lower the learning rate, or clip.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or y.ndim != 3 or x.shape[:2] != y.shape[:2]:
        raise ValueError(f"x must be (B, T, D) and y (B, T, O) with the same B and T; got {x.shape} and {y.shape}.")
    B, T = x.shape[:2]
    chunk = T if chunk is None else int(chunk)
    if not 1 <= chunk <= T:
        raise ValueError(f"chunk must be between 1 and T = {T}, got {chunk}.")
    rng = np.random.default_rng(seed)
    history = {"loss": [], "grad_norm": [], "diverged_at": None}
    layers = [rnn, readout]
    while len(history["loss"]) < steps:
        rows = rng.choice(B, size=batch_size, replace=False) if batch_size else slice(None)
        xb, yb = x[rows], y[rows]
        h = None
        for start in range(0, T, chunk):
            if len(history["loss"]) >= steps:
                break
            xs, ys = xb[:, start:start + chunk], yb[:, start:start + chunk]
            with np.errstate(over="ignore", invalid="ignore"):
                pred = readout.forward(rnn.forward(xs, h0=h))
                loss, dpred = losses.mean_squared_error(pred, ys)
            if not np.isfinite(loss):
                history["diverged_at"] = len(history["loss"])
                return history
            h = rnn.last_state  # carried forward, but no gradient flows back through it
            rnn.backward(readout.backward(dpred))
            norm = optim.clip_grad_norm(layers, clip) if clip else optim.global_norm(layers)
            optimizer.step()
            history["loss"].append(loss)
            history["grad_norm"].append(norm)
    return history
