"""From a waveform to a ``(T, D)`` sequence of feature frames, and from many sequences to a batch.

Everything here returns *time-major* matrices, one row per frame: ``(T, D)``. That is the shape a
recurrent network reads, one row per step. (librosa returns ``(D, T)``; we transpose once, here.)

The course's defaults live in :data:`DEFAULT`, a :class:`FeatureConfig`: 25 ms Hann windows every
10 ms, 40 mel bands, 20 MFCCs plus their first and second differences ("deltas"): 60 numbers per
10 ms of speech.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from . import _validate

__all__ = ["FeatureConfig", "DEFAULT", "make_config", "fft_frequencies", "spectrogram_db", "mel_filterbank",
           "mel_spectrogram_db", "mfcc", "Standardizer", "pad_sequences"]


@dataclass(frozen=True)
class FeatureConfig:
    """How a waveform becomes frames. Durations are in milliseconds so they mean the same at any rate.

    win_ms: window length. hop_ms: step between frames. n_fft: FFT size in samples (``None``: the
    next power of two ≥ the window). n_mels: mel bands. fmin/fmax: mel range in Hz (``fmax=None``:
    half the sample rate). n_mfcc: cepstral coefficients. deltas: 0, 1 or 2 orders of differences
    appended to the MFCCs. top_db: dynamic range kept by the dB conversions.
    """

    win_ms: float = 25.0
    hop_ms: float = 10.0
    n_fft: int | None = None
    n_mels: int = 40
    fmin: float = 20.0
    fmax: float | None = None
    n_mfcc: int = 20
    deltas: int = 2
    top_db: float = 80.0

    def win_length(self, sr: int) -> int:
        """Window length in samples at ``sr``."""
        return max(1, int(round(self.win_ms * sr / 1000)))

    def hop_length(self, sr: int) -> int:
        """Hop in samples at ``sr``."""
        return max(1, int(round(self.hop_ms * sr / 1000)))

    def fft_size(self, sr: int) -> int:
        """FFT size in samples at ``sr``."""
        return self.n_fft or int(2 ** np.ceil(np.log2(self.win_length(sr))))

    @property
    def n_features(self) -> int:
        """D, the width of a row of :func:`mfcc` features."""
        return self.n_mfcc * (1 + self.deltas)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FeatureConfig":
        return make_config(None, **d)


DEFAULT = FeatureConfig()


def make_config(config: FeatureConfig | None = None, **overrides) -> FeatureConfig:
    """Return ``config`` (default :data:`DEFAULT`) with some fields changed, validated."""
    base = config or DEFAULT
    names = {f.name for f in dataclasses.fields(FeatureConfig)}
    unknown = set(overrides) - names
    if unknown:
        raise ValueError(f"Unknown feature setting(s) {sorted(unknown)}; the settings are {sorted(names)}.")
    cfg = dataclasses.replace(base, **overrides)
    for name in ("win_ms", "hop_ms", "top_db"):
        _validate.positive_number(getattr(cfg, name), name)
    for name in ("n_mels", "n_mfcc"):
        if not isinstance(getattr(cfg, name), (int, np.integer)) or getattr(cfg, name) < 1:
            raise ValueError(f"{name} must be a whole number ≥ 1, got {getattr(cfg, name)!r}.")
    if cfg.deltas not in (0, 1, 2):
        raise ValueError(f"deltas must be 0, 1 or 2, got {cfg.deltas!r}.")
    if cfg.n_mfcc > cfg.n_mels:
        raise ValueError(f"n_mfcc ({cfg.n_mfcc}) cannot exceed n_mels ({cfg.n_mels}).")
    return cfg


def _prepare(y, sr, config, overrides):
    y = _validate.as_signal(y).astype(np.float32, copy=False)
    sr = _validate.sample_rate(sr)
    cfg = make_config(config, **overrides)
    if cfg.fft_size(sr) < cfg.win_length(sr):
        raise ValueError(f"n_fft={cfg.n_fft} is shorter than the {cfg.win_length(sr)}-sample window; "
                         "use n_fft ≥ the window length (or leave it None).")
    return y, sr, cfg


def _stft(y, sr, cfg):
    import librosa

    return librosa.stft(y, n_fft=cfg.fft_size(sr), hop_length=cfg.hop_length(sr),
                        win_length=cfg.win_length(sr), window="hann", center=True)


def fft_frequencies(sr: int, config: FeatureConfig | None = None, **overrides) -> np.ndarray:
    """The frequency in Hz of each STFT bin: ``(n_fft // 2 + 1,)``."""
    cfg = make_config(config, **overrides)
    sr = _validate.sample_rate(sr)
    return np.arange(cfg.fft_size(sr) // 2 + 1) * sr / cfg.fft_size(sr)


def spectrogram_db(y, sr: int, config: FeatureConfig | None = None, **overrides) -> np.ndarray:
    """Power spectrogram in dB (relative to its loudest cell). ``y: (N,)`` → ``(T, n_fft // 2 + 1)``.

    Keyword ``overrides`` change any :class:`FeatureConfig` field, e.g. ``win_ms=50``.
    """
    import librosa

    y, sr, cfg = _prepare(y, sr, config, overrides)
    power = np.abs(_stft(y, sr, cfg)) ** 2
    return librosa.power_to_db(power, ref=np.max, top_db=cfg.top_db).T.astype(np.float32)


def mel_filterbank(sr: int, config: FeatureConfig | None = None, **overrides) -> np.ndarray:
    """The triangular mel filters: ``(n_mels, n_fft // 2 + 1)``, one row per band."""
    cfg = make_config(config, **overrides)
    return _mel_filters(_validate.sample_rate(sr), cfg).copy()


# Training computes features of tens of thousands of recordings with one configuration. Building the mel
# filters and the delta filter anew for each recording took more than half of every MFCC computation (0.81 ms
# of a short recording's, against 0.34 ms without it), so both are built once per configuration and kept
# (read-only, so no caller can change the kept copy).
@functools.lru_cache(maxsize=16)
def _mel_filters(sr: int, cfg: FeatureConfig) -> np.ndarray:
    import librosa

    filters = librosa.filters.mel(sr=sr, n_fft=cfg.fft_size(sr), n_mels=cfg.n_mels, fmin=cfg.fmin,
                                  fmax=cfg.fmax or sr / 2)
    filters.flags.writeable = False
    return filters


@functools.lru_cache(maxsize=4)
def _delta_filter(order: int, width: int = 9) -> np.ndarray:
    """The Savitzky-Golay filter that ``librosa.feature.delta`` applies for ``order``."""
    from scipy.signal import savgol_coeffs

    taps = savgol_coeffs(width, polyorder=order, deriv=order)
    taps.flags.writeable = False
    return taps


def _delta(coeffs: np.ndarray, order: int) -> np.ndarray:
    """``librosa.feature.delta(coeffs, order=order, width=9, mode="nearest")`` along time, with a kept filter.

    'nearest' padding works for any length; librosa's default needs at least 9 frames.
    """
    from scipy.ndimage import convolve1d

    return convolve1d(coeffs, _delta_filter(order), axis=-1, mode="nearest")


def mel_spectrogram_db(y, sr: int, config: FeatureConfig | None = None, **overrides) -> np.ndarray:
    """Log-mel spectrogram in dB (relative to its loudest cell). ``y: (N,)`` → ``(T, n_mels)``."""
    import librosa

    y, sr, cfg = _prepare(y, sr, config, overrides)
    power = np.abs(_stft(y, sr, cfg)) ** 2
    mel = _mel_filters(sr, cfg) @ power
    return librosa.power_to_db(mel, ref=np.max, top_db=cfg.top_db).T.astype(np.float32)


def mfcc(y, sr: int, config: FeatureConfig | None = None, **overrides) -> np.ndarray:
    """MFCCs with their deltas: the course's input features. ``y: (N,)`` → ``(T, n_mfcc * (1 + deltas))``.

    Columns are ``[c_0..c_{n-1}, Δc_0.., ΔΔc_0..]``. The dB reference is fixed (1.0), not the
    loudest cell, so a louder recording really does have a larger ``c_0``.
    """
    import librosa

    y, sr, cfg = _prepare(y, sr, config, overrides)
    power = np.abs(_stft(y, sr, cfg)) ** 2
    log_mel = librosa.power_to_db(_mel_filters(sr, cfg) @ power, ref=1.0, amin=1e-10, top_db=None)
    coeffs = librosa.feature.mfcc(S=log_mel, n_mfcc=cfg.n_mfcc, dct_type=2, norm="ortho")
    blocks = [coeffs] + [_delta(coeffs, order) for order in range(1, cfg.deltas + 1)]
    return np.concatenate(blocks, axis=0).T.astype(np.float32)


class Standardizer:
    """Shift and scale every feature to mean 0, standard deviation 1, with statistics from training data.

    Fit on the *training* sequences only: statistics that peeked at the test set would leak
    information about it into the model. ``mean``, ``std``: ``(D,)``.
    """

    def __init__(self, mean=None, std=None):
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float32)
        self.std = None if std is None else np.asarray(std, dtype=np.float32)

    def fit(self, sequences, min_std: float = 1e-5) -> "Standardizer":
        """sequences: one ``(T, D)`` array, or a list or generator of them (lengths may differ). Returns ``self``."""
        seqs = [_as_sequence(s, i) for i, s in enumerate(_as_list(sequences))]
        widths = sorted({s.shape[1] for s in seqs})
        if len(widths) > 1:
            raise ValueError(f"All sequences must have the same feature width D, got widths {widths}.")
        frames = np.concatenate(seqs, axis=0)
        self.mean = frames.mean(axis=0, dtype=np.float64).astype(np.float32)
        self.std = np.maximum(frames.std(axis=0, dtype=np.float64), min_std).astype(np.float32)
        return self

    def transform(self, sequences):
        """Standardize one ``(T, D)`` array, or each of a list of them (returns a list)."""
        if self.mean is None:
            raise ValueError("This Standardizer has not been fitted: call .fit(training_sequences) first.")
        single = isinstance(sequences, np.ndarray)
        out = []
        for i, s in enumerate(_as_list(sequences)):
            s = _as_sequence(s, i)
            if s.shape[1] != self.mean.shape[0]:
                raise ValueError(f"Sequence {i} has {s.shape[1]} features per frame, but this Standardizer "
                                 f"was fitted on {self.mean.shape[0]}.")
            out.append(((s - self.mean) / self.std).astype(np.float32))
        return out[0] if single else out

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, d: dict) -> "Standardizer":
        return cls(d["mean"], d["std"])


