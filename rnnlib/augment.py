"""Data augmentation: new, plausible training examples from the ones we have.

A recognizer that has heard a handful of voices learns those voices. Augmentation makes the training
set sound like more people and more rooms: faster and slower speakers (``speed``, which shifts
pitch and formants together, roughly like a shorter or longer vocal tract), background noise
(white noise with :func:`rnnlib.audio.add_noise`; any recorded noise with ``mix``, e.g. the ``babble``
of other talkers), rooms that ring (``room_impulse_response`` and ``reverberate``), and missing slices
of time or frequency (``spec_mask``, after SpecAugment). ``noisy_copy`` draws one of these rooms at random, for
training (lesson 09), and ``labelled_copies`` makes new versions of labelled recordings, each built together with
its label.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

from . import _validate, audio

__all__ = ["speed", "mix", "babble", "room_impulse_response", "reverberate", "noisy_copy", "labelled_copies", "corrupt",
           "spec_mask"]


def speed(y, factor: float, sr: int = audio.SAMPLE_RATE) -> np.ndarray:
    """Play ``y: (N,)`` ``factor`` times faster (and higher): ``factor = 1.1`` is 10% faster. Returns
    ``(≈N/factor,)``."""
    factor = _validate.positive_number(factor, "factor")
    # Resampling to sr/factor and playing back at sr changes tempo and pitch together.
    return audio.resample(y, sr, max(1, int(round(sr / factor))))


def _snr(snr_db) -> float:
    try:
        value = float(snr_db)
    except (TypeError, ValueError):
        raise ValueError(f"snr_db must be a number of decibels (e.g. 10), got {snr_db!r}.") from None
    if not np.isfinite(value):
        raise ValueError(f"snr_db must be a finite number of decibels, got {snr_db!r}.")
    return value


def mix(y, noise, snr_db: float) -> np.ndarray:
    """``y: (N,)`` plus ``noise`` scaled so the signal-to-noise ratio is ``snr_db`` decibels. Returns ``(N,)``.

    The noise is repeated or cut to the length of ``y``. SNR = 20 log10(rms(y) / rms(scaled noise)).
    """
    y = _validate.as_signal(y)
    noise = _validate.as_signal(noise, "noise")
    snr_db = _snr(snr_db)
    signal_rms, noise_rms = audio.rms(y), audio.rms(noise)
    if signal_rms == 0 or noise_rms == 0:
        raise ValueError("y and noise must both be non-silent: a signal-to-noise ratio is undefined for silence.")
    noise = np.resize(noise, y.size)         # np.resize repeats the noise from its start if it is too short
    gain = signal_rms / (audio.rms(noise) * 10 ** (snr_db / 20))
    return (y + gain * noise).astype(y.dtype)


def babble(talkers, length: int, *, n_talkers: int = 4, seed=None) -> np.ndarray:
    """``(length,)`` of several people talking at once, like a café: ``n_talkers`` recordings, summed.

    talkers: a list of waveforms ``(N_i,)`` to choose from (use other speakers than the one you mix
    with). Each chosen one is scaled to the same loudness, looped to ``length`` and started at a random
    point, so the voices overlap everywhere.
    """
    if not isinstance(length, (int, np.integer)) or length < 1:
        raise ValueError(f"length must be a positive whole number of samples, got {length!r}.")
    if not 1 <= n_talkers <= len(talkers):
        raise ValueError(f"n_talkers must be between 1 and the {len(talkers)} talkers given, got {n_talkers}.")
    rng = np.random.default_rng(seed)
    out = np.zeros(length)
    for k in rng.choice(len(talkers), n_talkers, replace=False):
        voice = _validate.as_signal(talkers[k], "a talker")
        level = audio.rms(voice)
        if level > 0:
            out += np.roll(np.resize(voice / level, length), int(rng.integers(length)))
    return out.astype(np.float32)


def room_impulse_response(rt60: float, sr: int = audio.SAMPLE_RATE, *, seed=None) -> np.ndarray:
    """A synthetic room: what a microphone hears after one click. ``(round(rt60 · sr),)``, unit energy.

    The direct sound (a 1 at time 0) followed by a dense tail of echoes, modelled as random noise whose
    level falls by 60 dB in ``rt60`` seconds (the room's reverberation time: about 0.3 s in a living room,
    1–2 s in a church). Amplitude envelope: ``10 ** (-3 t / rt60)``, which is −60 dB at ``t = rt60``.
    """
    rt60 = _validate.positive_number(rt60, "rt60")
    sr = _validate.sample_rate(sr)
    n = max(2, int(round(rt60 * sr)))
    rng = np.random.default_rng(seed)
    t = np.arange(n) / sr
    h = rng.standard_normal(n) * 10 ** (-3 * t / rt60)
    h[0] = 1.0
    return h / np.sqrt(np.sum(h**2))


def reverberate(y, rir) -> np.ndarray:
    """``y: (N,)`` as heard in the room ``rir: (K,)``: their convolution, ``(N + K - 1,)``, at ``y``'s peak level.

    The output is longer than ``y``: the room keeps ringing after the talker stops.
    """
    y = _validate.as_signal(y)
    rir = _validate.as_signal(rir, "rir")
    wet = fftconvolve(y, rir)
    peak = np.abs(wet).max()
    return (wet * (np.abs(y).max() / peak) if peak > 0 else wet).astype(y.dtype)


def noisy_copy(y, rng: np.random.Generator, *, talkers=None, snr_range=(0.0, 20.0),
               rt60_range=(0.2, 0.8), sr: int = audio.SAMPLE_RATE) -> np.ndarray:
    """One random room for training: ``y: (N,)`` with white noise, babble (if ``talkers`` are given) or reverberation.

    The kind is drawn with equal chances; the SNR uniformly from ``snr_range`` dB, the reverberation time
    from ``rt60_range`` seconds.
    """
    kinds = ["white", "reverb"] + (["babble"] if talkers is not None else [])
    kind = kinds[int(rng.integers(len(kinds)))]
    if kind == "reverb":
        return reverberate(y, room_impulse_response(rng.uniform(*rt60_range), sr, seed=rng))
    snr = rng.uniform(*snr_range)
    if kind == "white":
        return mix(y, rng.standard_normal(len(y)), snr)
    return mix(y, babble(talkers, len(y), n_talkers=min(4, len(talkers)), seed=rng), snr)


def labelled_copies(waveforms, labels, rng: np.random.Generator, *, speeds=(0.8, 0.9, 1.1, 1.2),
                    rooms: int = 1, talkers=None) -> tuple[list[np.ndarray], np.ndarray]:
    """New versions of labelled recordings: each waveform at every speed in ``speeds``, then in ``rooms`` random rooms.

    waveforms: ``(N_i,)`` each; labels: one per waveform. Each copy is appended together with the label of the
    waveform it was made from, so the two lists cannot drift apart, whatever their order. talkers: passed to
    :func:`noisy_copy` (babble). Returns ``(copies, copy_labels)``, ``copy_labels: (M,)`` with
    ``M = N · (len(speeds) + rooms)``.
    """
    labels = np.asarray(labels)
    if len(waveforms) != len(labels):
        raise ValueError(f"one label per waveform: got {len(waveforms)} waveforms and {len(labels)} labels.")
    copies, copy_labels = [], []
    for y, label in zip(waveforms, labels):
        for factor in speeds:
            copies.append(speed(y, factor))
            copy_labels.append(label)
        for _ in range(rooms):
            copies.append(noisy_copy(y, rng, talkers=talkers))
            copy_labels.append(label)
    return copies, np.array(copy_labels, dtype=labels.dtype)


def corrupt(waveforms, speakers, kind: str, level: float, *, seed=None) -> list[np.ndarray]:
    """A test set in one room: each waveform ``(N_i,)`` with ``kind`` = ``"white"`` noise or ``"babble"`` at ``level``
    dB SNR, or in a ``"room"`` whose reverberation time is ``level`` seconds.

    speakers: who speaks each waveform; babble is made of four of the other waveforms whose speaker differs.
    """
    if kind not in ("white", "babble", "room"):
        raise ValueError(f'kind must be "white", "babble" or "room", got {kind!r}.')
    rng = np.random.default_rng(seed)
    out = []
    for y, speaker in zip(waveforms, speakers):
        if kind == "white":
            out.append(mix(y, rng.standard_normal(len(y)), level))
        elif kind == "babble":
            talkers = [w for w, s in zip(waveforms, speakers) if s != speaker]
            out.append(mix(y, babble(talkers, len(y), seed=rng), level))
        else:
            out.append(reverberate(y, room_impulse_response(level, seed=rng)))
    return out


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
