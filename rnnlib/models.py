"""A sequence classifier: stacked recurrent layers and a ``Dense`` readout, trained end to end.

``x: (B, T, D)`` → recurrent layers → one vector per sequence (the state after its last real step,
or the mean of its states over real steps) → ``Dense`` → ``logits: (B, C)``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from . import losses
from .layers import GRU, LSTM, RNN, Dense

__all__ = ["SequenceClassifier", "Ensemble", "RECURRENT_LAYERS", "GapFiller", "ModelFileError", "save", "load"]

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

    def embed(self, x, mask=None, *, all_layers: bool = False) -> np.ndarray:
        """What the readout sees: the pooled top-layer state of each sequence, ``(B, H)`` (see :meth:`forward`).

        all_layers=True: every recurrent layer's states, pooled the same way, side by side: ``(B, H_1 + H_2 + …)``,
        the top layer's last. The lower layers keep more of the sound itself, the top one more of the word
        (:mod:`rnnlib.novelty` uses both).
        """
        h, pooled = x, []
        for layer in self.recurrent:
            h = layer.forward(h, mask=mask)
            pooled.append(self._pool(h, layer, mask)[0])
        return np.concatenate(pooled if all_layers else pooled[-1:], axis=1)      # a new array, never a view

    def _pool(self, h, layer, mask) -> tuple[np.ndarray, np.ndarray | None]:
        """The pooled states ``(B, H)`` of ``layer``'s outputs ``h: (B, T, H)``, and the time weights ``(B, T)``
        of mean pooling (None for last-state pooling)."""
        if self.pooling == "last":
            return layer.last_state, None
        B, T, _ = h.shape
        weights = np.ones((B, T), h.dtype) if mask is None else np.asarray(mask, h.dtype)
        weights = weights / weights.sum(axis=1, keepdims=True)
        return np.einsum("bth,bt->bh", h, weights), weights

    def forward(self, x, mask=None) -> np.ndarray:
        """x: ``(B, T, D)``; mask: ``(B, T)`` bool or None. Returns ``logits: (B, C)``."""
        h = x
        for layer in self.recurrent:
            h = layer.forward(h, mask=mask)
        B, T, H = h.shape
        pooled, weights = self._pool(h, self.recurrent[-1], mask)
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


class Ensemble:
    """A committee of classifiers that answer together: the mean of their probabilities.

    members: :class:`SequenceClassifier` s with the same input size and classes, trained apart (another
    random start, another order of batches). Each makes its own mistakes on a voice it never heard; where
    they disagree, the mean of their probabilities is right more often than a typical member.
    ``states_and_probabilities`` in :mod:`rnnlib.train` gives every member's pooled state side by side,
    ``(N, H_1 + H_2 + …)``, and the mean probabilities ``(N, C)``.
    """

    def __init__(self, members: list):
        members = list(members)
        if not members or not all(isinstance(m, SequenceClassifier) for m in members):
            raise ValueError("An Ensemble needs one or more SequenceClassifier members.")
        if len({(m.input_size, m.n_classes) for m in members}) > 1:
            raise ValueError("Every member of an Ensemble needs the same input size and number of classes.")
        self.members = members

    @property
    def layers(self) -> list:
        return [layer for member in self.members for layer in member.layers]

    @property
    def n_params(self) -> int:
        return sum(member.n_params for member in self.members)

    @property
    def input_size(self) -> int:
        return self.members[0].input_size

    @property
    def n_classes(self) -> int:
        return self.members[0].n_classes

    def predict_proba(self, x, mask=None) -> np.ndarray:
        """The mean of the members' class probabilities, ``(B, C)``."""
        return np.mean([member.predict_proba(x, mask) for member in self.members], axis=0)

    def predict(self, x, mask=None) -> np.ndarray:
        """The class with the highest mean probability, ``(B,)``."""
        return self.predict_proba(x, mask).argmax(axis=1)


# ----------------------------------------------------------------------------- saving and loading

FORMAT = "rnnlib-sequence-classifier"
FORMAT_VERSION = 2          # 2: ensembles (a file with one model is still written as version 1)


class ModelFileError(ValueError):
    """A file that is not a model rnnlib saved (or is damaged)."""


