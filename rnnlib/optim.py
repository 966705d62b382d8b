"""Optimizers: they read each layer's ``params`` and ``grads`` and update the parameters in place."""
from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Adam", "clip_grad_norm", "global_norm"]


def _layers(layers):
    """The list of layers an optimizer updates: a list of layers, one layer, or a model (its ``.layers``)."""
    if hasattr(layers, "params"):
        layers = [layers]
    elif hasattr(layers, "layers"):
        layers = list(layers.layers)            # a model, e.g. models.SequenceClassifier
    else:
        try:
            layers = list(layers)
        except TypeError:
            raise ValueError(f"Give the optimizer a list of layers (e.g. model.layers), got {type(layers).__name__}."
                             ) from None
    if not layers:
        raise ValueError("Give the optimizer at least one layer (an object with .params and .grads).")
    for layer in layers:
        if not hasattr(layer, "params") or not hasattr(layer, "grads"):
            raise ValueError(f"{layer!r} is not a layer: it needs .params and .grads dictionaries.")
    return layers


def _pairs(layers):
    """(key, parameter, gradient) for every parameter; complains clearly about a missing backward."""
    for i, layer in enumerate(layers):
        for name, p in layer.params.items():
            g = layer.grads.get(name)
            if g is None:
                raise RuntimeError(f"{type(layer).__name__} has no gradient for {name!r}: call backward before step().")
            yield (i, name), p, g


def global_norm(layers) -> float:
    """The length of all gradients stacked into one vector: ``sqrt(Σ ||g||²)``."""
    squares = sum(float(np.sum(np.square(g, dtype=np.float64))) for _, _, g in _pairs(_layers(layers)))
    return float(np.sqrt(squares))


def clip_grad_norm(layers, max_norm: float) -> float:
    """Scale every gradient by ``min(1, max_norm / global norm)``; return the norm before clipping.

    The direction of the step is kept; only its length is capped, which tames exploding gradients.
    """
    if not max_norm > 0:
        raise ValueError(f"max_norm must be positive, got {max_norm!r}.")
    layers = _layers(layers)
    norm = global_norm(layers)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-12)
        for _, _, g in _pairs(layers):
            g *= scale
    return norm


class SGD:
    """Stochastic gradient descent with optional momentum: ``v = μ v - lr g``; ``p += v``."""

    def __init__(self, layers, lr: float = 0.01, momentum: float = 0.0):
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}.")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}.")
        self.layers, self.lr, self.momentum = _layers(layers), lr, momentum
        self.velocity: dict = {}

    def step(self) -> None:
        for key, p, g in _pairs(self.layers):
            if self.momentum:
                v = self.velocity.setdefault(key, np.zeros_like(p))
                v *= self.momentum
                v -= self.lr * g
                p += v
            else:
                p -= self.lr * g


class Adam:
    """Adam (Kingma & Ba, 2015): a step per parameter scaled by running averages of the gradient and its square.

    For every parameter ``p`` with gradient ``g``, at step ``t = 1, 2, …``:
    ``m = β1 m + (1-β1) g`` and ``v = β2 v + (1-β2) g²`` (running averages, starting at 0); the bias-corrected
    ``m̂ = m / (1-β1^t)`` and ``v̂ = v / (1-β2^t)`` undo that start at 0; then ``p -= lr · m̂ / (sqrt(v̂) + ε)``.
    (Lesson 05 calls ``v`` ``s``.) The same arithmetic as PyTorch's ``torch.optim.Adam``.
    """

    def __init__(self, layers, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        if not lr > 0:
            raise ValueError(f"lr must be positive, got {lr!r}.")
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must lie in [0, 1), got {betas!r}.")
        self.layers, self.lr, self.betas, self.eps = _layers(layers), lr, tuple(betas), eps
        self.m: dict = {}
        self.v: dict = {}
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        for key, p, g in _pairs(self.layers):
            m = self.m.setdefault(key, np.zeros_like(p))
            v = self.v.setdefault(key, np.zeros_like(p))
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * np.square(g)
            m_hat = m / (1 - b1 ** self.t)
            v_hat = v / (1 - b2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
