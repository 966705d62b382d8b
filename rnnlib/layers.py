"""Layers with explicit ``forward`` and ``backward``: the networks of the course, by hand.

Two forms of each recurrent layer live here:

* the **textbook steps**, one time step in plain NumPy, the equations of lessons 03, 04 and 06 line by line:
  :func:`rnn_step_forward` / :func:`rnn_step_backward`, :func:`lstm_step_forward` / :func:`lstm_step_backward`,
  :func:`gru_step_forward` / :func:`gru_step_backward` (each ``forward`` returns a ``cache`` that its
  ``backward`` reads). Read these first;
* the **layers** :class:`RNN`, :class:`LSTM`, :class:`GRU` (and :class:`Dense`), which run a whole padded batch
  over time, fast: the same arithmetic rearranged for speed, tested equal to the steps (``tests/test_layers.py``).

Conventions:

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

__all__ = ["sigmoid", "rnn_step_forward", "rnn_step_backward", "lstm_step_forward", "lstm_step_backward",
           "gru_step_forward", "gru_step_backward", "Layer", "Dense", "RNN", "LSTM", "GRU", "glorot_uniform",
           "orthogonal"]


# ----------------------------------------------------------------------------- the textbook steps

def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function ``σ(a) = 1 / (1 + e^{-a})``, between 0 and 1 (a new array)."""
    return 1.0 / (1.0 + np.exp(-a))


def rnn_step_forward(x_t, h_prev, W_xh, W_hh, b_h):
    """One step of a vanilla RNN (lesson 03): ``h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)``.

    x_t: ``(B, D)``; h_prev: ``(B, H)``; W_xh: ``(D, H)``; W_hh: ``(H, H)``; b_h: ``(H,)``.
    Returns ``h_t: (B, H)`` and ``cache = (x_t, h_prev, h_t, W_xh, W_hh)`` for :func:`rnn_step_backward`.
    """
    h_t = np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)
    return h_t, (x_t, h_prev, h_t, W_xh, W_hh)


def rnn_step_backward(dh_t, cache):
    """One step of backpropagation through time (lesson 04), undoing :func:`rnn_step_forward`.

    dh_t: ``(B, H)``, the total gradient on ``h_t`` (from this step's output and from step t+1).
    Returns ``(dx_t (B, D), dh_prev (B, H), dW_xh (D, H), dW_hh (H, H), db_h (H,))``: this step's share of the
    weight gradients (a loop adds them up over the steps).
    """
    x_t, h_prev, h_t, W_xh, W_hh = cache
    da = dh_t * (1 - h_t ** 2)                  # back through the tanh
    return da @ W_xh.T, da @ W_hh.T, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def lstm_step_forward(x_t, h_prev, c_prev, W_x, W_h, b):
    """One LSTM step (lesson 06). The four blocks of ``a`` are the input gate i, forget gate f, candidate g and
    output gate o, in PyTorch's order::

        a   = x_t W_x + h_{t-1} W_h + b              (B, 4H)
        i, f, o = σ(a_i), σ(a_f), σ(a_o);   g = tanh(a_g)
        c_t = f ⊙ c_{t-1} + i ⊙ g
        h_t = o ⊙ tanh(c_t)

    x_t: ``(B, D)``; h_prev, c_prev: ``(B, H)``; W_x: ``(D, 4H)``; W_h: ``(H, 4H)``; b: ``(4H,)``.
    Returns ``h_t, c_t: (B, H)`` and ``cache = (x_t, h_prev, c_prev, i, f, g, o, c_t, W_x, W_h)``.
    """
    H = h_prev.shape[1]
    a = x_t @ W_x + h_prev @ W_h + b
    i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
    c_t = f * c_prev + i * g
    h_t = o * np.tanh(c_t)
    return h_t, c_t, (x_t, h_prev, c_prev, i, f, g, o, c_t, W_x, W_h)