def _as_list(sequences):
    if isinstance(sequences, np.ndarray):
        return [sequences]
    seqs = list(sequences)
    if not seqs:
        raise ValueError("Got an empty list of sequences; pass at least one (T, D) array.")
    return seqs


def _as_sequence(s, i) -> np.ndarray:
    s = np.asarray(s)
    if s.ndim != 2:
        raise ValueError(f"Sequence {i} has shape {s.shape}; each sequence must be (T, D): frames × features.")
    if s.shape[0] == 0:
        raise ValueError(f"Sequence {i} has no frames (T = 0).")
    return s


def pad_sequences(sequences, max_len: int | None = None, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Stack sequences of different lengths into one zero-padded batch.

    sequences: list of ``(T_i, D)`` arrays. max_len: pad (or cut) to this length; default the longest.
    Returns ``x: (B, T, D)`` and ``mask: (B, T)`` bool, True where a frame is real, False where padded.
    """
    seqs = [_as_sequence(s, i) for i, s in enumerate(_as_list(sequences))]
    widths = {s.shape[1] for s in seqs}
    if len(widths) > 1:
        raise ValueError(f"All sequences must have the same feature width D, got widths {sorted(widths)}.")
    lengths = np.array([s.shape[0] for s in seqs])
    T = int(lengths.max()) if max_len is None else int(max_len)
    if T < 1:
        raise ValueError(f"max_len must be ≥ 1, got {max_len!r}.")
    x = np.zeros((len(seqs), T, widths.pop()), dtype=dtype)
    mask = np.zeros((len(seqs), T), dtype=bool)
    for b, s in enumerate(seqs):
        n = min(s.shape[0], T)
        x[b, :n] = s[:n]
        mask[b, :n] = True
    return x, mask
