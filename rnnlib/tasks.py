"""Toy sequence tasks: small problems with a known answer, to train and test recurrent layers quickly.

Every function takes ``seed`` (int or ``numpy.random.Generator``) and returns batch-major arrays.
"""
from __future__ import annotations

import numpy as np

__all__ = ["next_sample", "voiced_waves", "voiced", "recall", "adding"]


def _count(value, name, minimum=1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}.")
    return int(value)


def next_sample(n_sequences: int, length: int, *, n_tones: int = 2, sr: int = 400, noise: float = 0.0,
                seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Predict the next sample of a sum of sines with random frequencies and phases.

    Returns ``x: (B, T, 1)`` (samples 0..T-1) and ``y: (B, T, 1)`` (samples 1..T): at every step the
    target is what comes next. Frequencies are drawn between 5 and 40 Hz at ``sr`` Hz, so one period
    spans 10–80 steps: the network must remember where it is in the wave.
    """
    B, T = _count(n_sequences, "n_sequences"), _count(length, "length", 2)
    rng = np.random.default_rng(seed)
    f = rng.uniform(5, 40, size=(B, n_tones, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(B, n_tones, 1))
    t = np.arange(T + 1) / sr
    wave = np.sin(2 * np.pi * f * t + phase).sum(axis=1) / n_tones          # (B, T+1)
    wave += noise * rng.standard_normal(wave.shape)
    return wave[:, :-1, None], wave[:, 1:, None]


def voiced_waves(n_sequences: int, length: int, *, f0=(140.0, 220.0), n_harmonics: int = 5, sr: int = 8000,
                 seed=None) -> np.ndarray:
    """Voiced sounds, like a sung vowel: ``(B, length)`` waveforms, each a fundamental and its harmonics.

    Each sequence has its own fundamental, drawn uniformly from ``f0`` (a pair: low, high; or one number), and
    harmonics ``k·f0`` with amplitudes ``1/k`` and random phases, scaled to peak at 0.8. At 8 kHz one period of
    140–220 Hz spans 36–57 samples.
    """
    B, N = _count(n_sequences, "n_sequences"), _count(length, "length", 2)
    K = _count(n_harmonics, "n_harmonics")
    low, high = (float(f0), float(f0)) if np.ndim(f0) == 0 else (float(f0[0]), float(f0[1]))
    if not 0 < low <= high or high * K >= sr / 2:
        raise ValueError(f"f0 must be positive, with every harmonic below half the sample rate ({sr / 2:g} Hz); "
                         f"got f0 = {f0} with {K} harmonics.")
    rng = np.random.default_rng(seed)
    f = rng.uniform(low, high, size=(B, 1, 1)) * np.arange(1, K + 1)[None, :, None]       # (B, K, 1)
    phase = rng.uniform(0, 2 * np.pi, size=(B, K, 1))
    t = np.arange(N) / sr
    wave = (np.sin(2 * np.pi * f * t + phase) / np.arange(1, K + 1)[None, :, None]).sum(axis=1)   # (B, N)
    return wave * (0.8 / np.abs(wave).max(axis=1, keepdims=True))


def voiced(n_sequences: int, length: int, *, f0=(140.0, 220.0), n_harmonics: int = 5, sr: int = 8000,
           seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Predict the next sample of a voiced sound (:func:`voiced_waves` of ``length + 1`` samples).

    Returns ``x: (B, T, 1)`` (samples 0..T-1) and ``y: (B, T, 1)`` (samples 1..T), as :func:`next_sample`.
    """
    wave = voiced_waves(n_sequences, _count(length, "length", 2) + 1, f0=f0, n_harmonics=n_harmonics, sr=sr, seed=seed)
    return wave[:, :-1, None], wave[:, 1:, None]


def recall(n_sequences: int, gap: int, *, n_symbols: int = 4, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Remember a symbol across a gap: the *memory* task whose difficulty is the gap length.

    Step 0 shows one of ``n_symbols`` symbols (one-hot); each of the next ``gap`` steps shows another
    random symbol **on the same channels**, so every new input pushes on the memory of the first; the
    last step raises a "now answer" flag on a channel of its own. The target is the symbol of step 0,
    to be read from the state after the last step. Chance is ``1 / n_symbols``.

    Returns ``x: (B, gap + 2, n_symbols + 1)`` and ``y: (B,)`` integer targets.
    """
    B, S = _count(n_sequences, "n_sequences"), _count(n_symbols, "n_symbols", 2)
    gap = _count(gap, "gap", 0)
    rng = np.random.default_rng(seed)
    T = gap + 2
    symbols = rng.integers(0, S, size=(B, T - 1))
    x = np.zeros((B, T, S + 1))
    x[np.arange(B)[:, None], np.arange(T - 1)[None, :], symbols] = 1.0
    x[:, -1, -1] = 1.0
    return x, symbols[:, 0]


def adding(n_sequences: int, length: int, *, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber, 1997): sum the two marked numbers of a long sequence.

    Channel 0 holds uniform random numbers, channel 1 marks two positions (one in each half).
    Returns ``x: (B, T, 2)`` and ``y: (B, 1)``. Always answering 1.0 scores a mean squared error of about 0.167.
    """
    B, T = _count(n_sequences, "n_sequences"), _count(length, "length", 2)
    rng = np.random.default_rng(seed)
    x = np.zeros((B, T, 2))
    x[:, :, 0] = rng.uniform(0, 1, size=(B, T))
    first = rng.integers(0, T // 2, size=B)
    second = rng.integers(T // 2, T, size=B)
    x[np.arange(B), first, 1] = 1.0
    x[np.arange(B), second, 1] = 1.0
    y = (x[np.arange(B), first, 0] + x[np.arange(B), second, 0])[:, None]
    return x, y