def lstm_step_backward(dh_t, dc_t, cache):
    """One LSTM step back (lesson 06), undoing :func:`lstm_step_forward` from its last line to its first.

    dh_t: ``(B, H)``, the total gradient on ``h_t``; dc_t: ``(B, H)``, the gradient on ``c_t`` from step t+1.
    Returns ``(dx_t (B, D), dh_prev (B, H), dc_prev (B, H), dW_x (D, 4H), dW_h (H, 4H), db (4H,))``.
    """
    x_t, h_prev, c_prev, i, f, g, o, c_t, W_x, W_h = cache
    tanh_c = np.tanh(c_t)
    dc = dc_t + dh_t * o * (1 - tanh_c ** 2)     # the cell's total gradient: from step t+1 and through h_t
    da_i = dc * g * i * (1 - i)                  # σ'(a) = σ(1 - σ), tanh'(a) = 1 - tanh²
    da_f = dc * c_prev * f * (1 - f)
    da_g = dc * i * (1 - g ** 2)
    da_o = dh_t * tanh_c * o * (1 - o)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)      # (B, 4H), blocks i, f, g, o
    return da @ W_x.T, da @ W_h.T, dc * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def gru_step_forward(x_t, h_prev, W_x, W_h, b_x, b_h):
    """One GRU step (lesson 06), in PyTorch's form (the reset gate applied after the product)::

        ax = x_t W_x + b_x;  ah = h_{t-1} W_h + b_h      (B, 3H) each, blocks r, z, n
        r = σ(ax_r + ah_r);  z = σ(ax_z + ah_z)
        n = tanh(ax_n + r ⊙ ah_n)
        h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

    x_t: ``(B, D)``; h_prev: ``(B, H)``; W_x: ``(D, 3H)``; W_h: ``(H, 3H)``; b_x, b_h: ``(3H,)``.
    Returns ``h_t: (B, H)`` and ``cache = (x_t, h_prev, r, z, n, ah_n, W_x, W_h)``.
    """
    H = h_prev.shape[1]
    ax = x_t @ W_x + b_x
    ah = h_prev @ W_h + b_h
    r = sigmoid(ax[:, :H] + ah[:, :H])
    z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    h_t = (1 - z) * n + z * h_prev
    return h_t, (x_t, h_prev, r, z, n, ah[:, 2 * H:], W_x, W_h)


def gru_step_backward(dh_t, cache):
    """One GRU step back, undoing :func:`gru_step_forward`.

    dh_t: ``(B, H)``, the total gradient on ``h_t``. Returns
    ``(dx_t (B, D), dh_prev (B, H), dW_x (D, 3H), dW_h (H, 3H), db_x (3H,), db_h (3H,))``.
    """
    x_t, h_prev, r, z, n, ah_n, W_x, W_h = cache
    da_n = dh_t * (1 - z) * (1 - n ** 2)         # through h_t = (1 - z) n + z h_{t-1}, then the tanh
    da_z = dh_t * (h_prev - n) * z * (1 - z)
    da_r = da_n * ah_n * r * (1 - r)
    dax = np.concatenate([da_r, da_z, da_n], axis=1)          # gradient of x_t W_x + b_x, blocks r, z, n
    dah = np.concatenate([da_r, da_z, da_n * r], axis=1)      # gradient of h_{t-1} W_h + b_h
    dh_prev = dah @ W_h.T + dh_t * z
    return dax @ W_x.T, dh_prev, x_t.T @ dax, h_prev.T @ dah, dax.sum(axis=0), dah.sum(axis=0)


# ----------------------------------------------------------------------------- initializers

def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int, dtype) -> np.ndarray:
    """``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``: keeps activations' variance steady.
    ``(fan_in, fan_out)``."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out)).astype(dtype)


def orthogonal(rng: np.random.Generator, n: int, dtype) -> np.ndarray:
    """A random ``(n, n)`` orthogonal matrix: every singular value is 1, so it neither shrinks nor stretches."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r))).astype(dtype)


def _sigmoid(a: np.ndarray) -> None:
    """``a ← σ(a) = 1 / (1 + e^{-a})`` in place, computed as ``(1 + tanh(a / 2)) / 2``.

    The same number, but NumPy's ``tanh`` is about ten times faster than an exponential-based
    sigmoid on the small arrays of one time step, and it never overflows.
    """
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


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


class _Workspace:
    """Scratch arrays a layer reuses from call to call, looked up by name.

    A fresh multi-megabyte temporary on every forward and backward makes the operating system hand
    out (and zero) new memory pages each time, which can cost as much as the arithmetic. Only arrays
    that never leave the layer live here; everything a caller receives is allocated fresh, so a later
    call can never change an array you already hold. A buffer grows when a longer batch needs it.
    (One consequence, true of every layer here anyway since ``forward`` keeps a cache for ``backward``:
    do not call the same layer from two threads at once.)
    """

    def __init__(self):
        self._buffers: dict[str, np.ndarray] = {}

    def __call__(self, name: str, shape: tuple[int, ...], dtype) -> np.ndarray:
        size = int(np.prod(shape))
        buffer = self._buffers.get(name)
        if buffer is None or buffer.dtype != dtype or buffer.size < size:
            buffer = self._buffers[name] = np.empty(size, dtype)
        return buffer[:size].reshape(shape)


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

    params: ``W (D, O)``, ``b (O,)``. This is the readout ``ŷ_t = h_t W_hy + b_y`` of the lessons (row vectors,
    because batches stack rows).
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
        self._cache = x.copy()          # its own copy: a caller may change x in place before backward
        return x @ W + b

    def backward(self, dout) -> np.ndarray:
        """dout: ``d loss / d y``, the shape of the output. Returns ``d loss / d x``."""
        x = self._need_forward()
        W = self.params["W"]
        dout = self._check_grad(dout, x.shape[:-1] + (W.shape[1],))
        x2, d2 = x.reshape(-1, W.shape[0]), dout.reshape(-1, W.shape[1])
        self.grads = {"W": x2.T @ d2, "b": d2.sum(axis=0)}
        return dout @ W.T


