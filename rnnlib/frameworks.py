"""The same recognizer in a deep-learning framework: Keras 3 (on PyTorch) and plain ``torch.nn`` (lesson 11).

Lesson 11's framework is an optional extra (``python -m pip install -r requirements-framework.txt``); nothing
else in the course needs it, and every function here says so clearly when it is missing.

**Where each library keeps an LSTM's weights.** All three compute the same four gate blocks from
``a = x W_x + h W_h + b``, and all three put them in the same order, *input, forget, candidate, output*
(PyTorch calls the candidate ``g``, Keras ``c``):

=============  ===================================  ==============================================
library        weights of one LSTM layer            notes
=============  ===================================  ==============================================
rnnlib         ``W_x (D, 4H)``, ``W_h (H, 4H)``,     ``x W``: inputs are rows
               ``b (4H,)``
Keras          ``kernel (D, 4H)``,                  the very same arrays, in the same order
               ``recurrent_kernel (H, 4H)``,
               ``bias (4H,)``
torch.nn       ``weight_ih (4H, D)``,               ``W xᵀ``: every matrix transposed; two biases
               ``weight_hh (4H, H)``,               that are simply added (:mod:`rnnlib.interop`)
               ``bias_ih``, ``bias_hh``
=============  ===================================  ==============================================

A GRU is where the layouts really differ: rnnlib and PyTorch order its blocks *reset, update, new*
(r, z, n), Keras *update, reset, new* (z, r, h), and Keras stacks its two biases into one ``(2, 3H)`` array.
:func:`keras_weights` does that reordering (the lesson's first exercise).
"""
from __future__ import annotations

import os

import numpy as np

__all__ = ["MISSING_EXTRA", "missing", "require", "keras", "torch", "keras_weights", "keras_classifier",
           "torch_classifier", "keras_cnn", "keras_fit", "keras_predict"]

MISSING_EXTRA = ("lesson 11 needs its optional framework extra: python -m pip install -r requirements-framework.txt "
                 "(PyTorch 2.13 CPU and Keras 3; see README)")


def missing() -> str | None:
    """Why the framework extra cannot be used here, in one line, or None if it can."""
    import importlib.util

    absent = [name for name in ("torch", "keras") if importlib.util.find_spec(name) is None]
    return f"{' and '.join(absent)} not installed: {MISSING_EXTRA}" if absent else None


def require() -> None:
    """Stop with one sentence saying what to install if the extra is missing; else say what runs the lesson."""
    problem = missing()
    if problem:
        raise ModuleNotFoundError(problem[0].upper() + problem[1:] + ".")
    K, T = keras(), torch()
    print(f"Keras {K.__version__} on PyTorch {T.__version__.split('+')[0]}: ready.")


def torch():
    """The ``torch`` module, or an ImportError that says how to install it."""
    try:
        import torch as module
    except ImportError:
        raise ImportError(f"PyTorch is not installed; {MISSING_EXTRA}.") from None
    return module


