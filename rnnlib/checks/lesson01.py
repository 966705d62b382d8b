"""Checks for lesson 01, Sound as numbers."""
from __future__ import annotations

import numpy as np

from .. import audio
from ._core import check_function, check_value, exercise, passed


@exercise("sample_count")
def sample_count(answer) -> None:
    """Exercise 1: how many samples does a 0.65 s recording at 8 kHz hold?"""
    check_value(answer, 0.65 * 8000, what="Samples in 0.65 s at 8000 Hz",
                hint="Samples per second × seconds.")
    passed("Right: 8000 samples per second × 0.65 s = 5200 samples.")


@exercise("alias_frequency")
def alias_frequency(fn) -> None:
    """Exercise 2: ``fn(freq, sr)`` returns the frequency a sampled tone appears to have."""
    cases = [(440, 8000), (3999, 8000), (4000, 8000), (5000, 8000), (7000, 8000), (8000, 8000),
             (9000, 8000), (12500, 8000), (300, 1000), (1750, 1000)]
    check_function(fn, audio.alias_frequency, cases, what="alias_frequency",
                   hint="Fold f into [0, sr): f % sr; then reflect the upper half down: min(g, sr - g).")
    passed("Right: every tone folds into [0, sr/2]. 5000 Hz at 8 kHz is heard at 3000 Hz.")


def _reference_db(y):
    return 20 * np.log10(np.max(np.abs(y)))


@exercise("peak_db")
def peak_db(fn) -> None:
    """Exercise 3: ``fn(y)`` returns the level of the loudest sample in dB relative to full scale (1.0)."""
    cases = [np.array([0.5, -1.0, 0.25]), np.array([0.1, -0.05]), np.array([-0.01, 0.001]),
             audio.sine(100, 0.1, amplitude=0.5)]
    check_function(fn, _reference_db, cases, what="peak_db", rtol=1e-5, atol=1e-4,
                   hint="Take the largest absolute value (a negative sample is just as loud), then 20·log10.")
    passed("Right: halving the amplitude costs about 6 dB; a tenth of it costs 20 dB.")


def _reference_snr(y, bits):
    y = np.asarray(y, dtype=np.float64)
    error = audio.quantize(y, bits).astype(np.float64) - y
    return 10 * np.log10(np.mean(y**2) / np.mean(error**2))


@exercise("quantization_snr")
def quantization_snr(fn) -> None:
    """Exercise 4: ``fn(y, bits)`` measures the signal-to-quantization-noise ratio in dB."""
    tone = audio.sine(440, 0.5, amplitude=0.9).astype(np.float64)
    cases = [(tone, 4), (tone, 8), (tone, 12)]
    check_function(fn, _reference_snr, cases, what="quantization_snr", rtol=1e-4, atol=1e-3,
                   hint="error = audio.quantize(y, bits) - y; SNR = 10·log10(mean(y²) / mean(error²)).")
    passed("Right: each extra bit buys about 6 dB, as 6.02·bits + 1.76 predicts for a full-scale sine.")
