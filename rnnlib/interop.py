"""Map rnnlib parameters to and from PyTorch's layouts (NumPy only: torch is never needed here).

PyTorch stores weights as ``(out, in)`` and computes ``x Wᵀ``; rnnlib stores ``(in, out)`` and computes
``x W``, so every matrix is transposed. ``nn.RNN`` has two biases (``b_ih + b_hh``) where the equations
have one, ``b_h``; going to torch we put it all in ``b_ih`` and zero ``b_hh``; coming back we add them.
Keys are those of ``module.state_dict()`` for a one-layer module.
"""
from __future__ import annotations

import numpy as np

__all__ = ["dense_to_torch", "dense_from_torch", "rnn_to_torch", "rnn_from_torch"]


def _np(value) -> np.ndarray:
    """A tensor or array as a NumPy array (detached, on the CPU)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _get(state: dict, key: str) -> np.ndarray:
    if key not in state:
        raise ValueError(f"Expected a PyTorch state dict with {key!r}; got keys {sorted(state)}.")
    return _np(state[key])


def dense_to_torch(params: dict) -> dict:
    """``{W (D, O), b (O,)}`` → ``nn.Linear`` state: ``{weight (O, D), bias (O,)}``."""
    return {"weight": params["W"].T.copy(), "bias": params["b"].copy()}


def dense_from_torch(state: dict) -> dict:
    """``nn.Linear`` state → ``{W (D, O), b (O,)}``."""
    return {"W": _get(state, "weight").T.copy(), "b": _get(state, "bias").copy()}


def rnn_to_torch(params: dict) -> dict:
    """``{W_xh (D, H), W_hh (H, H), b_h (H,)}`` → ``nn.RNN`` (one layer, batch_first) state."""
    return {"weight_ih_l0": params["W_xh"].T.copy(), "weight_hh_l0": params["W_hh"].T.copy(),
            "bias_ih_l0": params["b_h"].copy(), "bias_hh_l0": np.zeros_like(params["b_h"])}


def rnn_from_torch(state: dict) -> dict:
    """``nn.RNN`` (one layer) state → ``{W_xh, W_hh, b_h}``; the two torch biases are added."""
    return {"W_xh": _get(state, "weight_ih_l0").T.copy(), "W_hh": _get(state, "weight_hh_l0").T.copy(),
            "b_h": _get(state, "bias_ih_l0") + _get(state, "bias_hh_l0")}
