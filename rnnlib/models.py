"""A sequence classifier: stacked recurrent layers and a ``Dense`` readout, trained end to end.

``x: (B, T, D)`` → recurrent layers → one vector per sequence (the state after its last real step,
or the mean of its states over real steps) → ``Dense`` → ``logits: (B, C)``.
"""
from __future__ import annotations

import numpy as np

from . import losses
from .layers import GRU, LSTM, RNN, Dense

__all__ = ["SequenceClassifier", "RECURRENT_LAYERS"]

RECURRENT_LAYERS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
POOLINGS = ("last", "mean")


class SequenceClassifier:
    """Recurrent layers, a pooling over time, and a readout.

    recurrent: list of recurrent layers (``RNN``, ``LSTM``, ``GRU``), each feeding the next.
    readout: ``Dense(H_last, n_classes)``. pooling: ``"last"`` (state after each sequence's last
    real step) or ``"mean"`` (masked mean of the top layer's states).
    ``layers`` lists every layer, for optimizers: ``optim.Adam(model.layers)``.
    """

    def __init__(self, recurrent: list, readout: Dense, pooling: str = "last"):
        if not recurrent:
            raise ValueError("A SequenceClassifier needs at least one recurrent layer.")
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        for below, above in zip(recurrent, recurrent[1:]):
            if above.input_size != below.hidden_size:
                raise ValueError(f"{type(above).__name__} expects {above.input_size} inputs but the layer below "
                                 f"gives {below.hidden_size}.")
        if readout.params["W"].shape[0] != recurrent[-1].hidden_size:
            raise ValueError(f"The readout expects {readout.params['W'].shape[0]} inputs but the top recurrent "
                             f"layer gives {recurrent[-1].hidden_size}.")
        self.recurrent, self.readout, self.pooling = list(recurrent), readout, pooling
        self._cache = None

    @classmethod
    def build(cls, kind: str, input_size: int, hidden_sizes, n_classes: int, *, pooling: str = "last",
              seed=None, dtype=np.float32) -> "SequenceClassifier":
        """E.g. ``build("lstm", 60, [64, 64], 10)``: the course's recognizer, LSTM 64 → LSTM 64 → softmax."""
        if kind not in RECURRENT_LAYERS:
            raise ValueError(f"kind must be one of {sorted(RECURRENT_LAYERS)}, got {kind!r}.")
        rng = np.random.default_rng(seed)
        sizes = [input_size, *hidden_sizes]
        layers = [RECURRENT_LAYERS[kind](d, h, seed=rng, dtype=dtype) for d, h in zip(sizes, sizes[1:])]
        return cls(layers, Dense(sizes[-1], n_classes, seed=rng, dtype=dtype), pooling)

    @property
    def layers(self) -> list:
        return [*self.recurrent, self.readout]

    @property
    def n_params(self) -> int:
        return sum(layer.n_params for layer in self.layers)

    @property
    def input_size(self) -> int:
        return self.recurrent[0].input_size

    @property
    def n_classes(self) -> int:
        return self.readout.params["W"].shape[1]

    def forward(self, x, mask=None) -> np.ndarray:
        """x: ``(B, T, D)``; mask: ``(B, T)`` bool or None. Returns ``logits: (B, C)``."""
        h = x
        for layer in self.recurrent:
            h = layer.forward(h, mask=mask)
        B, T, H = h.shape
        if self.pooling == "last":
            pooled = self.recurrent[-1].last_state
            weights = None
        else:
            weights = np.ones((B, T), h.dtype) if mask is None else np.asarray(mask, h.dtype)
            weights = weights / weights.sum(axis=1, keepdims=True)
            pooled = np.einsum("bth,bt->bh", h, weights)
        self._cache = (B, T, H, weights)
        return self.readout.forward(pooled)

    def backward(self, dlogits) -> None:
        """dlogits: ``(B, C)``. Fills ``grads`` of every layer."""
        if self._cache is None:
            raise RuntimeError("SequenceClassifier.backward was called before forward.")
        B, T, H, weights = self._cache
        dpooled = self.readout.backward(dlogits)
        top = self.recurrent[-1]
        if self.pooling == "last":
            dx = top.backward(np.zeros((B, T, H), top.dtype), dlast=dpooled)
        else:
            dx = top.backward(weights[:, :, None] * dpooled[:, None, :])
        for layer in reversed(self.recurrent[:-1]):
            dx = layer.backward(dx)

    def loss(self, x, y, mask=None, class_weights=None) -> tuple[float, np.ndarray]:
        """Forward, then softmax cross-entropy against integer labels ``y: (B,)``; returns ``(loss, dlogits)``."""
        return losses.softmax_cross_entropy(self.forward(x, mask), y, class_weights=class_weights)

    def predict_proba(self, x, mask=None) -> np.ndarray:
        """Class probabilities, ``(B, C)``."""
        return losses.softmax(self.forward(x, mask))

    def predict(self, x, mask=None) -> np.ndarray:
        """The most probable class of each sequence, ``(B,)``."""
        return self.forward(x, mask).argmax(axis=1)
