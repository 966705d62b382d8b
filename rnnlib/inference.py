"""Running a trained classifier on many sequences of different lengths (lessons 05–11, the recognizer).

Sequences of similar length are batched together (:func:`length_buckets`), so each batch is padded only to its
own longest member. Training (:mod:`rnnlib.train`) batches the same way; this module never trains anything.
"""
from __future__ import annotations

import numpy as np

from . import losses, models
from .features import pad_sequences

__all__ = ["length_buckets", "predict_sequences", "states_and_probabilities", "accuracy"]


def length_buckets(lengths, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Group sequence indices into batches of similar length, in a random order.

    Sorting by length (with random tie-breaking) and cutting into consecutive batches means each
    batch is padded only to its own longest member: little wasted work on padding.
    """
    lengths = np.asarray(lengths)
    order = np.lexsort((rng.random(len(lengths)), lengths))
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def predict_sequences(model, seqs, *, batch_size: int = 128) -> np.ndarray:
    """Class probabilities for a list of ``(T_i, D)`` sequences, batched by length: ``(N, C)``."""
    return states_and_probabilities(model, seqs, batch_size=batch_size)[1]


def states_and_probabilities(model, seqs, *, batch_size: int = 128,
                              all_layers: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """What the readout sees and what it says, for a list of ``(T_i, D)`` sequences.

    Returns the pooled top-layer states ``(N, H)`` (:meth:`SequenceClassifier.embed`; with ``all_layers``
    every recurrent layer's, side by side) and the class probabilities ``(N, C)``, batched by length as
    :func:`predict_sequences`. For an :class:`~rnnlib.models.Ensemble`: every member's states side by side
    and the mean of their probabilities.
    """
    if isinstance(model, models.Ensemble):
        answers = [states_and_probabilities(member, seqs, batch_size=batch_size, all_layers=all_layers)
                   for member in model.members]
        return np.concatenate([s for s, _ in answers], axis=1), np.mean([p for _, p in answers], axis=0)
    dtype = model.readout.dtype
    width = sum(layer.hidden_size for layer in (model.recurrent if all_layers else model.recurrent[-1:]))
    top = model.recurrent[-1].hidden_size                      # the readout reads the last `top` columns
    states = np.zeros((len(seqs), width), dtype)
    probs = np.zeros((len(seqs), model.n_classes), dtype)
    for rows in length_buckets([len(s) for s in seqs], batch_size, np.random.default_rng(0)):
        x, mask = pad_sequences([seqs[i] for i in rows], dtype=dtype)
        states[rows] = model.embed(x, mask, all_layers=all_layers)
        probs[rows] = losses.softmax(model.readout.forward(states[rows, width - top:]))
    return states, probs


def accuracy(model, x, y, mask=None, batch_size: int = 512) -> float:
    """Fraction of sequences whose predicted class equals ``y``."""
    hits = 0
    for start in range(0, len(y), batch_size):
        rows = slice(start, start + batch_size)
        hits += int(np.sum(model.predict(x[rows], None if mask is None else mask[rows]) == y[rows]))
    return hits / len(y)
