"""Input checks shared by every module: each raises a sentence that says what was expected.

Learners call these functions with the wrong thing all the time; a clear message here saves
them from a traceback deep inside NumPy or librosa.
"""
from __future__ import annotations

import numpy as np


def as_signal(y, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D float array of samples, or raise ``ValueError`` saying why not.

    y: (N,) real numbers. Integers are accepted only as float-convertible data, never silently
    rescaled: 16-bit PCM must be converted with :func:`rnnlib.audio.pcm_to_float` first.
    """
    arr = np.asarray(y)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.floating)):
        if np.issubdtype(arr.dtype, np.integer):
            raise ValueError(
                f"{name} holds integers ({arr.dtype}); audio in this course is float in [-1, 1]. "
                "Convert PCM samples with rnnlib.audio.pcm_to_float(y) first."
            )
        raise ValueError(f"{name} must be an array of float samples, got dtype {arr.dtype}.")
    if arr.ndim != 1:
        hint = " For a stereo signal, average the channels: y.mean(axis=0)." if arr.ndim == 2 else ""
        raise ValueError(f"{name} must be 1-D (one sample per entry), got shape {arr.shape}.{hint}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a signal needs at least one sample.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values; check how it was computed.")
    return arr


def positive_number(value, name: str) -> float:
    """Return ``value`` as a float if it is a finite positive number, else raise ``ValueError``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}.") from None
    if not np.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return number


def sample_rate(sr) -> int:
    """Return a sample rate in Hz as an int, or raise ``ValueError`` for zero, negative or fractional ones."""
    rate = positive_number(sr, "sample rate sr")
    if rate != int(rate):
        raise ValueError(f"sample rate sr must be a whole number of samples per second, got {sr!r}.")
    return int(rate)
