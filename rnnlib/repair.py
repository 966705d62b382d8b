"""Filling gaps in speech: packet-loss concealment, and how to judge it (lesson 10).

A phone or video call sends speech in packets of 20–40 ms; when one is lost, the receiver must play
*something* in its place. Every method here is a **concealer**: a function ``f(left, right, n)`` that
gets the samples before the gap ``left: (L,)`` and after it ``right: (R,)`` and returns ``(n,)`` samples
to play instead. A real-time receiver has no ``right``: the methods marked "before the gap" never read it.
A method that reads it must wait for the speech after the gap before it can play the gap: a delay of the gap's
length plus the look-ahead it reads (40 ms for :class:`rnnlib.models.GapFiller`).

* :func:`silence`: play nothing;
* :func:`repeat_previous`: play the last packet again (the earliest internet telephony did);
* :func:`pitch_repeat`: repeat the last pitch period, smoothed at its seams and faded out, after ITU-T G.711
  Appendix I, the concealment of the phone network's own codec;
* :func:`lpc_extrapolate`: linear prediction with no input: the all-pole filter fitted to ``left`` rings on its
  own and dies away within milliseconds, since nothing excites it;
* :func:`lpc_pitch_excited`: the same filter driven by the last pitch period of its own prediction error, the
  way CELP-family codecs conceal a lost frame;
* :func:`both_sides` gives any of them the speech after the gap too: run forward from ``left`` and backward
  from ``right``, cross-faded;
* :class:`rnnlib.models.GapFiller` (an RNN trained to fill gaps) is a concealer too.

:func:`snr_db` and :func:`log_spectral_distance` judge a filled gap against the original.
"""
from __future__ import annotations

import numpy as np
from scipy.signal import lfilter, lfiltic

from . import _validate

__all__ = ["snr_db", "log_spectral_distance", "speech_gap_starts", "gap_windows", "conceal", "silence",
           "repeat_previous", "pitch_period", "pitch_repeat", "lpc_extrapolate", "lpc_pitch_excited",
           "both_sides"]

#: The pitch periods G.711 Appendix I searches at 8 kHz: 40 to 120 samples (200 down to 66.7 Hz), matching the
#: last 20 ms (160 samples) against the speech one period earlier.
PITCH_MIN, PITCH_MAX, PITCH_WINDOW = 40, 120, 160


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


def pitch_period(left, *, min_period: int = PITCH_MIN, max_period: int = PITCH_MAX,
                 window: int = PITCH_WINDOW) -> int:
    """The pitch period at the end of ``left: (L,)``, in samples: the lag at which it best repeats itself.

    For every lag from ``min_period`` to ``max_period``, the last ``window`` samples are compared with the
    ``window`` samples that lag earlier (their dot product over the earlier stretch's norm, G.711 Appendix I's
    normalized cross-correlation); the best-matching lag wins. A shorter ``left`` uses a shorter window.
    """
    left = np.asarray(left, dtype=np.float64)
    window = min(window, left.size - max_period)
    if window < min_period:
        raise ValueError(f"{left.size} samples are too few to find a pitch period of up to {max_period} samples: "
                         f"give at least {max_period + min_period}.")
    recent = left[-window:]
    best, best_score = min_period, -np.inf
    for lag in range(min_period, max_period + 1):
        earlier = left[left.size - window - lag:left.size - lag]
        score = recent @ earlier / (np.sqrt(earlier @ earlier) + 1e-12)
        if score > best_score:
            best, best_score = lag, score
    return best


def _fade(n: int, sr: int) -> np.ndarray:
    """G.711 Appendix I's gain over a loss: 1 for the first 10 ms, then 20% less per 10 ms, silent from 60 ms."""
    ten_ms = round(0.010 * sr)
    return np.clip(1.0 - (np.arange(n) - ten_ms) / (5 * ten_ms), 0.0, 1.0)


