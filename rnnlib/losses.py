"""Losses: each returns ``(loss, d loss / d prediction)``, the start of every backward pass."""
from __future__ import annotations

import numpy as np

__all__ = ["softmax", "softmax_cross_entropy", "mean_squared_error"]


def softmax(logits, axis: int = -1) -> np.ndarray:
    """Probabilities from scores, computed stably (the largest score is subtracted first)."""
    z = np.asarray(logits)
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _weights(mask, lead_shape, dtype) -> np.ndarray:
    if mask is None:
        return np.ones(lead_shape, dtype)
    mask = np.asarray(mask)
    if mask.shape != lead_shape:
        raise ValueError(f"mask must have shape {lead_shape} (one entry per prediction), got {mask.shape}.")
    return mask.astype(dtype)


def softmax_cross_entropy(logits, targets, mask=None, class_weights=None) -> tuple[float, np.ndarray]:
    r"""Mean of ``-log softmax(logits)[target]`` over the (unmasked, weighted) predictions.

    logits: ``(..., C)`` scores, e.g. ``(B, C)`` or ``(B, T, C)``. targets: integer classes, ``logits.shape[:-1]``.
    mask: optional bool, ``logits.shape[:-1]``: False entries count for nothing. class_weights: optional
    ``(C,)``: a prediction whose target is class c counts ``class_weights[c]`` times.
    The mean divides by the total weight, :math:`\sum_i w_{y_i} m_i` (as PyTorch does).
    Returns ``(loss, dlogits)`` with ``dlogits`` the shape of ``logits``.
    """
    logits = np.asarray(logits)
    if logits.ndim < 1 or logits.dtype.kind != "f":
        raise ValueError(f"logits must be a float array (..., C), got dtype {logits.dtype}, shape {logits.shape}.")
    C = logits.shape[-1]
    targets = np.asarray(targets)
    if targets.shape != logits.shape[:-1]:
        raise ValueError(f"targets must have shape {logits.shape[:-1]} (logits without the class axis), "
                         f"got {targets.shape}.")
    if targets.dtype.kind not in "iu":
        raise ValueError(f"targets must be integer class indices, got dtype {targets.dtype}.")
    if targets.size and (targets.min() < 0 or targets.max() >= C):
        raise ValueError(f"targets must lie in 0..{C - 1} for {C} classes; found {targets.min()}..{targets.max()}.")
    w = _weights(mask, targets.shape, logits.dtype)
    if class_weights is not None:
        cw = np.asarray(class_weights, dtype=logits.dtype)
        if cw.shape != (C,) or (cw < 0).any():
            raise ValueError(f"class_weights must be {C} non-negative numbers, got shape {cw.shape}.")
        w = w * cw[targets]
    total = w.sum()
    if total <= 0:
        raise ValueError("Every prediction is masked out (or weighted zero): there is nothing to average.")
    z = logits - logits.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, targets[..., None], axis=-1)[..., 0]
    loss = float(-(w * picked).sum() / total)
    # dlogits = (p - onehot(y)) * w / sum(w): cs231n's `dx[np.arange(N), y] -= 1`, for any number of leading axes.
    dlogits = np.exp(log_p)
    np.put_along_axis(dlogits, targets[..., None], np.take_along_axis(dlogits, targets[..., None], -1) - 1, axis=-1)
    dlogits *= (w / total)[..., None]
    return loss, dlogits


def mean_squared_error(pred, target, mask=None) -> tuple[float, np.ndarray]:
    """Mean of ``(pred - target)²`` over every element of the unmasked predictions.

    pred, target: same shape ``(..., D)``. mask: optional bool ``pred.shape[:-1]`` (e.g. ``(B, T)``).
    Returns ``(loss, dpred)``.
    """
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape, got {pred.shape} and {target.shape}.")
    if pred.ndim < 1:
        raise ValueError("pred must have at least one axis (..., D).")
    w = _weights(mask, pred.shape[:-1], pred.dtype)[..., None]
    count = w.sum() * pred.shape[-1]
    if count <= 0:
        raise ValueError("Every prediction is masked out: there is nothing to average.")
    diff = (pred - target) * w
    return float((diff**2).sum() / count), 2.0 * diff / count
