"""Layers with explicit ``forward`` and ``backward``: the networks of the course, by hand.

Conventions (see DESIGN.md):

* arrays are batch-major: a batch of sequences is ``x: (B, T, D)``, hidden states ``(B, T, H)``;
* a layer owns ``params`` (name → array) and, after :meth:`backward`, ``grads`` with the same keys
  and shapes; ``forward`` keeps what ``backward`` needs, ``backward(dout)`` returns ``d loss / d input``;
* constructors read ``Layer(input_size, output_size, *, seed=None, dtype=np.float64)``: float64 for
  gradient checks, float32 for speed.

Masks. A ``mask: (B, T)`` of booleans marks the real steps of padded sequences. At a padded step a
recurrent layer keeps its state unchanged and outputs zeros, so padding changes no sequence's result
and receives no gradient.
"""
from __future__ import annotations

import numpy as np

__all__ = ["Layer", "Dense", "RNN", "glorot_uniform", "orthogonal"]


# ----------------------------------------------------------------------------- initializers

def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int, dtype) -> np.ndarray:
    """``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``: keeps activations' variance steady. ``(fan_in, fan_out)``."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def orthogonal(rng: np.random.Generator, n: int, dtype) -> np.ndarray:
    """A random ``(n, n)`` orthogonal matrix: every singular value is 1, so it neither shrinks nor stretches."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)


# ----------------------------------------------------------------------------- shared checks

def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}.")
    return int(value)


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be np.float32 or np.float64, got {dtype}.")
    return dtype


class Layer:
    """What every layer shares: parameters, their gradients, and a readable summary."""

    def __init__(self, dtype=np.float64):
        self.dtype = _check_dtype(dtype)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None

    @property
    def n_params(self) -> int:
        """How many numbers the layer learns."""
        return int(sum(p.size for p in self.params.values()))

    def _need_forward(self):
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called before forward: run forward first "
                               "(backward uses what forward kept).")
        return self._cache

    def _as_input(self, x, ndims: tuple[int, ...], width: int, what: str) -> np.ndarray:
        x = np.asarray(x)
        if x.dtype.kind not in "fiu":
            raise ValueError(f"{type(self).__name__} expects numbers, got an array of dtype {x.dtype}.")
        if x.ndim not in ndims or x.shape[-1] != width:
            raise ValueError(f"{type(self).__name__} expects {what} with last axis {width}, got shape {x.shape}.")
        return x.astype(self.dtype, copy=False)

    def _check_grad(self, d, shape, name="dout") -> np.ndarray:
        d = np.asarray(d)
        if d.shape != tuple(shape):
            raise ValueError(f"{type(self).__name__}.backward: {name} must have the shape of the output "
                             f"{tuple(shape)}, got {d.shape}.")
        return d.astype(self.dtype, copy=False)

    def __repr__(self):
        shapes = ", ".join(f"{k}{tuple(v.shape)}" for k, v in self.params.items())
        return f"{type(self).__name__}({shapes}; {self.n_params} parameters, {self.dtype})"


def _as_mask(mask, B: int, T: int) -> np.ndarray | None:
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.shape != (B, T):
        raise ValueError(f"mask must have shape (B, T) = {(B, T)}, got {mask.shape}.")
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must hold booleans (True for real steps, False for padding) or 0/1.")
        mask = mask.astype(bool)
    return None if mask.all() else mask


# ----------------------------------------------------------------------------- Dense

class Dense(Layer):
    """An affine map ``y = x W + b``, applied to every step of ``(B, T, D)`` or to ``(B, D)``.

    params: ``W (D, O)``, ``b (O,)``. This is the readout ``y_t = W_hy h_t + b_y`` of the lessons,
    written for row vectors (``h_t W`` rather than ``W h_t``) because batches stack rows.
    """

    def __init__(self, input_size: int, output_size: int, *, seed=None, dtype=np.float64):
        super().__init__(dtype)
        D, O = _positive_int(input_size, "input_size"), _positive_int(output_size, "output_size")
        rng = np.random.default_rng(seed)
        self.params = {"W": glorot_uniform(rng, D, O, self.dtype), "b": np.zeros(O, self.dtype)}

    def forward(self, x) -> np.ndarray:
        """x: ``(B, T, D)`` or ``(B, D)`` → ``(B, T, O)`` or ``(B, O)``."""
        W, b = self.params["W"], self.params["b"]
        x = self._as_input(x, (2, 3), W.shape[0], "x of shape (B, D) or (B, T, D)")
        self._cache = x
        return x @ W + b

    def backward(self, dout) -> np.ndarray:
        """dout: ``d loss / d y``, the shape of the output. Returns ``d loss / d x``."""
        x = self._need_forward()
        W = self.params["W"]
        dout = self._check_grad(dout, x.shape[:-1] + (W.shape[1],))
        x2, d2 = x.reshape(-1, W.shape[0]), dout.reshape(-1, W.shape[1])
        self.grads = {"W": x2.T @ d2, "b": d2.sum(axis=0)}
        return dout @ W.T


