"""A recognizer: everything needed to turn a WAV file into a class, in one object and one file.

It bundles a trained :class:`~rnnlib.models.SequenceClassifier` with the exact feature pipeline it was
trained on (sample rate, silence trimming, MFCC settings, normalization statistics) and the class
labels, so ``Recognizer.load("digits.npz").predict_files(["me.wav"])`` needs nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import audio, augment, features, models, train


@dataclass
class Prediction:
    """The result for one file: the label, its probability, all probabilities; or an error, and notes."""

    path: str
    label: str | None = None
    probability: float | None = None
    probabilities: np.ndarray | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


class Recognizer:
    """A classifier plus its feature pipeline. ``labels[k]`` names class ``k``.

    test_speeds: recognize each recording played at each of these speeds and average the
    probabilities (test-time augmentation). A voice unlike the training voices is then also heard a
    little faster and slower, closer to voices the model knows. ``(1.0,)`` turns it off.
    """

    def __init__(self, model, labels, *, feature_config=None, sample_rate: int = audio.SAMPLE_RATE,
                 trim_db: float | None = 30.0, utterance_norm: bool = False,
                 scaler: features.Standardizer | None = None, min_level_db: float = -60.0,
                 test_speeds=(1.0,)):
        if len(labels) != model.n_classes:
            raise ValueError(f"{len(labels)} labels for a model with {model.n_classes} classes.")
        self.model, self.labels = model, [str(label) for label in labels]
        self.feature_config = feature_config or features.DEFAULT
        self.sample_rate, self.trim_db, self.utterance_norm = sample_rate, trim_db, utterance_norm
        self.scaler, self.min_level_db = scaler, min_level_db
        self.test_speeds = tuple(float(f) for f in test_speeds)
        if not self.test_speeds:
            raise ValueError("test_speeds needs at least one speed (1.0 is the recording as it is).")

    # ------------------------------------------------------------------ the pipeline
    def features(self, y, sr: int, *, standardize: bool = True) -> np.ndarray:
        """Waveform ``y: (N,)`` at ``sr`` → normalized features ``(T, D)``, exactly as in training.

        Silence at both ends is trimmed (``trim_db`` below the peak), MFCCs with deltas are
        computed, optionally each recording is normalized to zero mean and unit variance per
        coefficient (``utterance_norm``), and the training statistics are applied (unless
        ``standardize=False``, which training uses to compute those statistics).
        """
        if sr != self.sample_rate:
            y = audio.resample(y, sr, self.sample_rate)
        x = features.mfcc(trim(y, self.trim_db), self.sample_rate, self.feature_config)
        if self.utterance_norm:
            x = utterance_normalize(x)
        return x if self.scaler is None or not standardize else self.scaler.transform(x)

    def predict_proba(self, seqs) -> np.ndarray:
        """Class probabilities for a list of feature sequences: ``(N, C)`` (no test-time speeds)."""
        return train.predict_sequences(self.model, seqs)

    def predict_proba_audio(self, waveforms) -> np.ndarray:
        """Class probabilities for a list of ``(y, sr)`` recordings, averaged over ``test_speeds``: ``(N, C)``."""
        seqs = []
        for y, sr in waveforms:
            seqs += [self.features(y if f == 1.0 else augment.speed(y, f, sr), sr) for f in self.test_speeds]
        probs = self.predict_proba(seqs)
        return probs.reshape(len(waveforms), len(self.test_speeds), -1).mean(axis=1)

    def predict_files(self, paths) -> list[Prediction]:
        """Recognize each audio file. A bad file gets an ``error`` and does not stop the others."""
        results, waves, ok = [], [], []
        for p in paths:
            result = Prediction(str(p))
            try:
                waves.append(self.load_checked(p, result.notes))
                ok.append(result)
            except (FileNotFoundError, ValueError) as err:
                result.error = str(err)
            results.append(result)
        if waves:
            for result, probs in zip(ok, self.predict_proba_audio(waves)):
                k = int(np.argmax(probs))
                result.label, result.probability, result.probabilities = self.labels[k], float(probs[k]), probs
        return results

    def load_checked(self, path, notes: list | None = None) -> tuple[np.ndarray, int]:
        """Load and check one file, mono at the recognizer's rate; ``notes`` collects what was done to it."""
        import soundfile as sf

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file.")
        try:
            info = sf.info(str(path))
        except (sf.LibsndfileError, RuntimeError) as err:
            raise ValueError(f"{path}: not a readable audio file ({err}); record or export it as WAV.") from None
        notes = [] if notes is None else notes
        if info.channels > 1:
            notes.append(f"{path}: {info.channels} channels, mixed down to mono")
        if info.samplerate != self.sample_rate:
            notes.append(f"{path}: recorded at {info.samplerate} Hz, resampled to {self.sample_rate} Hz")
        y, sr = audio.load(path, self.sample_rate)
        peak = float(np.max(np.abs(y)))
        if audio.amplitude_to_db(peak) < self.min_level_db:
            raise ValueError(f"{path}: the recording is silent (peak {audio.amplitude_to_db(peak):.0f} dBFS); "
                             "check the microphone and record again.")
        return y, sr

    # ------------------------------------------------------------------ saving
    def save(self, path, **extra) -> Path:
        """One ``.npz``: the model's arrays and a JSON config with the pipeline (see :func:`rnnlib.models.save`)."""
        meta = {"kind": "recognizer", "labels": self.labels, "sample_rate": self.sample_rate,
                "trim_db": self.trim_db, "utterance_norm": self.utterance_norm, "min_level_db": self.min_level_db,
                "test_speeds": list(self.test_speeds),
                "features": self.feature_config.to_dict(),
                "scaler": None if self.scaler is None else self.scaler.to_dict(), "extra": extra}
        return models.save(path, self.model, recognizer=meta)

    @classmethod
    def load(cls, path) -> "Recognizer":
        """Read a recognizer saved by :meth:`save`; raises :class:`rnnlib.models.ModelFileError` for other files."""
        model, metadata = models.load(path)
        meta = metadata.get("recognizer")
        if not isinstance(meta, dict):
            raise models.ModelFileError(f"{path} holds an rnnlib model but no recognizer (no feature pipeline).")
        try:
            scaler = None if meta["scaler"] is None else features.Standardizer.from_dict(meta["scaler"])
            rec = cls(model, meta["labels"], feature_config=features.FeatureConfig.from_dict(meta["features"]),
                      sample_rate=meta["sample_rate"], trim_db=meta["trim_db"],
                      utterance_norm=meta["utterance_norm"], scaler=scaler, min_level_db=meta["min_level_db"],
                      test_speeds=meta["test_speeds"])
        except (KeyError, TypeError, ValueError) as err:
            raise models.ModelFileError(f"{path}: its recognizer settings are damaged ({err}).") from None
        rec.extra = meta.get("extra", {})
        return rec


def trim(y, top_db: float | None, *, min_samples: int = 400) -> np.ndarray:
    """Cut leading and trailing audio more than ``top_db`` below the peak (unless that leaves almost nothing)."""
    if top_db is None:
        return y
    import librosa

    trimmed, _ = librosa.effects.trim(y, top_db=top_db)
    return trimmed if len(trimmed) >= min_samples else y


def utterance_normalize(x, eps: float = 1e-5) -> np.ndarray:
    """Per-recording mean and variance normalization of ``x: (T, D)``, column by column."""
    return ((x - x.mean(axis=0)) / (x.std(axis=0) + eps)).astype(np.float32)