# ----------------------------------------------------------------------------- recurrent layers

class _Recurrent(Layer):
    """What RNN, LSTM and GRU share: sizes, input/state/mask validation, and the helpers their loops call
    (inputs projected for every step at once, incoming gradients copied to time-major memory)."""

    _recurrent_key = "W_hh"

    def _sizes(self, input_size, hidden_size, seed) -> tuple[int, int, np.random.Generator]:
        """Validated ``(D, H)`` and the random generator that initializes the weights."""
        D, H = _positive_int(input_size, "input_size"), _positive_int(hidden_size, "hidden_size")
        return D, H, np.random.default_rng(seed)

    @property
    def recurrent_key(self) -> str:
        """The name of the recurrent weight matrix in ``params`` (``"W_hh"`` or ``"W_h"``)."""
        return self._recurrent_key

    @property
    def input_size(self) -> int:
        return self.params[self._input_key].shape[0]

    @property
    def hidden_size(self) -> int:
        return self.params[self._recurrent_key].shape[0]

    def _checked(self, x, mask):
        """Validated ``x: (B, T, D)`` in the layer's dtype, and ``mask: (B, T)`` or None (no padding)."""
        x = self._as_input(x, (3,), self.input_size, "x of shape (B, T, D)")
        B, T, _ = x.shape
        if T == 0 or B == 0:
            raise ValueError(f"{type(self).__name__} needs at least one sequence of at least one step, got {x.shape}.")
        return x, _as_mask(mask, B, T)

    def _prepare(self, x, mask):
        """Validate ``x: (B, T, D)`` and ``mask``; return ``(xs (T, B, D), mask or None, B, T)``."""
        x, mask = self._checked(x, mask)
        B, T, _ = x.shape
        return np.ascontiguousarray(x.transpose(1, 0, 2)), mask, B, T

    def _initial_state(self, state, B, name="h0"):
        H = self.hidden_size
        if state is None:
            return np.zeros((B, H), self.dtype)
        state = np.asarray(state)
        if state.shape != (B, H):
            raise ValueError(f"{name} must have shape (B, H) = {(B, H)}, got {state.shape}.")
        return state.astype(self.dtype, copy=False)

    def _project_inputs(self, xs, W, b):
        """``xs (T, B, D) @ W (D, K) + b`` as one 2-D BLAS product (a 3-D ``@`` would run T small ones)."""
        T, B, D = xs.shape
        out = xs.reshape(T * B, D) @ W
        out += b
        return out.reshape(T, B, W.shape[1])

    def _input_grads(self, xs, hs, dA_x, dA_h=None):
        """Weight and input gradients from the per-step pre-activation gradients, as single large products.

        xs: ``(T, B, D)``; hs: states ``(T+1, B, H)``; dA_x: ``(T, B, K)`` gradient of ``x W_x + b``;
        dA_h: gradient of ``h W_h (+ b_h)`` if it differs from dA_x (GRU). Returns ``(dW_x, dW_h, dx)``.
        """
        T, B, D = xs.shape
        H = hs.shape[2]
        dX = dA_x.reshape(T * B, -1)
        dH = dX if dA_h is None else dA_h.reshape(T * B, -1)
        dW_x = xs.reshape(T * B, D).T @ dX
        dW_h = hs[:T].reshape(T * B, H).T @ dH
        dx = (dX @ self.params[self._input_key].T).reshape(T, B, D).transpose(1, 0, 2)
        return dW_x, dW_h, dx

    def _time_major_grad(self, dout, B, T):
        """``dout (B, T, H)`` validated and copied to its own time-major memory ``(T, B, H)``."""
        return self._check_grad(dout, (B, T, self.hidden_size)).transpose(1, 0, 2).copy()

    def _last_grad(self, d, B, name):
        return np.zeros((B, self.hidden_size), self.dtype) if d is None else \
            self._check_grad(d, (B, self.hidden_size), name).copy()


