"""How good is a classifier, class by class: confusion matrix, recall per class, balanced accuracy.

Overall accuracy counts every recording once, so a class with few test recordings counts for little:
a recognizer can miss most of a rare class and still look good. These measures give each class
an equal say (lesson 09).
"""
from __future__ import annotations

import numpy as np

__all__ = ["confusion_matrix", "per_class_recall", "per_class_precision", "balanced_accuracy", "accuracy_at_prior"]


def _labels(values, n_classes: int, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a 1-D array of integer class labels, got dtype {arr.dtype}, "
                         f"shape {arr.shape}.")
    if arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{name} must lie in 0..{n_classes - 1} for {n_classes} classes; "
                         f"found {arr.min()}..{arr.max()}.")
    return arr


def confusion_matrix(truth, predicted, n_classes: int) -> np.ndarray:
    """``(C, C)`` counts: entry ``[i, j]`` is how many examples of class ``i`` were predicted as ``j``.

    truth, predicted: ``(N,)`` integer labels in ``0..n_classes-1``.
    """
    truth, predicted = _labels(truth, n_classes, "truth"), _labels(predicted, n_classes, "predicted")
    if truth.shape != predicted.shape:
        raise ValueError(f"truth and predicted need one entry per example; got {truth.size} and {predicted.size}.")
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (truth, predicted), 1)
    return counts


def per_class_recall(confusion) -> np.ndarray:
    """``(C,)``: for each class, the fraction of its examples recognized as itself (the diagonal over row sums).

    Raises ``ValueError`` if a class has no examples: its recall would be 0/0, and silently calling it
    0 or 1 would change every average built on it.
    """
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion must be a square (C, C) matrix, got shape {confusion.shape}.")
    support = confusion.sum(axis=1)
    if (support == 0).any():
        empty = np.flatnonzero(support == 0).tolist()
        raise ValueError(f"class(es) {empty} have no examples, so their recall is undefined. Evaluate on a set "
                         "that holds every class (for FSDD, the official test split has all ten digits).")
    return np.diag(confusion) / support


def per_class_precision(confusion) -> np.ndarray:
    """``(C,)``: for each class, the fraction of the examples *predicted* as it that really are it (the diagonal over
    column sums). One minus it is the share of false alarms. A class that was never predicted gets ``nan``: there is
    no answer to judge, and an average over classes should say so rather than count it as 0 or 1.
    """
    confusion = np.asarray(confusion)
    if confusion.ndim != 2 or confusion.shape[0] != confusion.shape[1]:
        raise ValueError(f"confusion must be a square (C, C) matrix, got shape {confusion.shape}.")
    predicted = confusion.sum(axis=0).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(predicted > 0, np.diag(confusion) / predicted, np.nan)


def balanced_accuracy(confusion) -> float:
    """The mean of the per-class recalls (macro-averaged recall): every class counts the same."""
    return float(per_class_recall(confusion).mean())


def accuracy_at_prior(recall, prior) -> float:
    """The accuracy a classifier with per-class ``recall: (C,)`` gets on data whose classes occur with ``prior: (C,)``.

    A test set drawn like an imbalanced training set has this accuracy: ``sum_c prior_c · recall_c``.
    """
    recall, prior = np.asarray(recall, float), np.asarray(prior, float)
    if recall.shape != prior.shape or recall.ndim != 1:
        raise ValueError(f"recall and prior must both be (C,) arrays; got shapes {recall.shape} and {prior.shape}.")
    if (prior < 0).any() or not np.isclose(prior.sum(), 1.0):
        raise ValueError("prior must be non-negative class frequencies that sum to 1.")
    return float(recall @ prior)
