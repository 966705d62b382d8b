"""Numeric gradients: the independent witness that a hand-written backward pass is right.

The centred difference ``(f(p + ε) - f(p - ε)) / 2ε`` differs from the true derivative by ``O(ε²)``;
in float64 with ``ε = 1e-6`` that leaves about 1e-10 of rounding noise, so a correct backward pass
agrees to a relative error far below 1e-6, and a wrong one rarely gets anywhere near.
"""
from __future__ import annotations

import numpy as np

__all__ = ["numeric_gradient", "relative_error", "check_gradients", "check_layer"]


def numeric_gradient(f, array: np.ndarray, *, eps: float = 1e-6, indices=None) -> np.ndarray:
    """Centred finite differences of the scalar ``f()`` with respect to ``array`` (changed in place, then restored).

    indices: flat indices to probe (default all); other entries of the result are NaN.
    Returns an array the shape of ``array``.
    """
    if array.dtype != np.float64:
        raise ValueError(f"Numeric gradients need float64 (got {array.dtype}): float32 rounding swamps the "
                         "differences. Build the layer with dtype=np.float64.")
    flat = array.reshape(-1)  # a view: writing to it changes array
    grad = np.full(array.size, np.nan)
    for i in range(array.size) if indices is None else indices:
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old - eps
        down = f()
        flat[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad.reshape(array.shape)


def relative_error(analytic, numeric) -> float:
    """``max |a - n| / max(|a| + |n|)`` over the entries compared (NaNs in ``numeric`` are skipped).

    Scale-free, and well-defined when many true gradients are exactly zero (as with masks).
    """
    a, n = np.asarray(analytic, np.float64), np.asarray(numeric, np.float64)
    probed = ~np.isnan(n)
    a, n = a[probed], n[probed]
    scale = np.max(np.abs(a) + np.abs(n)) if a.size else 0.0
    return 0.0 if scale == 0 else float(np.max(np.abs(a - n)) / scale)


def check_gradients(loss, arrays: dict, analytic: dict, *, eps: float = 1e-6, max_entries: int | None = None,
                    seed=0) -> dict[str, float]:
    """Compare ``analytic[name]`` with the numeric gradient of ``loss()`` for every array in ``arrays``.

    max_entries: probe at most this many randomly chosen entries per array (default: all).
    Returns ``{name: relative error}``.
    """
    rng = np.random.default_rng(seed)
    errors = {}
    for name, arr in arrays.items():
        if name not in analytic:
            raise ValueError(f"No analytic gradient named {name!r}; have {sorted(analytic)}.")
        if analytic[name].shape != arr.shape:
            raise ValueError(f"Gradient {name!r} has shape {analytic[name].shape}, its array {arr.shape}.")
        idx = None
        if max_entries is not None and arr.size > max_entries:
            idx = rng.choice(arr.size, size=max_entries, replace=False)
        errors[name] = relative_error(analytic[name], numeric_gradient(loss, arr, eps=eps, indices=idx))
    return errors


def check_layer(layer, x, *, seed=0, max_entries: int | None = None, **forward_kwargs) -> dict[str, float]:
    """Gradient-check every parameter of ``layer`` and its input ``x`` (and ``h0``/``c0`` if given).

    The loss is ``sum(out * R)`` for a fixed random ``R``, so ``d loss / d out = R`` exercises every
    output. Array-valued keyword arguments named ``h0`` or ``c0`` are checked too (against
    ``layer.dh0``/``layer.dc0``). Returns ``{name: relative error}``.
    """
    rng = np.random.default_rng(seed)
    x = np.array(x, dtype=np.float64)
    states = {k: np.array(v, dtype=np.float64) for k, v in forward_kwargs.items()
              if k in ("h0", "c0") and v is not None}
    others = {k: v for k, v in forward_kwargs.items() if k not in states}

    def run():
        return layer.forward(x, **states, **others)

    out = run()
    R = rng.standard_normal(out.shape)
    dx = layer.backward(R)
    analytic = {**{k: v.copy() for k, v in layer.grads.items()}, "x": dx.copy()}
    for k in states:
        analytic[k] = getattr(layer, "d" + k).copy()

    def loss():
        return float(np.sum(run() * R))

    return check_gradients(loss, {**layer.params, "x": x, **states}, analytic, max_entries=max_entries, seed=seed)
