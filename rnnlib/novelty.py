"""Knowing when it is unsure: is a recording like the digits the recognizer learned, or something else?

A classifier's softmax always names one of its classes, even for a tone or a cough, and often with a
confident-looking probability. A better signal is *where* the recording lands in the model's own
representation: the pooled top-layer state ``h̄: (H,)`` that the readout reads (lesson 07). Each digit's
training recordings form a cloud of such states. A new recording whose state is far from every cloud is
probably not a digit the model knows, whatever the softmax says.

"Far" is measured with the **Mahalanobis distance**, a distance that takes each cloud's spread into
account: with class means ``mu_c`` and one covariance ``Sigma`` shared by all classes, fitted on training
recordings, and the state a row as everywhere in the course (lesson 08),

    d²(h̄) = min over c of (h̄ - mu_c) Sigma^-1 (h̄ - mu_c)^T.

The course's recipe measures more than the top layer: every recurrent layer's pooled state, side by side
(``all_layers=True``; 2 × 64 numbers for LSTM 64 → LSTM 64). The first layer stays closer to the sound itself,
so a rumble or a click that the top layer maps near some digit still stands out there.

The threshold comes from recordings the model has *not* trained on (the validation set): it is set so
that a chosen share of those real digits (2% by default, 3% in the course's recipe) would be flagged. That
share is the price: a few real digits will be called "unsure", in exchange for catching most things that are
not digits.
``benchmarks/open_set.py`` measures both rates on the official test split and on non-digit sounds.
"""
from __future__ import annotations

import numpy as np

__all__ = ["NoveltyDetector"]


class NoveltyDetector:
    """Mahalanobis distance of a pooled state to the nearest class mean, and a threshold for "unsure".

    means: ``(C, H)``; precision: ``(H, H)``, the inverse of the shared covariance; threshold: scores
    above it are flagged (``inf``, the default before :meth:`calibrate`, flags nothing). all_layers: which
    states it was fitted on, so a recognizer hands it the same kind (top layer only, or every layer's).
    flag_share, calibrated_on: set by :meth:`calibrate`, so that adapting the recognizer to a new voice
    (:mod:`rnnlib.adaptation`) can calibrate its new detector the same way, on the same recordings.
    """

    def __init__(self, means, precision, threshold: float = np.inf, *, all_layers: bool = False,
                 flag_share: float | None = None, calibrated_on=()):
        self.means = np.asarray(means, np.float64)
        self.precision = np.asarray(precision, np.float64)
        if self.means.ndim != 2 or self.precision.shape != (self.means.shape[1],) * 2:
            raise ValueError(f"means must be (C, H) and precision (H, H); got {self.means.shape} and "
                             f"{self.precision.shape}.")
        self.threshold = float(threshold)
        self.all_layers = bool(all_layers)
        self.flag_share = flag_share              # the share of real digits the threshold flags, once calibrated
        self.calibrated_on = list(calibrated_on)  # names of the recordings it was calibrated on (for adaptation)

    @classmethod
    def fit(cls, pooled, labels, n_classes: int, *, ridge: float = 1e-3, all_layers: bool = False) -> "NoveltyDetector":
        """Class means and shared covariance of training states ``pooled: (N, H)`` with ``labels: (N,)``.

        ridge is added to the covariance's diagonal, so it can be inverted even when some directions of
        the state barely vary.
        """
        pooled, labels = np.asarray(pooled, np.float64), np.asarray(labels)
        if pooled.ndim != 2 or labels.shape != (len(pooled),):
            raise ValueError(f"pooled must be (N, H) with one label each; got {pooled.shape} and {labels.shape}.")
        missing = sorted(set(range(n_classes)) - set(labels.tolist()))
        if missing:
            raise ValueError(f"no training states for class(es) {missing}: every class needs examples.")
        means = np.stack([pooled[labels == c].mean(axis=0) for c in range(n_classes)])
        centred = pooled - means[labels]
        covariance = centred.T @ centred / len(pooled) + ridge * np.eye(pooled.shape[1])
        return cls(means, np.linalg.inv(covariance), all_layers=all_layers)

    def score(self, pooled) -> np.ndarray:
        """Squared Mahalanobis distance of each state ``pooled: (N, H)`` to its nearest class mean: ``(N,)``."""
        pooled = np.asarray(pooled, np.float64)
        if pooled.ndim != 2 or pooled.shape[1] != self.means.shape[1]:
            raise ValueError(f"pooled must be (N, {self.means.shape[1]}), got {pooled.shape}.")
        diff = pooled[:, None, :] - self.means[None]                          # (N, C, H)
        return np.einsum("nch,hk,nck->nc", diff, self.precision, diff).min(axis=1)

    def calibrate(self, pooled, *, flag_share: float = 0.02, names=()) -> float:
        """Set the threshold so that ``flag_share`` of ``pooled: (N, H)`` (real digits, unseen in training) is
        flagged. names: the recordings those states come from (file names), kept in ``calibrated_on``."""
        if not 0.0 <= flag_share < 1.0:
            raise ValueError(f"flag_share must be in [0, 1), got {flag_share}.")
        scores = self.score(pooled)
        if len(scores) < 20:
            raise ValueError(f"calibrating on {len(scores)} recordings is too few; use a validation set of 20 or more.")
        self.threshold = float(np.quantile(scores, 1.0 - flag_share))
        self.flag_share, self.calibrated_on = float(flag_share), [str(name) for name in names]
        return self.threshold

    def is_unsure(self, pooled) -> np.ndarray:
        """``(N,)`` bool: True where the state is farther from every class than the threshold."""
        return self.score(pooled) > self.threshold

    def to_dict(self) -> dict:
        return {"means": self.means.tolist(), "precision": self.precision.tolist(), "threshold": self.threshold,
                "all_layers": self.all_layers, "flag_share": self.flag_share, "calibrated_on": self.calibrated_on}

    @classmethod
    def from_dict(cls, d: dict) -> "NoveltyDetector":
        # detectors saved before all_layers existed were fitted on the top layer's states
        return cls(d["means"], d["precision"], d["threshold"], all_layers=d.get("all_layers", False),
                   flag_share=d.get("flag_share"), calibrated_on=d.get("calibrated_on", ()))