def _config(model: SequenceClassifier) -> dict:
    return {"pooling": model.pooling,
            "recurrent": [{"kind": type(l).__name__.lower(), "input_size": l.input_size,
                           "hidden_size": l.hidden_size} for l in model.recurrent],
            "n_classes": model.n_classes, "dtype": str(model.readout.dtype)}


def _arrays(model: SequenceClassifier, prefix: str = "") -> dict:
    return {f"{prefix}layer{i}.{k}": v for i, layer in enumerate(model.layers) for k, v in layer.params.items()}


def save(path, model: SequenceClassifier | Ensemble, **metadata) -> Path:
    """Write ``model`` (or an :class:`Ensemble`) to ``path`` (``.npz``): its arrays plus a JSON config, no pickle.

    metadata: any JSON-serializable extras (feature settings, normalization statistics, labels …),
    returned by :func:`load`.
    """
    import json

    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"Model files end in .npz; got {path.name!r}.")
    if isinstance(model, Ensemble):
        config = {"format": FORMAT, "version": FORMAT_VERSION, "members": [_config(m) for m in model.members]}
        arrays = {k: v for j, m in enumerate(model.members) for k, v in _arrays(m, f"member{j}.").items()}
    else:
        config = {"format": FORMAT, "version": 1, **_config(model)}    # readable by rnnlib from before committees
        arrays = _arrays(model)
    config["metadata"] = metadata
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez(f, config=np.array(json.dumps(config)), **arrays)
    return path


def _build(config: dict, arrays: dict, prefix: str = "") -> SequenceClassifier:
    dtype = np.dtype(config["dtype"])
    recurrent = [RECURRENT_LAYERS[spec["kind"]](spec["input_size"], spec["hidden_size"], dtype=dtype)
                 for spec in config["recurrent"]]
    model = SequenceClassifier(recurrent, Dense(recurrent[-1].hidden_size, config["n_classes"], dtype=dtype),
                               config["pooling"])
    for i, layer in enumerate(model.layers):
        for k in layer.params:
            value = arrays[f"{prefix}layer{i}.{k}"]
            if value.shape != layer.params[k].shape:
                raise ValueError(f"{prefix}layer{i}.{k} has shape {value.shape}, expected {layer.params[k].shape}")
            layer.params[k][...] = value
    return model


def load(path) -> tuple[SequenceClassifier | Ensemble, dict]:
    """Read a model written by :func:`save`; returns ``(model, metadata)``.

    Raises ``FileNotFoundError`` for a missing file and :class:`ModelFileError` for anything that is
    not such a model (another ``.npz``, a damaged file, a newer format).
    """
    import json
    import zipfile

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}: train one with `python -m rnnlib.digits train`.")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        config = json.loads(str(arrays.pop("config")))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, json.JSONDecodeError) as err:
        raise ModelFileError(f"{path} is not an rnnlib model file ({type(err).__name__}: {err}).") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(f"{path} is an .npz file but not an rnnlib model (no rnnlib config in it).")
    if config.get("version", 0) > FORMAT_VERSION:
        raise ModelFileError(f"{path} was saved by a newer rnnlib (format {config['version']}); update rnnlib.")
    try:
        if "members" in config:
            model = Ensemble([_build(member, arrays, f"member{j}.") for j, member in enumerate(config["members"])])
        else:
            model = _build(config, arrays)
    except (KeyError, ValueError, TypeError) as err:
        raise ModelFileError(f"{path} is damaged or inconsistent ({err}).") from None
    return model, config["metadata"]


# ----------------------------------------------------------------------------- filling gaps (lesson 10)

