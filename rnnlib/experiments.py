"""The experiments the lessons run: small, seeded measurements that a figure or a sentence quotes.

Each returns numbers; :mod:`rnnlib.plots` draws them and :mod:`rnnlib.widgets` puts a slider on the drawing.

* lesson 02: :func:`window_test_signal`, two close tones and two close clicks;
* lesson 03: :func:`impulse_memory`, how long an RNN remembers one input;
* lesson 04: :func:`sgd_loss_curve`, one training run at a given learning rate;
* lessons 05–06: :func:`set_spectral_radius`, :func:`walk_back` and :func:`gradient_norms` (how much gradient
  reaches each step back), :func:`saturation` (how the inputs decide it), :func:`lstm_gradient_paths` (which way an
  LSTM's gradient travels) and :func:`recall_accuracy` (the memory task).
"""
from __future__ import annotations

import numpy as np

from . import audio, inference, models, optim, tasks, train
from .layers import RNN, Dense

__all__ = ["window_test_signal", "impulse_memory", "sgd_loss_curve", "set_spectral_radius", "unit_gradients",
           "walk_back", "gradient_norms", "saturation", "lstm_gradient_paths", "recall_accuracy"]


def window_test_signal(sr: int = audio.SAMPLE_RATE) -> np.ndarray:
    """One second that no single window length shows perfectly: two close tones, then two close clicks.

    1000 Hz and 1060 Hz play together for the first half (a *long* window tells them apart); clicks
    at 0.70 s and 0.72 s follow (a *short* window tells them apart). Returns ``(sr,)`` float32.
    """
    y = 0.3 * audio.sine(1000, 1.0, sr) + 0.3 * audio.sine(1060, 1.0, sr)
    y[sr // 2:] = 0.0
    for t in (0.70, 0.72):
        y[int(t * sr)] = 1.0
    return y


def impulse_memory(radius: float, *, hidden_size: int = 32, steps: int = 60, seed: int = 0) -> np.ndarray:
    """How long an RNN remembers one input: ``||h_t||`` after a single impulse at t = 0, then silence.

    ``W_hh`` is a random matrix rescaled to spectral radius ``radius`` (its largest |eigenvalue|).
    Returns ``(steps,)``.
    """
    layer = RNN(1, hidden_size, seed=seed)
    W = np.random.default_rng(seed).standard_normal((hidden_size, hidden_size))
    layer.params["W_hh"] = W * (radius / np.max(np.abs(np.linalg.eigvals(W))))
    layer.params["W_xh"][:] = 1.0
    x = np.zeros((1, steps, 1))
    x[0, 0, 0] = 1.0
    return np.linalg.norm(layer.forward(x)[0], axis=1)


def sgd_loss_curve(lr: float, *, steps: int = 150, hidden_size: int = 16, seed: int = 0) -> dict:
    """Train a fresh RNN + readout on :func:`rnnlib.tasks.next_sample` with plain SGD; return the history."""
    x, y = tasks.next_sample(32, 60, seed=seed)
    rnn, readout = RNN(1, hidden_size, seed=seed), Dense(hidden_size, 1, seed=seed)
    return train.fit_sequence_regressor(rnn, readout, x, y, optimizer=optim.SGD([rnn, readout], lr=lr),
                                        steps=steps)


def set_spectral_radius(W: np.ndarray, radius: float) -> np.ndarray:
    """``W`` rescaled so its largest |eigenvalue| is ``radius`` (each ``H × H`` gate block separately)."""
    H = W.shape[0]
    blocks = [W[:, k:k + H] for k in range(0, W.shape[1], H)]
    return np.concatenate([b * (radius / np.max(np.abs(np.linalg.eigvals(b)))) for b in blocks], axis=1)


def unit_gradients(rng, batch: int, hidden_size: int) -> np.ndarray:
    """``(batch, hidden_size)`` random gradients, each row of length 1: a loss on the last state, in a random
    direction."""
    dlast = rng.standard_normal((batch, hidden_size))
    return dlast / np.linalg.norm(dlast, axis=1, keepdims=True)


def walk_back(layer, x, rng) -> tuple[np.ndarray, np.ndarray]:
    """Run ``layer`` on ``x: (B, T, D)`` and send a gradient of length 1 back from each sequence's last state.

    ``rng`` draws the gradient's direction (:func:`unit_gradients`). Returns ``(norms, states)``: ``norms: (T,)``,
    entry ``k`` the mean over the batch of ``‖∂L/∂h‖`` (for an LSTM, of the cell state's ``‖∂L/∂c‖``) ``k`` steps
    before the loss, and the layer's ``states: (B, T, H)``. What lesson 05's exercise 1 measures by hand, done by
    the layer's ``backward``.
    """
    states = layer.forward(x)
    B, T, H = states.shape
    layer.backward(np.zeros((B, T, H)), dlast=unit_gradients(rng, B, H))
    grads = layer.dcells if hasattr(layer, "dcells") else layer.dstates
    return np.linalg.norm(grads, axis=2).mean(axis=0)[::-1], states


def _run_with_radius(kind, radius, inputs, *, steps, hidden_size, batch, seed):
    """A fresh ``kind`` layer with spectral radius ``radius`` reads ``inputs`` (default: lesson 05's section 2
    inputs, ``steps`` random steps of 8 unit-variance channels); :func:`walk_back` through it."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, 8)) if inputs is None else np.asarray(inputs, dtype=np.float64)
    layer = models.RECURRENT_LAYERS[kind](x.shape[2], hidden_size, seed=seed)
    key = layer.recurrent_key
    layer.params[key] = set_spectral_radius(layer.params[key], radius)
    return walk_back(layer, x, rng)


def gradient_norms(kind: str = "rnn", radius: float = 1.0, *, inputs=None, steps: int = 100, hidden_size: int = 32,
                   batch: int = 16, seed: int = 0) -> np.ndarray:
    """How far a gradient travels back: :func:`walk_back` through a fresh layer with a chosen spectral radius.

    A fresh layer (``kind``: ``"rnn"``, ``"lstm"`` or ``"gru"``), its recurrent weights rescaled to spectral
    radius ``radius``, reads ``inputs: (B, T, D)`` (default: ``steps`` random steps of 8 channels of unit
    variance, the inputs of lesson 05's section 2). Returns ``(T,)``, entry ``k`` for ``k`` steps back.
    """
    return _run_with_radius(kind, radius, inputs, steps=steps, hidden_size=hidden_size, batch=batch, seed=seed)[0]


def saturation(radius: float, *, inputs=None, steps: int = 100, hidden_size: int = 32, batch: int = 16,
               seed: int = 0) -> dict:
    """Lesson 05's race, measured: the RNN of :func:`gradient_norms` reads ``inputs: (B, T, D)`` (default: section
    2's random inputs), with spectral radius ``radius``.

    Returns ``{"norms": (T,) as gradient_norms, "mean slope": mean of 1 - h², "saturated": share of |h| > 0.95}``.
    Every step back multiplies the gradient by the slopes 1 − h² and by ``W_hh``: how hard the inputs drive the
    units into the flat ends of tanh decides, with the radius, whether the gradient shrinks or grows.
    """
    norms, h = _run_with_radius("rnn", radius, inputs, steps=steps, hidden_size=hidden_size, batch=batch, seed=seed)
    return {"norms": norms, "mean slope": float(np.mean(1.0 - h ** 2)), "saturated": float(np.mean(np.abs(h) > 0.95))}


def lstm_gradient_paths(forget_bias: float, *, radius: float = 1.0, steps: int = 100, hidden_size: int = 32,
                        batch: int = 16, seed: int = 0) -> dict:
    """Lesson 06's question: how much of an LSTM's gradient travels along the cell, and how much another way?

    The LSTM of :func:`gradient_norms` (``"lstm"``, radius ``radius``, the same inputs and gradient), its
    forget-gate bias set to ``forget_bias``. Returns ``{"full": …, "cell only": …, "mean forget": …}``: the mean
    norm of ``∂L/∂c`` ``steps - 1`` steps back by every path (``layers.LSTM``'s backward), the same along the cell
    alone (``∂L/∂c_T`` multiplied by the forget gates ``f_T ⊙ f_{T-1} ⊙ …``, read with
    :func:`rnnlib.layers.lstm_step_forward`), and the mean forget gate.
    """
    from .layers import LSTM, lstm_step_forward

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, 8))
    lstm = LSTM(8, hidden_size, seed=seed)
    lstm.params["W_h"] = set_spectral_radius(lstm.params["W_h"], radius)
    lstm.params["b"][hidden_size:2 * hidden_size] = forget_bias
    dlast = unit_gradients(rng, batch, hidden_size)
    lstm.forward(x)
    lstm.backward(np.zeros((batch, steps, hidden_size)), dlast=dlast)
    full = np.linalg.norm(lstm.dcells[:, 0], axis=1).mean()          # every path, steps - 1 back
    p, h, c, forgets = lstm.params, np.zeros((batch, hidden_size)), np.zeros((batch, hidden_size)), []
    for t in range(steps):
        h, c, cache = lstm_step_forward(x[:, t], h, c, p["W_x"], p["W_h"], p["b"])
        forgets.append(cache[4])                                     # the forget gate f_t, (B, H)
    o_T, c_T = cache[6], cache[7]
    dc_T = dlast * o_T * (1 - np.tanh(c_T) ** 2)                      # ∂L/∂c at the last step, through h_T
    cell_only = np.linalg.norm(dc_T * np.prod(forgets[1:], axis=0), axis=1).mean()
    return {"full": float(full), "cell only": float(cell_only), "mean forget": float(np.mean(forgets))}


def recall_accuracy(kind: str, gap: int, *, seed: int = 0, hidden_size: int = 32, n_symbols: int = 8,
                    steps: int = 600, keep_bias: float | None = None, n_train: int = 1500) -> float:
    """Train a fresh one-layer ``kind`` classifier on :func:`rnnlib.tasks.recall` and return its test accuracy.

    keep_bias: start the gate that keeps the state (the LSTM's forget gate, the GRU's update gate)
    with this bias instead of the layer's default. Adam (lr 0.01), batches of 64, clipping at norm 1.
    """
    x, y = tasks.recall(n_train, gap, n_symbols=n_symbols, seed=seed)
    x_test, y_test = tasks.recall(500, gap, n_symbols=n_symbols, seed=seed + 10_000)
    model = models.SequenceClassifier.build(kind, x.shape[2], [hidden_size], n_symbols, seed=seed, dtype=np.float32)
    if keep_bias is not None:
        layer, H = model.recurrent[0], hidden_size
        if kind == "lstm":
            layer.params["b"][H:2 * H] = keep_bias
        elif kind == "gru":
            layer.params["b_x"][H:2 * H] = keep_bias
        else:
            raise ValueError("keep_bias is for gated layers ('lstm', 'gru'); a plain RNN has no gate.")
    train.fit_classifier(model, x.astype(np.float32), y, optimizer=optim.Adam(model.layers, lr=0.01), steps=steps,
                   clip=1.0, seed=seed)
    return inference.accuracy(model, x_test.astype(np.float32), y_test)
