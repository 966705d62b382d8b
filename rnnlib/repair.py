"""Filling gaps in speech: packet-loss concealment, and how to judge it (lesson 09).

A phone or video call sends speech in packets of 20–40 ms; when one is lost, the receiver must play
*something* in its place. Every method here is a **concealer**: a function ``f(left, right, n)`` that
gets the samples before the gap ``left: (L,)`` and after it ``right: (R,)`` and returns ``(n,)`` samples
to play instead. (A real-time phone has no ``right``: it must play before the next packet arrives.
Methods that use it need one packet of delay, as many modern codecs accept.)

* :func:`silence`: play nothing;
* :func:`repeat_previous`: play the last packet again (classic packet-loss concealment);
* :func:`lpc_extrapolate`: linear prediction, the signal-processing answer: fit a linear predictor of each
  sample from the ``order`` before it on ``left``, and let it run on into the gap;
* :class:`rnnlib.models.GapFiller` (an RNN trained to fill gaps) is a concealer too.

:func:`snr_db` and :func:`log_spectral_distance` judge a filled gap against the original.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import lfilter, lfiltic

from . import _validate

__all__ = ["snr_db", "log_spectral_distance", "speech_gap_starts", "gap_windows", "conceal", "silence",
           "repeat_previous", "lpc_extrapolate", "lpc_both_sides"]


def snr_db(reference, estimate) -> float:
    """How close ``estimate`` is to ``reference`` (both ``(n,)``), in decibels: 10 log10(Σ ref² / Σ (ref − est)²).

    0 dB: the error is as loud as the signal (what silence scores); each +10 dB divides the error's energy by
    ten; negative: worse than silence. A perfect estimate gives ``inf``.
    """
    reference = _validate.as_signal(reference, "reference").astype(np.float64)
    estimate = _validate.as_signal(estimate, "estimate").astype(np.float64)
    if reference.shape != estimate.shape:
        raise ValueError(f"reference and estimate must have the same length, got {reference.size} and {estimate.size}.")
    signal = np.sum(reference**2)
    if signal == 0:
        raise ValueError("reference is silent (all zeros): an SNR against silence is undefined. Judge gaps that "
                         "fall in speech (see speech_gap_starts).")
    error = np.sum((reference - estimate) ** 2)
    return float("inf") if error == 0 else float(10 * np.log10(signal / error))


def log_spectral_distance(reference, estimate, *, floor_db: float = 60.0) -> float:
    """How different two sounds' spectra are, in dB: the rms difference of their log magnitude spectra.

    Both ``(n,)`` are Hann-windowed and transformed whole; levels more than ``floor_db`` below the reference's
    strongest frequency are raised to that floor, so silence scores a large but finite distance. Unlike
    :func:`snr_db`, it ignores the phase: a gap filled with the right sound at the wrong moment in its
    cycle scores well here and badly in SNR.
    """
    reference = _validate.as_signal(reference, "reference").astype(np.float64)
    estimate = _validate.as_signal(estimate, "estimate").astype(np.float64)
    if reference.shape != estimate.shape:
        raise ValueError(f"reference and estimate must have the same length, got {reference.size} and {estimate.size}.")
    window = np.hanning(reference.size)
    ref_db = 20 * np.log10(np.abs(np.fft.rfft(reference * window)) + 1e-12)
    est_db = 20 * np.log10(np.abs(np.fft.rfft(estimate * window)) + 1e-12)
    floor = ref_db.max() - floor_db
    return float(np.sqrt(np.mean((np.maximum(ref_db, floor) - np.maximum(est_db, floor)) ** 2)))


def speech_gap_starts(y, gap: int, *, context: int, count: int, seed=None, min_level: float = 0.3) -> np.ndarray:
    """Up to ``count`` random gap positions in ``y: (N,)`` that fall in speech, with ``context`` samples around.

    A gap of ``gap`` samples starting at ``s`` qualifies if ``context`` samples fit before and after it and
    its rms is at least ``min_level`` times the loudest gap-sized stretch of ``y`` (a gap in silence is
    trivially repaired by silence and would flatter every method). Returns sorted start indices (possibly
    none, for a recording too short or too quiet).
    """
    y = _validate.as_signal(y)
    for value, name in ((gap, "gap"), (context, "context"), (count, "count")):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive whole number of samples, got {value!r}.")
    if y.size < gap + 2 * context:
        return np.array([], dtype=int)
    level = np.sqrt(np.convolve(np.square(y, dtype=np.float64), np.ones(gap) / gap, mode="valid"))
    candidates = np.arange(context, y.size - context - gap + 1)
    candidates = candidates[level[candidates] >= min_level * level.max()] if level.max() > 0 else candidates[:0]
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(candidates, min(count, candidates.size), replace=False))


def gap_windows(waveforms, gap: int, *, context: int, per_recording: int, seed=None) -> np.ndarray:
    """Training or test material: ``(N, context + gap + context)`` windows of speech, each with a gap in speech.

    For each waveform ``(N_i,)``, up to ``per_recording`` gap positions from :func:`speech_gap_starts`; each
    window is scaled so its context (not its gap: that is what must be predicted) peaks at 1, as
    :class:`rnnlib.models.GapFiller` scales a gap it fills.
    """
    rng = np.random.default_rng(seed)
    out = []
    for y in waveforms:
        y = _validate.as_signal(y).astype(np.float64)
        for s in speech_gap_starts(y, gap, context=context, count=per_recording, seed=rng):
            window = y[s - context:s + gap + context]
            scale = max(np.abs(window[:context]).max(), np.abs(window[context + gap:]).max())
            if scale > 0:
                out.append(window / scale)
    return np.array(out).reshape(len(out), context + gap + context)


def conceal(y, start: int, gap: int, concealer, *, context: int) -> np.ndarray:
    """``y: (N,)`` with samples ``start … start+gap-1`` lost and replaced by ``concealer(left, right, gap)``.

    left/right: the ``context`` samples before and after the gap (fewer at the ends of ``y``). Raises a clear
    error if the gap does not fit inside ``y`` or the concealer returns the wrong number of samples.
    """
    y = _validate.as_signal(y)
    if not (isinstance(gap, (int, np.integer)) and gap >= 1):
        raise ValueError(f"gap must be a positive whole number of samples, got {gap!r}.")
    if gap >= y.size:
        raise ValueError(f"a gap of {gap} samples does not fit in a recording of {y.size}: choose a shorter gap "
                         "(at 8 kHz, 40 ms is 320 samples).")
    if not 0 <= start <= y.size - gap:
        raise ValueError(f"the gap must lie inside the recording: start must be in 0..{y.size - gap}, got {start}.")
    left, right = y[max(0, start - context):start], y[start + gap:start + gap + context]
    filled = np.asarray(concealer(left, right, gap), dtype=y.dtype)
    if filled.shape != (gap,):
        raise ValueError(f"the concealer returned shape {filled.shape}; it must return ({gap},) samples.")
    out = y.copy()
    out[start:start + gap] = filled
    return out


def silence(left, right, n: int) -> np.ndarray:
    """Play zeros: the receiver gives up. Scores exactly 0 dB SNR."""
    return np.zeros(n)


def repeat_previous(left, right, n: int) -> np.ndarray:
    """Play the last ``n`` samples before the gap again (the lost packet replaced by the one before it)."""
    left = np.asarray(left, dtype=np.float64)
    if left.size == 0:
        return np.zeros(n)
    return np.resize(left[-n:], n)          # np.resize repeats it if fewer than n samples came before


def lpc_extrapolate(left, right, n: int, *, order: int = 16) -> np.ndarray:
    r"""Continue ``left`` for ``n`` samples with linear prediction: :math:`\hat y_t = -\sum_{k=1}^{p} a_k y_{t-k}`.

    The coefficients ``a`` (``librosa.lpc``, Burg's method, so the predictor is stable) fit ``left``; then the
    predictor runs on its own outputs, as an all-pole filter ringing with no input. Voiced sound, a few
    decaying resonances, is what it continues well.
    """
    import librosa

    left = np.asarray(left, dtype=np.float64)
    if left.size <= order or not np.any(left):
        return np.zeros(n)
    while order >= 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            a = librosa.lpc(left, order=order)
        if np.all(np.isfinite(a)) and np.abs(np.roots(a)).max() < 1.0:
            break        # a stable predictor: its ringing dies away instead of growing
        order //= 2      # a signal predicted perfectly by fewer terms (a pure tone) makes a long fit ill-posed
    else:
        return np.zeros(n)
    state = lfiltic([1.0], a, y=left[::-1][:order])       # the filter's memory: the last samples, newest first
    return lfilter([1.0], a, np.zeros(n), zi=state)[0]


def lpc_both_sides(left, right, n: int, *, order: int = 16) -> np.ndarray:
    """Linear prediction forward from ``left`` and backward from ``right``, cross-faded across the gap."""
    forward = lpc_extrapolate(left, None, n, order=order)
    backward = lpc_extrapolate(np.asarray(right, dtype=np.float64)[::-1], None, n, order=order)[::-1]
    fade = np.linspace(1.0, 0.0, n)
    return fade * forward + (1 - fade) * backward
