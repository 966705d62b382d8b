"""Data augmentation: new, plausible training examples from the ones we have.

A recognizer that has heard five voices learns those five voices. Augmentation makes the training
set sound like more people and more rooms: faster and slower speakers (``speed``, which shifts
pitch and formants together, roughly like a shorter or longer vocal tract), background noise
(``noise``), and missing slices of time or frequency (``spec_mask``, after SpecAugment).
"""
from __future__ import annotations

import numpy as np

from . import _validate, audio

__all__ = ["speed", "noise", "spec_mask"]


def speed(y, factor: float, sr: int = audio.SAMPLE_RATE) -> np.ndarray:
    """Play ``y: (N,)`` ``factor`` times faster (and higher): ``factor = 1.1`` is 10% faster. Returns ``(≈N/factor,)``."""
    factor = _validate.positive_number(factor, "factor")
    # Resampling to sr/factor and playing back at sr changes tempo and pitch together.
    return audio.resample(y, sr, max(1, int(round(sr / factor))))


def noise(y, snr_db: float, *, seed=None) -> np.ndarray:
    """``y`` with white noise added at ``snr_db`` decibels below its level (see :func:`rnnlib.audio.add_noise`)."""
    return audio.add_noise(y, snr_db, seed=seed)


def spec_mask(x, *, rng, time_masks: int = 1, max_time: int = 8, freq_masks: int = 1, max_freq: int = 4,
              n_coeffs: int | None = None) -> np.ndarray:
    """Zero out random stretches of frames and of coefficients in ``x: (T, D)`` (a copy is returned).

    n_coeffs: the masked coefficient band applies to every block of this many columns (e.g. 20 for
    MFCCs + deltas, so a masked coefficient is masked in its deltas too). Default: all D columns.
    """
    x = np.array(x, copy=True)
    T, D = x.shape
    n = n_coeffs or D
    for _ in range(time_masks):
        width = int(rng.integers(0, max_time + 1))
        if 0 < width < T:
            start = int(rng.integers(0, T - width))
            x[start:start + width] = 0.0
    for _ in range(freq_masks):
        width = int(rng.integers(0, max_freq + 1))
        if 0 < width < n:
            start = int(rng.integers(0, n - width))
            for block in range(0, D, n):
                x[:, block + start:block + start + width] = 0.0
    return x
