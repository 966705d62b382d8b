"""Unfair data: training sets where some classes are rare, and four remedies (lesson 09).

A model trained by minimizing the average loss learns what pays on average: if a class is one
example in a hundred, getting it wrong costs little. The remedies change what pays:

* :func:`inverse_frequency_weights`: a rare class's mistakes cost more (class-weighted cross-entropy);
* :func:`oversample`: the rare classes' examples are seen more often (resampling);
* augmenting the rare classes: more, different examples of them (see :mod:`rnnlib.augment`);
* :func:`prior_correction`: after training, take back the model's learned bias toward common classes.

Labels are ``(N,)`` integer arrays; functions that pick examples return indices into them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["class_counts", "keep_fraction", "inverse_frequency_weights", "oversample", "class_prior",
           "prior_correction"]


def class_counts(labels, n_classes: int, *, allow_empty: bool = False) -> np.ndarray:
    """``(C,)``: how many examples of each class ``labels: (N,)`` holds.

    Raises ``ValueError`` if a class has none (unless ``allow_empty``): a class the model never sees
    cannot be learned, and weights or priors for it would divide by zero.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be a 1-D array of integer classes, got dtype {labels.dtype}, "
                         f"shape {labels.shape}.")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}; found {labels.min()}..{labels.max()}.")
    counts = np.bincount(labels, minlength=n_classes)
    if not allow_empty and (counts == 0).any():
        raise ValueError(f"class(es) {np.flatnonzero(counts == 0).tolist()} have no examples. Keep at least one "
                         "example of every class (a fraction of 0 removes a class entirely).")
    return counts


def keep_fraction(labels, fractions: dict, *, seed=0) -> np.ndarray:
    """Indices of an imbalanced subset: for each class ``c`` in ``fractions``, keep that fraction of its examples.

    ``fractions={3: 0.1}`` keeps a random tenth of class 3 (at least one example) and every example of the
    other classes. Returns sorted indices into ``labels: (N,)``.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    keep = np.ones(labels.size, bool)
    for c, fraction in fractions.items():
        fraction = float(fraction)
        if not 0 < fraction <= 1:
            raise ValueError(f"the fraction kept of class {c} must be in (0, 1], got {fraction!r}.")
        members = np.flatnonzero(labels == c)
        if members.size == 0:
            raise ValueError(f"class {c} has no examples to keep a fraction of.")
        n_keep = max(1, int(round(fraction * members.size)))
        keep[members] = False
        keep[rng.choice(members, n_keep, replace=False)] = True
    return np.flatnonzero(keep)


def inverse_frequency_weights(labels, n_classes: int) -> np.ndarray:
    """``(C,)`` class weights ``N / (C · n_c)``: every class then carries the same total weight, ``N / C``.

    With these in the cross-entropy, the ``n_c`` examples of class ``c`` together weigh ``N / C`` whatever
    ``n_c`` is; a balanced set gets weight 1 everywhere.
    """
    counts = class_counts(labels, n_classes)
    return counts.sum() / (n_classes * counts)


def oversample(labels, *, seed=0) -> np.ndarray:
    """Indices for a balanced epoch: every example once, then rare classes topped up by drawing again at random.

    Each class ends with as many entries as the largest class has. Returns shuffled indices into
    ``labels: (N,)``; the same example may appear several times.
    """
    labels = np.asarray(labels)
    counts = class_counts(labels, int(labels.max()) + 1 if labels.size else 0, allow_empty=True)
    rng = np.random.default_rng(seed)
    target = counts.max()
    picks = []
    for c in np.flatnonzero(counts):
        members = np.flatnonzero(labels == c)
        picks += [members, rng.choice(members, target - members.size, replace=True)]
    return rng.permutation(np.concatenate(picks))


def class_prior(labels, n_classes: int) -> np.ndarray:
    """``(C,)``: how often each class occurs in ``labels`` (sums to 1)."""
    counts = class_counts(labels, n_classes)
    return counts / counts.sum()


def prior_correction(log_probs, prior) -> np.ndarray:
    """Take the training prior back out of a classifier's scores: ``log p(c | x) − log prior_c``.

    log_probs: ``(N, C)`` log-probabilities (or logits) of a model trained on data with class frequencies
    ``prior: (C,)``. By Bayes' rule ``p(c | x) ∝ p(x | c) · prior_c``; dividing by the prior leaves
    ``p(x | c)``, what the model would say if every class were equally common. Returns ``(N, C)`` scores
    (their argmax is the corrected prediction).
    """
    log_probs, prior = np.asarray(log_probs, float), np.asarray(prior, float)
    if log_probs.ndim != 2 or prior.shape != (log_probs.shape[1],):
        raise ValueError(f"log_probs must be (N, C) and prior (C,); got {log_probs.shape} and {prior.shape}.")
    if (prior <= 0).any():
        raise ValueError("every class needs a prior above 0 (a class never seen in training cannot be corrected).")
    return log_probs - np.log(prior)
