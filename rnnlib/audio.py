"""Audio in and out, and the synthetic test signals the lessons use.

All signals are 1-D float arrays in [-1, 1]: ``y: (N,)`` at sample rate ``sr`` (Hz).
The Free Spoken Digit Dataset is recorded at 8 kHz, so that is the course's default rate.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from . import _validate

SAMPLE_RATE = 8000
"""The course's sample rate in Hz: FSDD's native rate."""

__all__ = [
    "SAMPLE_RATE", "load", "save", "resample", "pcm_to_float", "sine", "chirp", "white_noise",
    "add_noise", "quantize", "mu_law_encode", "mu_law_decode", "rms", "set_loudness", "amplitude_to_db",
    "alias_frequency",
]


def load(path, sr: int | None = SAMPLE_RATE, *, mono: bool = True) -> tuple[np.ndarray, int]:
    """Read an audio file as float32 samples in [-1, 1].

    path: a WAV (or any format libsndfile reads). sr: the rate you want; the file is resampled if
    it differs. ``sr=None`` keeps the file's own rate. mono: average the channels.
    Returns ``(y, sr)`` with ``y: (N,)`` float32 (or ``(N, C)`` when ``mono=False``).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No audio file at {path}: check the path (is it relative to the notebook?).")
    if path.is_dir():
        raise ValueError(f"{path} is a folder, not an audio file.")
    try:
        data, native_sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError) as err:
        raise ValueError(
            f"Could not read {path} as audio ({err}). Is it a WAV file? A truncated or corrupt "
            "file cannot be read: download or record it again."
        ) from None
    if data.shape[0] == 0:
        raise ValueError(f"{path} holds no samples: the recording is empty.")
    y = data.mean(axis=1, dtype=np.float32) if mono else data
    if sr is not None:
        target = _validate.sample_rate(sr)
        if target != native_sr:
            y = resample(y, native_sr, target) if mono else np.stack(
                [resample(ch, native_sr, target) for ch in y.T], axis=1)
        native_sr = target
    return np.ascontiguousarray(y, dtype=np.float32), int(native_sr)


def save(path, y, sr: int = SAMPLE_RATE) -> Path:
    """Write ``y: (N,)`` floats in [-1, 1] as a 16-bit PCM WAV file; values outside are clipped."""
    y = _validate.as_signal(y)
    sr = _validate.sample_rate(sr)
    path = Path(path)
    if path.suffix.lower() != ".wav":
        raise ValueError(f"save writes WAV files; give a path ending in .wav, not {path.name!r}.")
    sf.write(str(path), np.clip(y, -1.0, 1.0), sr, subtype="PCM_16")
    return path


def resample(y, orig_sr: int, target_sr: int) -> np.ndarray:
    """Change the sample rate of ``y: (N,)`` from ``orig_sr`` to ``target_sr`` (band-limited, so no aliasing)."""
    import librosa  # imported here: librosa is slow to import and only resampling needs it

    y = _validate.as_signal(y)
    orig_sr, target_sr = _validate.sample_rate(orig_sr), _validate.sample_rate(target_sr)
    if orig_sr == target_sr:
        return y.copy()
    return librosa.resample(y, orig_sr=orig_sr, target_sr=target_sr, res_type="soxr_hq").astype(y.dtype)


def pcm_to_float(y) -> np.ndarray:
    """Convert integer PCM samples (int16, int32 or uint8) to float32 in [-1, 1]."""
    arr = np.asarray(y)
    if arr.dtype == np.uint8:
        return ((arr.astype(np.float32) - 128.0) / 128.0)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"pcm_to_float expects integer samples, got {arr.dtype}.")
    return (arr / float(np.iinfo(arr.dtype).max + 1)).astype(np.float32)


def _time_axis(duration: float, sr: int) -> np.ndarray:
    duration = _validate.positive_number(duration, "duration (seconds)")
    sr = _validate.sample_rate(sr)
    n = int(round(duration * sr))
    if n < 1:
        raise ValueError(f"{duration} s at {sr} Hz is less than one sample; use a longer duration.")
    return np.arange(n) / sr


def sine(freq: float, duration: float = 1.0, sr: int = SAMPLE_RATE, *, amplitude: float = 1.0,
         phase: float = 0.0) -> np.ndarray:
    """A pure tone ``amplitude * sin(2π f t + phase)`` sampled at ``sr``; returns ``(round(duration*sr),)`` float32."""
    t = _time_axis(duration, sr)
    if not np.isfinite(freq) or freq < 0:
        raise ValueError(f"freq must be a frequency in Hz ≥ 0, got {freq!r}.")
    return (amplitude * np.sin(2 * np.pi * freq * t + phase)).astype(np.float32)


def chirp(f0: float, f1: float, duration: float = 1.0, sr: int = SAMPLE_RATE, *,
          amplitude: float = 1.0) -> np.ndarray:
    """A tone whose frequency glides linearly from ``f0`` to ``f1`` Hz; returns ``(N,)`` float32."""
    t = _time_axis(duration, sr)
    for name, f in (("f0", f0), ("f1", f1)):
        if not np.isfinite(f) or f < 0:
            raise ValueError(f"{name} must be a frequency in Hz ≥ 0, got {f!r}.")
    # The phase is the integral of the instantaneous frequency f0 + (f1 - f0) t / T.
    phase = 2 * np.pi * (f0 * t + 0.5 * (f1 - f0) * t**2 / duration)
    return (amplitude * np.sin(phase)).astype(np.float32)