class GapFiller:
    """Fill a gap in a waveform from both sides: a bidirectional GRU over short frames of samples (lesson 10).

    The waveform around a gap is cut into frames of ``frame`` samples: ``context`` frames before the gap, the
    gap's frames (zeros), ``context`` frames after. Each step's input is one frame plus a flag that is 1 inside
    the gap: ``x: (B, T, frame + 1)``. One GRU reads the steps left to right, another right to left, so at every
    step of the gap one state knows what came before and the other what comes after. Their states side by side,
    ``(B, T, 2H)``, go through a ``Dense`` layer to a frame of samples, ``(B, T, frame)``; training counts only the
    gap's frames in the mean squared error. The whole gap is predicted at once: no output is fed back in, so
    there is nothing to drift (unlike free-running generation).

    Used as a concealer (see :mod:`rnnlib.repair`): ``filler(left, right, n)`` returns ``(n,)`` samples.
    """

    def __init__(self, *, frame: int = 40, hidden: int = 64, context: int = 8, seed=None, dtype=np.float32):
        rng = np.random.default_rng(seed)
        self.frame, self.context = int(frame), int(context)
        self.forward_gru = GRU(self.frame + 1, hidden, seed=rng, dtype=dtype)
        self.backward_gru = GRU(self.frame + 1, hidden, seed=rng, dtype=dtype)
        self.readout = Dense(2 * hidden, self.frame, seed=rng, dtype=dtype)

    @property
    def layers(self) -> list:
        return [self.forward_gru, self.backward_gru, self.readout]

    @property
    def n_params(self) -> int:
        return sum(layer.n_params for layer in self.layers)

    def inputs(self, windows, gap_frames: int) -> tuple[np.ndarray, np.ndarray]:
        """Windows ``(B, (2·context + gap_frames)·frame)`` of samples → ``x: (B, T, frame + 1)`` and the gap
        ``mask: (B, T)``.

        The gap's samples are zeroed in ``x`` (the model must not see them); the mask marks its frames.
        """
        windows = np.asarray(windows)
        T = 2 * self.context + gap_frames
        if windows.ndim != 2 or windows.shape[1] != T * self.frame:
            raise ValueError(f"windows must be (B, {T * self.frame}): {self.context} frames of context, "
                             f"{gap_frames} of gap and {self.context} of context, {self.frame} samples each; "
                             f"got {windows.shape}.")
        frames = windows.reshape(len(windows), T, self.frame).astype(self.readout.dtype, copy=True)
        mask = np.zeros((len(windows), T), bool)
        mask[:, self.context:self.context + gap_frames] = True
        frames[mask] = 0.0
        x = np.concatenate([frames, mask[:, :, None].astype(frames.dtype)], axis=2)
        return x, mask

    def forward(self, x) -> np.ndarray:
        """x: ``(B, T, frame + 1)`` → predicted frames ``(B, T, frame)``."""
        h_fwd = self.forward_gru.forward(x)
        h_bwd = self.backward_gru.forward(x[:, ::-1])[:, ::-1]     # read right to left, then put back in time order
        return self.readout.forward(np.concatenate([h_fwd, h_bwd], axis=2))

    def backward(self, dout) -> np.ndarray:
        """dout: ``(B, T, frame)``. Fills every layer's ``grads``; returns ``d loss / d x``."""
        dh = self.readout.backward(dout)
        H = self.forward_gru.hidden_size
        dx = self.forward_gru.backward(dh[:, :, :H])
        dx += self.backward_gru.backward(dh[:, ::-1, H:])[:, ::-1]  # the reversed reader's gradient, reversed back
        return dx

    def loss(self, windows, gap_frames: int) -> tuple[float, np.ndarray]:
        """Forward on ``windows`` (see :meth:`inputs`); the MSE over the gap's samples and its gradient."""
        x, mask = self.inputs(windows, gap_frames)
        target = np.asarray(windows).reshape(x.shape[0], x.shape[1], self.frame).astype(x.dtype)
        return losses.mean_squared_error(self.forward(x), target, mask=mask)

    def __call__(self, left, right, n: int) -> np.ndarray:
        """Concealer: ``(n,)`` samples for a gap between ``left`` and ``right`` (any lengths; the last/first
        ``context`` frames are used, zero-padded if shorter). Each gap is scaled by its context's peak first."""
        gap_frames = -(-int(n) // self.frame)
        width = self.context * self.frame
        left = np.asarray(left, np.float64)[-width:] if width else np.zeros(0)
        right = np.asarray(right, np.float64)[:width]
        left = np.concatenate([np.zeros(width - left.size), left])
        right = np.concatenate([right, np.zeros(width - right.size)])
        scale = max(np.abs(left).max(initial=0.0), np.abs(right).max(initial=0.0))
        if scale == 0:
            return np.zeros(n)
        window = np.concatenate([left, np.zeros(gap_frames * self.frame), right]) / scale
        x, mask = self.inputs(window[None], gap_frames)
        predicted = self.forward(x)[0, self.context:self.context + gap_frames].reshape(-1)
        return predicted[:n].astype(np.float64) * scale