def _cycle(buffer: np.ndarray, period: int, n: int, sr: int) -> np.ndarray:
    """``(n,)`` samples cycling through the last periods of ``buffer``: one period for the first 10 ms of a loss,
    the last two from 10 ms, three from 20 ms (so a long loss does not buzz on one period), each change
    cross-faded over a quarter period, and every cycle's seam smoothed the same way.
    """
    quarter = max(1, period // 4)
    ramp = np.linspace(0.0, 1.0, quarter, endpoint=False)
    out = np.empty(n)
    start = 0
    for periods, until in ((1, int(0.010 * sr)), (2, int(0.020 * sr)), (3, n)):
        span = periods * period
        if span + quarter > buffer.size:           # too little history for more periods: keep what we have
            span = (buffer.size - quarter) // period * period
        loop = buffer[buffer.size - span:].copy()
        # The loop's last quarter period flows into the samples that come before its start, so that jumping
        # back to its start is no step (G.711's overlap-add at the seam).
        before_start = buffer[buffer.size - span - quarter:buffer.size - span]
        loop[-quarter:] = (1 - ramp) * loop[-quarter:] + ramp * before_start
        # Every loop starts with the last period, so each begins where the previous one was at that moment.
        offset = span - period
        stream = loop[(offset + np.arange(n)) % span]
        if start == 0:
            out[:] = stream
        elif start < n:
            k = min(quarter, n - start)
            out[start:start + k] = (1 - ramp[:k]) * out[start:start + k] + ramp[:k] * stream[start:start + k]
            out[start + k:] = stream[start + k:]
        start = until
        if start >= n:
            break
    return out


def pitch_repeat(left, right, n: int, *, sr: int = 8000) -> np.ndarray:
    """Pitch-synchronous waveform substitution, after ITU-T G.711 Appendix I (before the gap only).

    Voiced speech repeats itself every pitch period, so the gap is filled by repeating the last period of
    ``left`` (:func:`pitch_period`), and later the last two and three periods, with a quarter period of
    cross-fade at every seam; after the first 10 ms the sound fades by 20% per 10 ms, to silence at 60 ms,
    because the longer the loss, the less the last period says about what was lost.

    One difference from G.711: it delays its output by 3.75 ms so it can also overlap-add the first quarter
    period of the loss with the last good samples; a concealer here may not change what was already played,
    so the fill starts at the sample that followed the best-matching stretch one period earlier.
    """
    left = np.asarray(left, dtype=np.float64)
    if left.size < PITCH_MAX + PITCH_MIN or not np.any(left):
        return repeat_previous(left, right, n)
    period = pitch_period(left)
    buffer = left[-min(left.size, 3 * period + period // 4):]
    return _cycle(buffer, period, n, sr) * _fade(n, sr)


def _stable_lpc(left: np.ndarray, order: int):
    """LPC coefficients ``[1, a_1, …, a_p]`` of ``left`` whose filter is stable, lowering the order if need be."""
    import librosa

    while order >= 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            a = librosa.lpc(left, order=order)
        if np.all(np.isfinite(a)) and np.abs(np.roots(a)).max() < 1.0:
            return a     # a stable predictor: its ringing dies away instead of growing
        order //= 2      # a signal predicted perfectly by fewer terms (a pure tone) makes a long fit ill-posed
    return None


def lpc_extrapolate(left, right, n: int, *, order: int = 16) -> np.ndarray:
    r"""Continue ``left`` for ``n`` samples with linear prediction: :math:`\hat y_t = -\sum_{k=1}^{p} a_k y_{t-k}`.

    The coefficients ``a`` (``librosa.lpc``, Burg's method, so the predictor is stable) fit ``left``; then the
    predictor runs on its own outputs, as an all-pole filter with no input. Order 16 spans 2 ms at 8 kHz, less
    than one pitch period, so it knows the voice's resonances but not its pitch: with nothing to excite them,
    they ring for a few milliseconds and die away, and the fill fades to silence.
    """
    left = np.asarray(left, dtype=np.float64)
    if left.size <= order or not np.any(left):
        return np.zeros(n)
    a = _stable_lpc(left, order)
    if a is None:
        return np.zeros(n)
    state = lfiltic([1.0], a, y=left[::-1][:len(a) - 1])    # the filter's memory: the last samples, newest first
    return lfilter([1.0], a, np.zeros(n), zi=state)[0]


def lpc_pitch_excited(left, right, n: int, *, order: int = 16, sr: int = 8000) -> np.ndarray:
    """Linear prediction driven by the last pitch period of its own error (before the gap only).

    The all-pole filter of :func:`lpc_extrapolate` holds the resonances; what it could not predict, its
    *residual* ``e = left filtered by [1, a_1, …, a_p]``, holds the pitch pulses. Repeating the residual's last
    pitch period (and later two and three, as :func:`pitch_repeat` does) and passing it through the filter,
    which starts from the last samples of ``left``, continues the voice with its resonances *and* its pitch,
    without a seam at the start of the gap; it fades like :func:`pitch_repeat`.
    """
    left = np.asarray(left, dtype=np.float64)
    if left.size < PITCH_MAX + PITCH_MIN or not np.any(left):
        return lpc_extrapolate(left, right, n, order=order)
    a = _stable_lpc(left, order)
    if a is None:
        return pitch_repeat(left, right, n, sr=sr)
    residual = lfilter(a, [1.0], left)
    period = pitch_period(left)
    excitation = _cycle(residual[-min(left.size, 3 * period + period // 4):], period, n, sr)
    state = lfiltic([1.0], a, y=left[::-1][:len(a) - 1])
    return lfilter([1.0], a, excitation, zi=state)[0] * _fade(n, sr)


def both_sides(concealer):
    """A concealer that reads both sides: ``concealer`` run forward from ``left`` and backward from ``right``
    (the speech after the gap, reversed in time), cross-faded linearly across the gap.

    ``both_sides(lpc_extrapolate)`` is linear prediction from both sides; any "before the gap" method can be
    given the look-ahead that :class:`rnnlib.models.GapFiller` reads, for a fair comparison.
    """
    def fill(left, right, n: int) -> np.ndarray:
        forward = np.asarray(concealer(left, None, n), dtype=np.float64)
        backward = np.asarray(concealer(np.asarray(right, dtype=np.float64)[::-1], None, n), dtype=np.float64)[::-1]
        fade = np.linspace(1.0, 0.0, n)
        return fade * forward + (1 - fade) * backward

    fill.__name__ = f"both_sides({getattr(concealer, '__name__', 'concealer')})"
    return fill
