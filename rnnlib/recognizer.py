"""A recognizer: everything needed to turn a WAV file into a class, in one object and one file.

It bundles a trained :class:`~rnnlib.models.SequenceClassifier` with the exact feature pipeline it was
trained on (a :class:`Pipeline`: sample rate, silence trimming, loudness, MFCC settings, test speeds), the
normalization statistics fitted on its training set, its "unsure" detector and the class labels, so
``Recognizer.load("digits.npz").predict_files(["me.wav"])`` needs nothing else.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from . import audio, augment, features, inference, models
from ._validate import as_signal, positive_number
from .novelty import NoveltyDetector

__all__ = ["Prediction", "Pipeline", "Recognizer", "trim"]


@dataclass
class Prediction:
    """The result for one file: the label, its probability, all probabilities; or an error, and notes.

    unsure: True when the recording is unlike the digits the recognizer learned (its novelty score is
    above the calibrated threshold, see :mod:`rnnlib.novelty`). ``label`` is then still the most probable
    class, but it should not be trusted: :attr:`answer` is ``"?"``.
    """

    path: str
    label: str | None = None
    probability: float | None = None
    probabilities: np.ndarray | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    unsure: bool = False
    novelty: float | None = None

    @property
    def answer(self) -> str | None:
        """The label, or ``"?"`` when unsure (None after an error)."""
        return "?" if self.unsure and self.label is not None else self.label


@dataclass(frozen=True)
class Pipeline:
    """How a recording becomes the features a model reads, and how it is heard: the recognizer's settings.

    sample_rate: every recording is resampled to it. trim_db: silence more than this far below the peak is cut at
    both ends (None: nothing cut). loudness_db: every recording scaled to this RMS level in dBFS (None: as
    recorded). min_level_db: a recording whose peak is below this is called silent. test_speeds: each recording is
    recognized at each of these speeds and the answers averaged (``(1.0,)``: as it is). feature_config: the MFCC
    settings (:class:`rnnlib.features.FeatureConfig`).
    """

    sample_rate: int = audio.SAMPLE_RATE
    trim_db: float | None = 30.0
    loudness_db: float | None = None
    min_level_db: float = -60.0
    test_speeds: tuple = (1.0,)
    feature_config: features.FeatureConfig = field(default_factory=lambda: features.DEFAULT)

    def __post_init__(self):
        object.__setattr__(self, "test_speeds", tuple(float(f) for f in self.test_speeds))
        if not self.test_speeds:
            raise ValueError("test_speeds needs at least one speed (1.0 is the recording as it is).")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["test_speeds"], d["feature_config"] = list(self.test_speeds), self.feature_config.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Pipeline":
        d = dict(d)
        d["feature_config"] = features.FeatureConfig.from_dict(d["feature_config"])
        return cls(**d)


def _pipeline_setting(name: str) -> property:
    """``recognizer.<name>`` reads (and, when assigned, replaces) the same setting of ``recognizer.pipeline``."""
    return property(lambda self: getattr(self.pipeline, name),
                    lambda self, value: setattr(self, "pipeline", replace(self.pipeline, **{name: value})),
                    doc=f"The pipeline's ``{name}`` (see :class:`Pipeline`).")


class Recognizer:
    """A classifier plus its feature pipeline. ``labels[k]`` names class ``k``.

    pipeline: a :class:`Pipeline`; settings given as keywords (``trim_db=50.0``, ``test_speeds=(0.9, 1.0, 1.1)``,
    …) change it. scaler: the :class:`~rnnlib.features.Standardizer` fitted on the training set (None: features
    are used as computed). novelty: a calibrated :class:`~rnnlib.novelty.NoveltyDetector`; with it, predictions say
    when the recording is unlike any digit learned (``Prediction.unsure``). None: never unsure. Every pipeline
    setting can also be read as ``recognizer.trim_db`` and so on.
    """

    def __init__(self, model, labels, pipeline: Pipeline | None = None, *, scaler: features.Standardizer | None = None,
                 novelty: NoveltyDetector | None = None, **settings):
        if len(labels) != model.n_classes:
            raise ValueError(f"{len(labels)} labels for a model with {model.n_classes} classes.")
        unknown = sorted(set(settings) - set(Pipeline.__dataclass_fields__))
        if unknown:
            raise TypeError(f"Recognizer has no setting {unknown[0]!r}; its settings are those of Pipeline: "
                            f"{', '.join(Pipeline.__dataclass_fields__)}.")
        self.model, self.labels = model, [str(label) for label in labels]
        self.pipeline = replace(pipeline or Pipeline(), **settings)
        self.scaler, self.novelty = scaler, novelty

    def with_model(self, model) -> "Recognizer":
        """This recognizer's pipeline and training statistics around another trained ``model`` with the same features
        and labels. The new one has no novelty detector: that belongs to the model it was fitted on."""
        return Recognizer(model, self.labels, self.pipeline, scaler=self.scaler)

    # ------------------------------------------------------------------ the pipeline
    def features(self, y, sr: int, *, standardize: bool = True) -> np.ndarray:
        """Waveform ``y: (N,)`` at ``sr`` → normalized features ``(T, D)``, exactly as in training.

        Resampled to the pipeline's rate; silence at both ends trimmed (``trim_db`` below the peak); scaled to
        ``loudness_db``; MFCCs with deltas; and the training statistics applied (unless ``standardize=False``,
        which training uses to compute those statistics).
        """
        p = self.pipeline
        if sr != p.sample_rate:
            y = audio.resample(y, sr, p.sample_rate)
        y = trim(y, p.trim_db)
        if p.loudness_db is not None:
            y = audio.set_loudness(y, p.loudness_db)
        x = features.mfcc(y, p.sample_rate, p.feature_config)
        return x if self.scaler is None or not standardize else self.scaler.transform(x)

    def predict_proba_audio(self, waveforms) -> np.ndarray:
        """Class probabilities for a list of ``(y, sr)`` recordings, averaged over ``test_speeds``: ``(N, C)``."""
        return self.states_and_probabilities(waveforms)[1]

    def states_and_probabilities(self, waveforms, *, all_layers: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Pooled states ``(N, H)`` and class probabilities ``(N, C)`` of ``(y, sr)`` recordings.

        Both are averaged over ``test_speeds`` (the novelty detector sees the same average the answer
        comes from). The states are the ones the novelty detector reads (every layer's when it was fitted on
        them, see :mod:`rnnlib.novelty`), unless ``all_layers`` says which.
        """
        if all_layers is None:
            all_layers = self.novelty is not None and self.novelty.all_layers
        waveforms = list(waveforms)
        seqs = []
        for y, sr in waveforms:
            seqs += [self.features(y if f == 1.0 else augment.speed(y, f, sr), sr) for f in self.test_speeds]
        states, probs = inference.states_and_probabilities(self.model, seqs, all_layers=all_layers)
        per_speed = (len(waveforms), len(self.test_speeds), -1)
        return states.reshape(per_speed).mean(axis=1), probs.reshape(per_speed).mean(axis=1)

    def predict_waveforms(self, waveforms, results: list[Prediction]) -> list[Prediction]:
        """Fill ``results`` (one :class:`Prediction` per ``(y, sr)`` recording) with the answer, and whether unsure."""
        states, probs = self.states_and_probabilities(waveforms)
        scores = self.novelty.score(states) if self.novelty is not None else [None] * len(results)
        for result, p, score in zip(results, probs, scores):
            k = int(np.argmax(p))
            result.label, result.probability, result.probabilities = self.labels[k], float(p[k]), p
            if score is not None:
                result.novelty, result.unsure = float(score), bool(score > self.novelty.threshold)
        return results

    def predict_recording(self, y, sr: int, name: str = "recording") -> Prediction:
        """Recognize one waveform ``y: (N,)`` at ``sr`` Hz (e.g. from a microphone); a silent one gets an ``error``."""
        y = as_signal(y, "the recording")
        sr = int(positive_number(sr, "sr"))
        result = Prediction(name)
        try:
            self.check_level(y, name)
        except ValueError as err:
            result.error = str(err)
            return result
        return self.predict_waveforms([(y, sr)], [result])[0]

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
            self.predict_waveforms(waves, ok)
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
        self.check_level(y, path)
        return y, sr

    def check_level(self, y, name) -> None:
        """Raise ``ValueError`` if ``y`` is too quiet to hold speech (peak below ``min_level_db``)."""
        peak_db = audio.amplitude_to_db(float(np.max(np.abs(y))) if len(y) else 0.0)
        if peak_db < self.min_level_db:
            raise ValueError(f"{name}: the recording is silent (peak {peak_db:.0f} dBFS); "
                             "check the microphone and record again.")

    # ------------------------------------------------------------------ saving
    def save(self, path, **extra) -> Path:
        """One ``.npz``: the model's arrays and a JSON config with the pipeline (see :func:`rnnlib.models.save`)."""
        meta = {"kind": "recognizer", "labels": self.labels, "pipeline": self.pipeline.to_dict(),
                "scaler": None if self.scaler is None else self.scaler.to_dict(),
                "novelty": None if self.novelty is None else self.novelty.to_dict(), "extra": extra}
        return models.save(path, self.model, recognizer=meta)

    @classmethod
    def load(cls, path) -> "Recognizer":
        """Read a recognizer saved by :meth:`save`; raises :class:`rnnlib.models.ModelFileError` for other files."""
        model, metadata = models.load(path)
        meta = metadata.get("recognizer")
        if not isinstance(meta, dict):
            raise models.ModelFileError(f"{path} holds an rnnlib model but no recognizer (no feature pipeline).")
        if meta.get("utterance_norm"):
            raise models.ModelFileError(f"{path} was saved with per-recording normalization, which rnnlib no longer "
                                        "has (it measured no better): train it again with python -m rnnlib.digits "
                                        "train.")
        try:
            scaler = None if meta["scaler"] is None else features.Standardizer.from_dict(meta["scaler"])
            novelty = meta.get("novelty")     # absent in recognizers saved before it existed: never unsure
            novelty = None if novelty is None else NoveltyDetector.from_dict(novelty)
            rec = cls(model, meta["labels"], Pipeline.from_dict(meta["pipeline"] if "pipeline" in meta
                                                                 else _old_pipeline(meta)),
                      scaler=scaler, novelty=novelty)
        except (KeyError, TypeError, ValueError) as err:
            raise models.ModelFileError(f"{path}: its recognizer settings are damaged ({err}).") from None
        rec.extra = meta.get("extra", {})
        return rec


# recognizer.trim_db, recognizer.test_speeds, …: each pipeline setting, readable (and replaceable) on the recognizer.
for _name in Pipeline.__dataclass_fields__:
    setattr(Recognizer, _name, _pipeline_setting(_name))
del _name


def _old_pipeline(meta: dict) -> dict:
    """The pipeline of a recognizer saved before :class:`Pipeline` existed (its settings sat beside the labels)."""
    return {"sample_rate": meta["sample_rate"], "trim_db": meta["trim_db"], "min_level_db": meta["min_level_db"],
            "test_speeds": meta["test_speeds"], "feature_config": meta["features"],
            "loudness_db": meta.get("loudness_db")}          # absent before it existed: loudness as recorded


def trim(y, top_db: float | None, *, min_samples: int = 400) -> np.ndarray:
    """Cut leading and trailing audio more than ``top_db`` below the peak (unless that leaves almost nothing)."""
    if top_db is None:
        return y
    import librosa

    trimmed, _ = librosa.effects.trim(y, top_db=top_db)
    return trimmed if len(trimmed) >= min_samples else y
