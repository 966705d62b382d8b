"""Map rnnlib parameters to and from PyTorch's layouts (NumPy only: torch is never needed here).

PyTorch stores weights as ``(out, in)`` and computes ``x Wᵀ``; rnnlib stores ``(in, out)`` and computes
``x W``, so every matrix is transposed. ``nn.RNN`` has two biases (``b_ih + b_hh``) where the equations
have one, ``b_h``; going to torch we put it all in ``b_ih`` and zero ``b_hh``; coming back we add them.
``nn.LSTM`` likewise has ``b_ih + b_hh`` where rnnlib's LSTM has ``b``. ``nn.GRU`` needs both biases
(``b_hn`` sits inside the reset gate's product), and rnnlib's GRU keeps both as ``b_x``, ``b_h``.
Gate blocks are in the same order on both sides: i, f, g, o (LSTM) and r, z, n (GRU).
Keys are those of ``module.state_dict()`` for a one-layer module.
"""
from __future__ import annotations

import numpy as np

__all__ = ["dense_to_torch", "dense_from_torch", "rnn_to_torch", "rnn_from_torch", "lstm_to_torch",
           "lstm_from_torch", "gru_to_torch", "gru_from_torch", "to_torch", "from_torch"]


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


def _one_bias_to_torch(W_x, W_h, b) -> dict:
    """rnnlib's single bias becomes ``bias_ih``; ``bias_hh`` is zero (RNN and LSTM)."""
    return {"weight_ih_l0": W_x.T.copy(), "weight_hh_l0": W_h.T.copy(), "bias_ih_l0": b.copy(),
            "bias_hh_l0": np.zeros_like(b)}


def _one_bias_from_torch(state: dict) -> tuple:
    """``(W_x, W_h, b)`` from a one-layer torch RNN/LSTM state; the two torch biases are added."""
    return (_get(state, "weight_ih_l0").T.copy(), _get(state, "weight_hh_l0").T.copy(),
            _get(state, "bias_ih_l0") + _get(state, "bias_hh_l0"))


def rnn_to_torch(params: dict) -> dict:
    """``{W_xh (D, H), W_hh (H, H), b_h (H,)}`` → ``nn.RNN`` (one layer, batch_first) state."""
    return _one_bias_to_torch(params["W_xh"], params["W_hh"], params["b_h"])


def rnn_from_torch(state: dict) -> dict:
    """``nn.RNN`` (one layer) state → ``{W_xh, W_hh, b_h}``; the two torch biases are added."""
    return dict(zip(("W_xh", "W_hh", "b_h"), _one_bias_from_torch(state)))


def lstm_to_torch(params: dict) -> dict:
    """``{W_x (D, 4H), W_h (H, 4H), b (4H,)}`` → ``nn.LSTM`` (one layer) state; gate order i, f, g, o."""
    return _one_bias_to_torch(params["W_x"], params["W_h"], params["b"])


def lstm_from_torch(state: dict) -> dict:
    """``nn.LSTM`` (one layer) state → ``{W_x, W_h, b}``; the two torch biases are added."""
    return dict(zip(("W_x", "W_h", "b"), _one_bias_from_torch(state)))


def gru_to_torch(params: dict) -> dict:
    """``{W_x (D, 3H), W_h (H, 3H), b_x, b_h (3H,)}`` → ``nn.GRU`` (one layer) state; gate order r, z, n."""
    return {"weight_ih_l0": params["W_x"].T.copy(), "weight_hh_l0": params["W_h"].T.copy(),
            "bias_ih_l0": params["b_x"].copy(), "bias_hh_l0": params["b_h"].copy()}


def gru_from_torch(state: dict) -> dict:
    """``nn.GRU`` (one layer) state → ``{W_x, W_h, b_x, b_h}``."""
    return {"W_x": _get(state, "weight_ih_l0").T.copy(), "W_h": _get(state, "weight_hh_l0").T.copy(),
            "b_x": _get(state, "bias_ih_l0").copy(), "b_h": _get(state, "bias_hh_l0").copy()}


_BY_LAYER = {"Dense": (dense_to_torch, dense_from_torch), "RNN": (rnn_to_torch, rnn_from_torch),
             "LSTM": (lstm_to_torch, lstm_from_torch), "GRU": (gru_to_torch, gru_from_torch)}


def _mapping(layer):
    name = type(layer).__name__
    if name not in _BY_LAYER:
        raise ValueError(f"No PyTorch mapping for {name}; there is one for {sorted(_BY_LAYER)}.")
    return _BY_LAYER[name]


def to_torch(layer) -> dict:
    """The PyTorch state dict (NumPy arrays) equivalent to an rnnlib ``Dense``, ``RNN``, ``LSTM`` or ``GRU``."""
    return _mapping(layer)[0](layer.params)


def from_torch(layer, state: dict) -> None:
    """Load a PyTorch state dict (tensors or arrays) into an rnnlib layer of the same sizes, in place."""
    params = _mapping(layer)[1](state)
    for key, value in params.items():
        if value.shape != layer.params[key].shape:
            raise ValueError(f"{type(layer).__name__}.{key} has shape {layer.params[key].shape}, the PyTorch "
                             f"weights give {value.shape}: build the layer with the same sizes.")
        layer.params[key][...] = value