def white_noise(duration: float = 1.0, sr: int = SAMPLE_RATE, *, amplitude: float = 0.1,
                seed=None) -> np.ndarray:
    """Gaussian white noise with standard deviation ``amplitude``; ``seed``: int or ``numpy.random.Generator``."""
    t = _time_axis(duration, sr)
    rng = np.random.default_rng(seed)
    return (amplitude * rng.standard_normal(t.size)).astype(np.float32)


def rms(y) -> float:
    """Root-mean-square level of ``y: (N,)``: the 'average loudness' of a signal."""
    y = _validate.as_signal(y)
    return float(np.sqrt(np.mean(np.square(y, dtype=np.float64))))


def set_loudness(y, level_db: float) -> np.ndarray:
    """``y: (N,)`` scaled so its RMS level is ``level_db`` dBFS (e.g. -20); silence is returned as it is.

    The same word said close to the microphone or far from it, through a loud or a quiet one, then comes
    out equally loud.
    """
    y = _validate.as_signal(y)
    level = rms(y)
    return y if level == 0 else (y * (10 ** (level_db / 20) / level)).astype(y.dtype)


def amplitude_to_db(amplitude, ref: float = 1.0, floor_db: float = -120.0):
    """``20 log10(amplitude / ref)`` in decibels, floored at ``floor_db`` so silence is not −∞."""
    ref = _validate.positive_number(ref, "ref")
    a = np.abs(np.asarray(amplitude, dtype=np.float64)) / ref
    db = 20 * np.log10(np.maximum(a, 10 ** (floor_db / 20)))
    return float(db) if np.ndim(db) == 0 else db


def add_noise(y, snr_db: float, *, seed=None) -> np.ndarray:
    """Add white noise to ``y: (N,)`` so the signal-to-noise ratio is ``snr_db`` decibels."""
    y = _validate.as_signal(y)
    signal_rms = rms(y)
    if signal_rms == 0:
        raise ValueError("y is silent (all zeros): a signal-to-noise ratio is undefined for silence.")
    noise_rms = signal_rms / 10 ** (snr_db / 20)
    rng = np.random.default_rng(seed)
    return (y + noise_rms * rng.standard_normal(y.size)).astype(y.dtype)


def quantize(y, bits: int) -> np.ndarray:
    """Round ``y: (N,)`` in [-1, 1] to the ``2**bits`` levels of a ``bits``-bit converter (a mid-tread quantizer)."""
    y = _validate.as_signal(y)
    if not isinstance(bits, (int, np.integer)) or not 1 <= bits <= 32:
        raise ValueError(f"bits must be a whole number from 1 to 32, got {bits!r}.")
    step = 2.0 / 2**bits
    levels = np.round(np.clip(y, -1.0, 1.0 - step) / step) * step
    return levels.astype(y.dtype)


def _mu(mu) -> int:
    if not isinstance(mu, (int, np.integer)) or not 1 <= mu <= 65535:
        raise ValueError(f"mu must be a whole number from 1 to 65535 (255 gives 256 classes), got {mu!r}.")
    return int(mu)


def mu_law_encode(y, mu: int = 255) -> np.ndarray:
    """``y: (...)`` in [-1, 1] → integer classes ``0 … mu`` of the same shape (μ-law companding, G.711's curve).

    The curve ``F(y) = sign(y) · ln(1 + mu·|y|) / ln(1 + mu)`` spends its ``mu + 1`` levels where speech spends its
    time, near 0: quiet samples get fine steps, loud ones coarse steps. ``F(y)`` in [-1, 1] is then rounded to one
    of ``mu + 1`` evenly spaced levels, numbered from 0. Values outside [-1, 1] are clipped first.
    """
    mu = _mu(mu)
    y = np.clip(np.asarray(y, dtype=np.float64), -1.0, 1.0)
    companded = np.sign(y) * np.log1p(mu * np.abs(y)) / np.log1p(mu)            # in [-1, 1]
    return np.round((companded + 1) / 2 * mu).astype(np.int64)


def mu_law_decode(q, mu: int = 255) -> np.ndarray:
    """Classes ``0 … mu`` → samples in [-1, 1]: the inverse of :func:`mu_law_encode`'s curve (float32)."""
    mu = _mu(mu)
    q = np.asarray(q)
    if q.size and (not np.issubdtype(q.dtype, np.integer) or q.min() < 0 or q.max() > mu):
        raise ValueError(f"mu-law classes must be whole numbers from 0 to {mu}.")
    companded = 2 * q / mu - 1                                                   # back to [-1, 1]
    return (np.sign(companded) * np.expm1(np.abs(companded) * np.log1p(mu)) / mu).astype(np.float32)


def alias_frequency(freq: float, sr: int) -> float:
    """The frequency in Hz that a tone of ``freq`` Hz *appears* to have once sampled at ``sr``.

    Sampling cannot tell ``f`` from ``f ± k·sr`` (any whole k), nor ``f`` from ``-f``: the tone folds
    into the band ``[0, sr/2]``. Below the Nyquist frequency ``sr/2`` a tone keeps its frequency.
    """
    sr = _validate.sample_rate(sr)
    if not np.isfinite(freq) or freq < 0:
        raise ValueError(f"freq must be a frequency in Hz ≥ 0, got {freq!r}.")
    folded = freq % sr
    return float(min(folded, sr - folded))