# ----------------------------------------------------------------------------- RNN

class RNN(_Recurrent):
    r"""The vanilla (Elman) recurrent layer, ``h_t = tanh(x_t W_xh + h_{t-1} W_hh + b_h)``.

    params: ``W_xh (D, H)``, ``W_hh (H, H)``, ``b_h (H,)``, initialized as Keras's ``SimpleRNN``
    (Glorot-uniform input weights, orthogonal recurrent weights, zero bias).

    After ``forward``: ``last_state (B, H)``, the state after each sequence's last real step.
    After ``backward``: ``grads``; ``dh0 (B, H)``, the gradient with respect to the initial state; and
    ``dstates (B, T, H)``, the gradient with respect to each state ``h_t`` (how far gradients travel back).

    Speed: the input projection of all steps is one matrix product before the loop; the loop over
    time does one ``(B, H) @ (H, H)`` product per step each way; the weight gradients are single large
    products after the loop. Buffers are time-major inside, so every step reads contiguous memory.
    """

    _input_key = "W_xh"

    def __init__(self, input_size: int, hidden_size: int, *, seed=None, dtype=np.float64):
        super().__init__(dtype)
        D, H, rng = self._sizes(input_size, hidden_size, seed)
        self.params = {"W_xh": glorot_uniform(rng, D, H, self.dtype), "W_hh": orthogonal(rng, H, self.dtype),
                       "b_h": np.zeros(H, self.dtype)}
        self.last_state = None
        self.dh0 = None

    def forward(self, x, h0=None, mask=None) -> np.ndarray:
        """x: ``(B, T, D)``; h0: ``(B, H)`` or None (zeros); mask: ``(B, T)`` bool or None. Returns ``h: (B, T, H)``."""
        xs, mask, B, T = self._prepare(x, mask)                     # xs: (T, B, D)
        W_hh = self.params["W_hh"]
        pre = self._project_inputs(xs, self.params["W_xh"], self.params["b_h"])  # (T, B, H): all input terms at once
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
        # A copy, because backward reads pre (the tanh outputs): `h = rnn.forward(x); h *= mask` must not reach it.
        return pre.transpose(1, 0, 2).copy()                      # (B, T, H)

    def backward(self, dout, dlast=None) -> np.ndarray:
        """dout: ``d loss / d h``, ``(B, T, H)``; dlast: ``d loss / d last_state``, ``(B, H)`` or None.

        Returns ``dx: (B, T, D)``; fills ``grads`` and ``dh0``.
        """
        xs, tanh_a, states, mask = self._need_forward()
        T, B, H = tanh_a.shape
        W_hh = self.params["W_hh"]
        dA = self._time_major_grad(dout, B, T)                    # (T, B, H): becomes d loss / d a_t
        dh = self._last_grad(dlast, B, "dlast")
        dstates = np.empty((T, B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            da = dA[t]
            if mask is None:
                da += dh
                dstates[t] = da
                da *= 1.0 - tanh_a[t] ** 2
                dh = da @ W_hh.T
            else:
                m = mask[:, t, None]
                da += dh
                dstates[t] = da
                da *= m * (1.0 - tanh_a[t] ** 2)
                dh = da @ W_hh.T + np.where(m, 0.0, dh)           # padded steps pass dh straight through
        dW_xh, dW_hh, dx = self._input_grads(xs, states, dA)
        self.grads = {"W_xh": dW_xh, "W_hh": dW_hh, "b_h": dA.sum(axis=(0, 1))}
        self.dh0 = dh
        self.dstates = dstates.transpose(1, 0, 2)
        return dx


# ----------------------------------------------------------------------------- LSTM

class LSTM(_Recurrent):
    r"""Long short-term memory (Hochreiter & Schmidhuber, 1997; the forget gate: Gers, Schmidhuber & Cummins, 2000).

    The same arithmetic as :func:`lstm_step_forward` and :func:`lstm_step_backward` run in a loop over time
    (the tests prove it), rearranged for speed as described below. For each step, with row vectors and ``σ`` the
    logistic sigmoid::

        [a_i, a_f, a_g, a_o] = x_t W_x + h_{t-1} W_h + b      (four blocks of H columns)
        i = σ(a_i)    input gate: how much new content to write
        f = σ(a_f)    forget gate: how much of the old cell to keep
        g = tanh(a_g) candidate content
        o = σ(a_o)    output gate: how much of the cell to show
        c_t = f ⊙ c_{t-1} + i ⊙ g
        h_t = o ⊙ tanh(c_t)

    params: ``W_x (D, 4H)``, ``W_h (H, 4H)``, ``b (4H,)``, gate blocks in PyTorch's order i, f, g, o
    (see :mod:`rnnlib.interop`). Initialized as Keras's ``LSTM``: Glorot-uniform ``W_x``, orthogonal
    blocks in ``W_h``, zero bias except 1 for the forget gate (remember by default).

    After ``forward``: ``last_state`` and ``last_cell`` ``(B, H)``. After ``backward``: ``grads``,
    ``dh0`` and ``dc0``, and the gradients with respect to every ``h_t`` and ``c_t``: ``dstates``,
    ``dcells`` ``(B, T, H)``. Masks as for :class:`RNN`: a padded step keeps ``h`` and ``c`` and outputs zeros.

    Speed. The equations are the ones above; the arithmetic is arranged so that NumPy runs few,
    large, contiguous operations (an LSTM step is ~15 NumPy calls, and each call costs about a
    microsecond before it does any work):

    * one matrix product per step and direction: ``z_t = [h_{t-1}, x_t, 1]`` times the stacked
      ``[W_h; W_x; b]``, so the input term and the bias cost no separate pass;
    * column layout: inside the layer a step's vectors are columns, ``(H, B)``, so each gate is a
      contiguous block of rows (in a row layout it would be a strided slice, which NumPy walks row by row);
    * internal gate order o, i, f, g, so the three sigmoids are one block and the three gates that
      the cell gradient multiplies are one block;
    * one ``tanh`` for all four gates: the sigmoid rows of the weights are pre-halved, because
      ``σ(a) = (1 + tanh(a/2)) / 2``;
    * everything backward needs that does not depend on the recursion is computed for all steps at
      once, and the weight gradients are single large products after the loop;
    * large scratch arrays are reused between calls (:class:`_Workspace`).

    Key from the internal arrays to the textbook step (``t`` is the step, columns are sequences):

    * ``z[t] = [h_{t-1}; x_t; 1]``, ``(H + D + 1, B)``: the stacked vector, so ``a_t = W_gates z[t]``;
    * ``W_gates``: ``[W_h; W_x; b]`` transposed, ``(4H, H + D + 1)``, rows in the order o, i, f, g, the sigmoid
      rows (o, i, f) halved; ``W_back``: ``[W_h; W_x]`` in the same gate order, ``(H + D, 4H)``, so
      ``[δh_{t-1}; δx_t] = W_back δa_t``;
    * ``act[t] = [o, i, f, g, c_{t-1}]`` (five blocks of H rows) after step t; ``act[t+1, 4H:]`` is ``c_t``;
    * ``grad[t] = [δh_t ⊙ o(1 - tanh² c_t), δa_o, δa_i, δa_f, δa_g]``: the first block is the share of ``δh_t``
      that reaches the cell, the other four are :func:`lstm_step_backward`'s ``da`` in the internal order.
    """

    _input_key = "W_x"
    _recurrent_key = "W_h"

    def __init__(self, input_size: int, hidden_size: int, *, seed=None, dtype=np.float64):
        super().__init__(dtype)
        D, H, rng = self._sizes(input_size, hidden_size, seed)
        b = np.zeros(4 * H, self.dtype)
        b[H:2 * H] = 1.0
        self.params = {"W_x": glorot_uniform(rng, D, 4 * H, self.dtype),
                       "W_h": np.concatenate([orthogonal(rng, H, self.dtype) for _ in range(4)], axis=1), "b": b}
        self.last_state = self.last_cell = None
        self.dh0 = self.dc0 = None
        self._scratch = _Workspace()

    def _stacked_weights(self) -> np.ndarray:
        """``[W_h; W_x; b]`` with gate blocks in the internal order o, i, f, g: ``(H + D + 1, 4H)``."""
        p = self.params
        return np.roll(np.concatenate([p["W_h"], p["W_x"], p["b"][None]], axis=0), self.hidden_size, axis=1)

    def forward(self, x, h0=None, c0=None, mask=None) -> np.ndarray:
        """x: ``(B, T, D)``; h0, c0: ``(B, H)`` or None (zeros); mask: ``(B, T)`` or None. Returns ``h: (B, T, H)``."""
        x, mask = self._checked(x, mask)
        (B, T, D), H = x.shape, self.hidden_size
        W_gates = self._stacked_weights().T.copy()                  # (4H, K): a_t = W_gates z_t, rows o, i, f, g
        W_gates[:3 * H] *= 0.5                                      # tanh(a/2) for the sigmoid gates
        # z[t] = [h_{t-1}; x_t; 1], one column per sequence; h_t is written into z[t+1].
        z = np.empty((T + 1, H + D + 1, B), self.dtype)
        z[0, :H] = self._initial_state(h0, B, "h0").T
        z[:T, H:H + D] = x.transpose(1, 2, 0)
        z[:T, H + D] = 1.0
        # act[t] = [o, i, f, g, c_{t-1}] (rows, H each) after step t; act[T, 4H:] is the last cell.
        act = self._scratch("act", (T + 1, 5 * H, B), self.dtype)
        act[0, 4 * H:] = self._initial_state(c0, B, "c0").T
        tanh_c = self._scratch("tanh_c", (T, H, B), self.dtype)
        products = self._scratch("products", (2 * H, B), self.dtype)
        out = z[1:, :H] if mask is None else np.empty((T, H, B), self.dtype)
        for t in range(T):
            a = act[t, :4 * H]
            np.matmul(W_gates, z[t], out=a)
            np.tanh(a, out=a)
            sig = a[:3 * H]
            sig *= 0.5
            sig += 0.5                                              # a = [o, i, f, g]
            np.multiply(act[t, H:3 * H], act[t, 3 * H:], out=products)   # [i ⊙ g, f ⊙ c_{t-1}]
            c = act[t + 1, 4 * H:]
            np.add(products[:H], products[H:], out=c)
            np.tanh(c, out=tanh_c[t])
            np.multiply(a[:H], tanh_c[t], out=out[t])
            if mask is None:
                continue                                            # out[t] is z[t+1, :H]: already the next state
            padded = ~mask[:, t]
            np.copyto(z[t + 1, :H], out[t])
            np.copyto(z[t + 1, :H], z[t, :H], where=padded)         # padded steps keep h and c
            np.copyto(c, act[t, 4 * H:], where=padded)
            out[t] *= mask[:, t]                                    # padded steps output zeros
        self._cache = (z, act, tanh_c, mask)
        self.last_state, self.last_cell = z[T, :H].T.copy(), act[T, 4 * H:].T.copy()
        # A copy: without a mask, out is z[1:, :H], the h_{t-1} that backward reads; the caller may change it.
        return out.transpose(2, 0, 1).copy()

    def _local_slopes(self, act, tanh_c) -> np.ndarray:
        """What backward multiplies by, for all steps at once: ``(T, 5H, B)``.

        Rows, H each: ``o(1 - tanh²c)`` (carries dh into dc), then per gate the factor that turns the
        incoming gradient into the gate's pre-activation gradient:
        ``d a_o = dh · tanh(c)·o(1-o)``, ``d a_i = dc · g·i(1-i)``, ``d a_f = dc · c_{t-1}·f(1-f)``,
        ``d a_g = dc · i(1-g²)``.
        """
        T, H, B = tanh_c.shape
        o, i, g = act[:T, :H], act[:T, H:2 * H], act[:T, 3 * H:4 * H]
        slopes = self._scratch("slopes", (T, 5 * H, B), self.dtype)
        sig, dsig = act[:T, :3 * H], slopes[:, H:4 * H]
        np.multiply(sig, sig, out=dsig)
        np.subtract(sig, dsig, out=dsig)                            # σ' = σ(1-σ) for o, i, f
        slopes[:, H:2 * H] *= tanh_c
        slopes[:, 2 * H:4 * H] *= act[:T, 3 * H:]                   # i by g, f by c_{t-1}: adjacent rows
        for rows, squashed, by in ((slice(4 * H, 5 * H), g, i), (slice(0, H), tanh_c, o)):
            np.multiply(squashed, squashed, out=slopes[:, rows])
            np.subtract(1.0, slopes[:, rows], out=slopes[:, rows])
            slopes[:, rows] *= by                                   # i(1-g²) and o(1-tanh²c)
        return slopes

    def backward(self, dout, dlast=None, dlast_cell=None) -> np.ndarray:
        """dout: ``(B, T, H)``; dlast, dlast_cell: gradients of ``last_state``/``last_cell`` or None.

        Returns ``dx: (B, T, D)``; fills ``grads``, ``dh0`` and ``dc0``.
        """
        z, act, tanh_c, mask = self._need_forward()
        T, H, B = tanh_c.shape
        K = z.shape[1]
        D = K - H - 1
        W_back = self._stacked_weights()[:H + D]                    # (H + D, 4H): [dh_{t-1}; dx_t] = W_back da_t
        dstates = self._check_grad(dout, (B, T, H)).transpose(1, 2, 0).copy()   # dout now, dL/dh_t after the loop
        dh = self._last_grad(dlast, B, "dlast").T
        dc = np.ascontiguousarray(self._last_grad(dlast_cell, B, "dlast_cell").T)
        slopes = self._local_slopes(act, tanh_c)
        # grad[t] = [dh ⊙ o(1-tanh²c), d a_o, d a_i, d a_f, d a_g]; rows H: are d loss / d (W z_t).
        grad = self._scratch("grad", (T, 5 * H, B), self.dtype)
        dz = np.empty((T, H + D, B), self.dtype)                    # W grad[t, H:] = [d h_{t-1}; d x_t]
        dcells = np.empty((T, H, B), self.dtype)
        slopes4, grad4 = slopes.reshape(T, 5, H, B), grad.reshape(T, 5, H, B)
        for t in range(T - 1, -1, -1):
            dh_t = dstates[t]
            dh_t += dh
            dc_t = dcells[t]
            if mask is None:
                np.multiply(slopes4[t, :2], dh_t, out=grad4[t, :2])
                np.add(grad[t, :H], dc, out=dc_t)
            else:
                real = mask[:, t]
                np.multiply(slopes4[t, :2], dh_t * real, out=grad4[t, :2])
                np.add(grad[t, :H], dc * real, out=dc_t)        # padded steps: no gradient into the gates
            np.multiply(slopes4[t, 2:], dc_t, out=grad4[t, 2:])
            np.matmul(W_back, grad[t, H:], out=dz[t])
            f = act[t, 2 * H:3 * H]
            if mask is None:
                dh = dz[t, :H]
                np.multiply(dc_t, f, out=dc)
            else:
                dh = np.where(real, dz[t, :H], dh)                  # padded steps pass dh and dc straight through
                dc_next = np.where(real, dc_t * f, dc)
                np.copyto(dc_t, dc, where=~real)
                dc = dc_next
        grads = self._weight_grads(z[:T], grad[:, H:])
        self.grads = {"W_x": grads[H:H + D], "W_h": grads[:H], "b": grads[H + D]}
        self.dh0, self.dc0 = dh.T.copy(), dc.T.copy()
        self.dstates, self.dcells = dstates.transpose(2, 0, 1), dcells.transpose(2, 0, 1)
        return dz[:, H:].transpose(2, 0, 1)

    def _weight_grads(self, z, da) -> np.ndarray:
        """``Σ_t z_t da_tᵀ`` as one product, in parameter order: ``(K, 4H)`` for ``[W_h; W_x; b]``.

        z: ``(T, K, B)``; da: ``(T, 4H, B)`` (gate order o, i, f, g). Both are copied to ``(rows, T·B)``
        so the sum over steps and sequences is one BLAS call.
        """
        T, K, B = z.shape
        H4 = da.shape[1]
        z_rows = self._scratch("z_rows", (K, T, B), self.dtype)
        da_rows = self._scratch("da_rows", (H4, T, B), self.dtype)
        np.copyto(z_rows, z.transpose(1, 0, 2))
        np.copyto(da_rows, da.transpose(1, 0, 2))
        grads_t = da_rows.reshape(H4, T * B) @ z_rows.reshape(K, T * B).T   # (4H, K): the faster BLAS layout here
        return np.roll(grads_t.T, -(H4 // 4), axis=1)


# ----------------------------------------------------------------------------- GRU

class GRU(_Recurrent):
    r"""Gated recurrent unit (Cho et al., 2014), in the form PyTorch and Keras (``reset_after=True``) use.

    For each step, with row vectors and ``σ`` the logistic sigmoid::

        r = σ(x_t W_xr + b_xr + h_{t-1} W_hr + b_hr)          reset gate: how much past to use
        z = σ(x_t W_xz + b_xz + h_{t-1} W_hz + b_hz)          update gate: how much state to keep
        n = tanh(x_t W_xn + b_xn + r ⊙ (h_{t-1} W_hn + b_hn))  candidate state
        h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}

    params: ``W_x (D, 3H)``, ``W_h (H, 3H)``, ``b_x (3H,)``, ``b_h (3H,)``, gate blocks in PyTorch's
    order r, z, n. Two biases, because ``b_hn`` sits inside the reset gate's product.
    Initialized as Keras's ``GRU``: Glorot-uniform ``W_x``, orthogonal blocks in ``W_h``, zero biases.

    After ``forward``: ``last_state (B, H)``. After ``backward``: ``grads``, ``dh0`` and ``dstates (B, T, H)``.
    Masks as for :class:`RNN`.
    """

    _input_key = "W_x"
    _recurrent_key = "W_h"

    def __init__(self, input_size: int, hidden_size: int, *, seed=None, dtype=np.float64):
        super().__init__(dtype)
        D, H, rng = self._sizes(input_size, hidden_size, seed)
        self.params = {"W_x": glorot_uniform(rng, D, 3 * H, self.dtype),
                       "W_h": np.concatenate([orthogonal(rng, H, self.dtype) for _ in range(3)], axis=1),
                       "b_x": np.zeros(3 * H, self.dtype), "b_h": np.zeros(3 * H, self.dtype)}
        self.last_state = None
        self.dh0 = None

    def forward(self, x, h0=None, mask=None) -> np.ndarray:
        """x: ``(B, T, D)``; h0: ``(B, H)`` or None (zeros); mask: ``(B, T)`` or None. Returns ``h: (B, T, H)``."""
        xs, mask, B, T = self._prepare(x, mask)
        H, W_h, b_h = self.hidden_size, self.params["W_h"], self.params["b_h"]
        gates = self._project_inputs(xs, self.params["W_x"], self.params["b_x"])  # (T, B, 3H); becomes [r, z, n]
        hn = np.empty((T, B, H), self.dtype)                        # h_{t-1} W_hn + b_hn, needed by backward
        hs = np.empty((T + 1, B, H), self.dtype)
        out = np.empty((T, B, H), self.dtype)
        hs[0] = self._initial_state(h0, B, "h0")
        for t in range(T):
            a = gates[t]
            ah = hs[t] @ W_h
            ah += b_h
            a[:, :2 * H] += ah[:, :2 * H]
            _sigmoid(a[:, :2 * H])
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            hn[t] = ah[:, 2 * H:]
            n += r * hn[t]
            np.tanh(n, out=n)
            # h_t = n + z ⊙ (h_{t-1} - n)
            np.subtract(hs[t], n, out=out[t])
            out[t] *= z
            out[t] += n
            if mask is None:
                hs[t + 1] = out[t]
            else:
                m = mask[:, t, None]
                np.copyto(hs[t + 1], np.where(m, out[t], hs[t]))
                out[t] *= m
        self._cache = (xs, gates, hn, hs, mask)
        self.last_state = hs[T].copy()
        return out.transpose(1, 0, 2)

    def backward(self, dout, dlast=None) -> np.ndarray:
        """dout: ``(B, T, H)``; dlast: gradient of ``last_state`` or None. Returns ``dx``; fills ``grads``, ``dh0``."""
        xs, gates, hn, hs, mask = self._need_forward()
        T, B, H3 = gates.shape
        H = H3 // 3
        W_h = self.params["W_h"]
        dout = self._time_major_grad(dout, B, T)
        dh = self._last_grad(dlast, B, "dlast")
        dX = np.empty((T, B, 3 * H), self.dtype)                   # d loss / d (x W_x + b_x), per gate
        dHh = np.empty((T, B, 3 * H), self.dtype)                  # d loss / d (h W_h + b_h), per gate
        dstates = np.empty((T, B, H), self.dtype)
        for t in range(T - 1, -1, -1):
            r, z, n = gates[t, :, :H], gates[t, :, H:2 * H], gates[t, :, 2 * H:]
            dh_new = dout[t] + dh
            dstates[t] = dh_new
            if mask is not None:
                m = mask[:, t, None]
                dh_new = dh_new * m
            da_n = dh_new * (1.0 - z) * (1.0 - n ** 2)
            da_r = da_n * hn[t] * r * (1.0 - r)
            da_z = dh_new * (hs[t] - n) * z * (1.0 - z)
            dX[t, :, :H], dX[t, :, H:2 * H], dX[t, :, 2 * H:] = da_r, da_z, da_n
            dHh[t, :, :H], dHh[t, :, H:2 * H] = da_r, da_z
            np.multiply(da_n, r, out=dHh[t, :, 2 * H:])
            dh_direct = dh_new * z
            if mask is not None:
                dh_direct += np.where(m, 0.0, dh)                   # padded steps pass dh straight through
            dh = dHh[t] @ W_h.T + dh_direct
        dW_x, dW_h, dx = self._input_grads(xs, hs, dX, dHh)
        self.grads = {"W_x": dW_x, "W_h": dW_h, "b_x": dX.sum(axis=(0, 1)), "b_h": dHh.sum(axis=(0, 1))}
        self.dh0 = dh
        self.dstates = dstates.transpose(1, 0, 2)
        return dx