def keras():
    """The ``keras`` module on the PyTorch backend, or an ImportError that says how to install it."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    torch()
    try:
        import keras as module
    except ImportError:
        raise ImportError(f"Keras is not installed; {MISSING_EXTRA}.") from None
    if module.backend.backend() != "torch":
        raise ImportError(f"Keras runs on the {module.backend.backend()!r} backend; lesson 11 uses PyTorch's. "
                          "Set KERAS_BACKEND=torch before anything imports keras (restart the kernel).")
    return module


def _gru_blocks_to_keras(a) -> np.ndarray:
    """Reorder the last axis from rnnlib's (r, z, n) blocks to Keras's (z, r, h)."""
    r, z, n = np.split(np.asarray(a), 3, axis=-1)
    return np.concatenate([z, r, n], axis=-1)


def keras_weights(model) -> list[np.ndarray]:
    """The weights of an rnnlib ``SequenceClassifier`` as Keras's ``model.set_weights`` wants them, layer by layer.

    LSTM: ``[kernel, recurrent_kernel, bias]``, the same arrays as rnnlib's. GRU (Keras's ``reset_after=True``):
    blocks reordered from (r, z, n) to (z, r, h), and the two biases stacked into ``(2, 3H)``. Dense:
    ``[kernel, bias]``.
    """
    weights = []
    for layer in model.recurrent:
        p, kind = layer.params, type(layer).__name__
        if kind == "LSTM":
            weights += [p["W_x"], p["W_h"], p["b"]]
        elif kind == "GRU":
            weights += [_gru_blocks_to_keras(p["W_x"]), _gru_blocks_to_keras(p["W_h"]),
                        np.stack([_gru_blocks_to_keras(p["b_x"]), _gru_blocks_to_keras(p["b_h"])])]
        else:
            raise ValueError(f"keras_weights maps LSTM and GRU layers, not {kind}.")
    weights += [model.readout.params["W"], model.readout.params["b"]]
    return [np.array(w, dtype=np.float32) for w in weights]


def keras_classifier(model, *, weights: bool = True):
    """The original article's Keras model with the shape of ``model`` (and, with ``weights``, its weights).

    ``Masking`` skips padded frames (all zeros, as :func:`rnnlib.features.pad_sequences` pads); the
    recurrent layers are ``LSTM`` or ``GRU`` of the same sizes; ``pooling="last"`` reads the top layer's last
    state (``return_sequences=False``), ``"mean"`` averages its states over real frames
    (``GlobalAveragePooling1D``, which respects the mask); then ``Dense`` with a softmax.
    """
    K = keras()
    kinds = {type(layer).__name__ for layer in model.recurrent}
    if not kinds <= {"LSTM", "GRU"}:
        raise ValueError(f"keras_classifier builds LSTM and GRU layers, not {sorted(kinds)}.")
    inputs = K.Input(shape=(None, model.input_size))
    h = K.layers.Masking(mask_value=0.0)(inputs)
    for k, layer in enumerate(model.recurrent):
        top = k == len(model.recurrent) - 1
        cls = K.layers.LSTM if type(layer).__name__ == "LSTM" else K.layers.GRU
        h = cls(layer.hidden_size, return_sequences=not top or model.pooling == "mean")(h)
    if model.pooling == "mean":
        h = K.layers.GlobalAveragePooling1D()(h)
    outputs = K.layers.Dense(model.n_classes, activation="softmax")(h)
    net = K.Model(inputs, outputs)
    if weights:
        net.set_weights(keras_weights(model))
    return net


def torch_classifier(model):
    """A ``torch.nn.Module`` computing what ``model`` computes, with its weights: ``net(x, mask)`` → logits ``(B, C)``.

    Padded batches go through the recurrent layers as packed sequences (PyTorch's way of skipping padding).
    """
    from . import interop

    T = torch()
    nn = T.nn

    class SequenceClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            kinds = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}
            self.recurrent = nn.ModuleList(kinds[type(layer).__name__](layer.input_size, layer.hidden_size,
                                                                     batch_first=True)
                                           for layer in model.recurrent)
            self.readout = nn.Linear(model.readout.params["W"].shape[0], model.n_classes)
            self.pooling = model.pooling

        def forward(self, x, mask):
            lengths = mask.sum(dim=1).cpu()
            h = x
            for rnn in self.recurrent:
                packed = nn.utils.rnn.pack_padded_sequence(h, lengths, batch_first=True, enforce_sorted=False)
                h, _ = nn.utils.rnn.pad_packed_sequence(rnn(packed)[0], batch_first=True, total_length=x.shape[1])
            if self.pooling == "last":
                pooled = h[T.arange(len(h)), lengths - 1]
            else:
                pooled = (h * mask[..., None]).sum(dim=1) / lengths[:, None].to(h.dtype)
            return self.readout(pooled)

    net = SequenceClassifier()
    with T.no_grad():
        for module, layer in zip([*net.recurrent, net.readout], [*model.recurrent, model.readout]):
            state = {key: T.from_numpy(np.ascontiguousarray(value, np.float32))
                     for key, value in interop.to_torch(layer).items()}
            module.load_state_dict(state)
    return net


def keras_cnn(n_features: int, n_classes: int, *, channels: int = 64, width: int = 5):
    """A small 1-D convolutional network over feature frames: the "RNN or CNN?" contender of lesson 11.

    Two ``Conv1D`` layers (``channels`` filters, ``width`` frames wide, ReLU) with a max-pooling between, then
    the mean over time (``GlobalAveragePooling1D``) and ``Dense`` with a softmax. It sees ``width`` frames at a
    time (and ``2·width`` after the pooling) instead of carrying a state through the whole recording.
    """
    K = keras()
    return K.Sequential([
        K.Input(shape=(None, n_features)),
        K.layers.Conv1D(channels, width, padding="same", activation="relu"),
        K.layers.MaxPooling1D(2, padding="same"),
        K.layers.Conv1D(channels, width, padding="same", activation="relu"),
        K.layers.GlobalAveragePooling1D(),
        K.layers.Dense(n_classes, activation="softmax"),
    ])


def keras_fit(net, seqs, labels, *, epochs: int, batch_size: int = 32, lr: float = 2e-3, clip: float = 1.0,
              seed: int = 0) -> float:
    """Train a Keras classifier on ``(T_i, D)`` sequences with rnnlib's recipe; returns the seconds it took.

    Adam (``lr``), the gradient clipped to norm ``clip`` over all weights together (``global_clipnorm``,
    as :func:`rnnlib.optim.clip_grad_norm`; Keras's ``clipnorm`` would clip each weight array on its own),
    cross-entropy, and the batches of
    :func:`rnnlib.inference.length_buckets` (sequences of similar length together, reshuffled every epoch), so
    the framework pads as little as rnnlib does.
    """
    import time

    from . import inference
    from .features import pad_sequences

    K = keras()
    K.utils.set_random_seed(seed)
    net.compile(optimizer=K.optimizers.Adam(lr, global_clipnorm=clip), loss="sparse_categorical_crossentropy")
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        for rows in inference.length_buckets([len(s) for s in seqs], batch_size, rng):
            x, _ = pad_sequences([seqs[i] for i in rows])
            net.train_on_batch(x, labels[rows])
    return time.perf_counter() - start


def keras_predict(net, seqs, *, batch_size: int = 128) -> np.ndarray:
    """Class probabilities ``(N, C)`` of a Keras classifier for ``(T_i, D)`` sequences, batched by length.

    A model without masking (the CNN) sees the padding of the shorter sequences in a batch: give it
    ``batch_size=1``, so each recording is judged alone.
    """
    from . import inference
    from .features import pad_sequences

    T = torch()
    out = np.zeros((len(seqs), net.output_shape[-1]), np.float32)
    for rows in inference.length_buckets([len(s) for s in seqs], batch_size, np.random.default_rng(0)):
        x, _ = pad_sequences([seqs[i] for i in rows])
        with T.no_grad():
            out[rows] = T.as_tensor(net(x, training=False)).cpu().numpy()
    return out