# ----------------------------------------------------------------------------- RNN

class RNN(Layer):
    r"""The vanilla (Elman) recurrent layer, ``h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)``.

    params: ``W_xh (D, H)``, ``W_hh (H, H)``, ``b_h (H,)``, initialized as Keras's ``SimpleRNN``
    (Glorot-uniform input weights, orthogonal recurrent weights, zero bias).

    After ``forward``: ``last_state (B, H)``, the state after each sequence's last real step.
    After ``backward``: ``grads`` and ``dh0 (B, H)``, the gradient with respect to the initial state.

    Speed: the input projection of all steps is one matrix product before the loop; the loop over
    time does one ``(B, H) @ (H, H)`` product per step each way; the weight gradients are single large
    products after the loop. Buffers are time-major inside, so every step reads contiguous memory.
    """

    def __init__(self, input_size: int, hidden_size: int, *, seed=None, dtype=np.float64):
        super().__init__(dtype)
        D, H = _positive_int(input_size, "input_size"), _positive_int(hidden_size, "hidden_size")
        rng = np.random.default_rng(seed)
        self.params = {"W_xh": glorot_uniform(rng, D, H, self.dtype), "W_hh": orthogonal(rng, H, self.dtype),
                       "b_h": np.zeros(H, self.dtype)}
        self.last_state = None
        self.dh0 = None

    @property
    def input_size(self) -> int:
        return self.params["W_xh"].shape[0]

    @property
    def hidden_size(self) -> int:
        return self.params["W_hh"].shape[0]

    def _initial_state(self, h0, B):
        H = self.hidden_size
        if h0 is None:
            return np.zeros((B, H), self.dtype)
        h0 = np.asarray(h0)
        if h0.shape != (B, H):
            raise ValueError(f"h0 must have shape (B, H) = {(B, H)}, got {h0.shape}.")
        return h0.astype(self.dtype, copy=False)

    def forward(self, x, h0=None, mask=None) -> np.ndarray:
        """x: ``(B, T, D)``; h0: ``(B, H)`` or None (zeros); mask: ``(B, T)`` bool or None. Returns ``h: (B, T, H)``."""
        x = self._as_input(x, (3,), self.input_size, "x of shape (B, T, D)")
        B, T, _ = x.shape
        mask = _as_mask(mask, B, T)
        W_hh = self.params["W_hh"]
        xs = np.ascontiguousarray(x.transpose(1, 0, 2))            # (T, B, D)
        pre = xs @ self.params["W_xh"] + self.params["b_h"]       # (T, B, H): all input terms at once
        states = np.empty((T + 1, B, self.hidden_size), self.dtype)  # states[0] = h0, states[t+1] = h_t
        states[0] = self._initial_state(h0, B)
        for t in range(T):
            a = pre[t]
            a += states[t] @ W_hh
            np.tanh(a, out=a)                                     # pre[t] now holds tanh(a_t)
            if mask is None:
                states[t + 1] = a
            else:
                m = mask[:, t, None]
                np.copyto(states[t + 1], np.where(m, a, states[t]))
                a *= m                                            # padded steps output zeros
        self._cache = (xs, pre, states, mask)
        self.last_state = states[T].copy()
        return pre.transpose(1, 0, 2)                             # (B, T, H) view of tanh outputs

    def backward(self, dout, dlast=None) -> np.ndarray:
        """dout: ``d loss / d h``, ``(B, T, H)``; dlast: ``d loss / d last_state``, ``(B, H)`` or None.

        Returns ``dx: (B, T, D)``; fills ``grads`` and ``dh0``.
        """
        xs, tanh_a, states, mask = self._need_forward()
        T, B, H = tanh_a.shape
        W_hh = self.params["W_hh"]
        dout = self._check_grad(dout, (B, T, H))
        dA = dout.transpose(1, 0, 2).copy()                       # (T, B, H), own memory: becomes d loss / d a_t
        dh = np.zeros((B, H), self.dtype) if dlast is None else self._check_grad(dlast, (B, H), "dlast").copy()
        for t in range(T - 1, -1, -1):
            da = dA[t]
            if mask is None:
                da += dh
                da *= 1.0 - tanh_a[t] ** 2
                dh = da @ W_hh.T
            else:
                m = mask[:, t, None]
                da += dh
                da *= m * (1.0 - tanh_a[t] ** 2)
                dh = da @ W_hh.T + np.where(m, 0.0, dh)           # padded steps pass dh straight through
        X = xs.reshape(T * B, -1)
        dA2 = dA.reshape(T * B, H)
        self.grads = {"W_xh": X.T @ dA2, "W_hh": states[:T].reshape(T * B, H).T @ dA2, "b_h": dA2.sum(axis=0)}
        self.dh0 = dh
        return (dA2 @ self.params["W_xh"].T).reshape(T, B, -1).transpose(1, 0, 2)
