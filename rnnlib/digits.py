"""The course's spoken-digit recognizer: its recipe, and a command line.

    python -m rnnlib.digits train    --out digits.npz [--data DIR] [--epochs N] [--seed S]
    python -m rnnlib.digits evaluate --model digits.npz [--data DIR]
    python -m rnnlib.digits predict  --model digits.npz FILE.wav [FILE.wav ...]
    python -m rnnlib.digits adapt    --model digits.npz --out mine.npz 0_me.wav 1_me.wav ... 9_me.wav

The recipe is the original article's model (LSTM 64 → LSTM 64 → softmax, Adam, cross-entropy) on MFCCs with
deltas, plus what lesson 08 measured to help with voices it has never heard: only silence trimmed, every
recording at one loudness, the states averaged over time rather than only the last one read, training data
augmented with faster and slower copies of every recording (half of them in a noisy or echoing room) and
random time/frequency masks, the weights of the last epochs averaged, and each recording recognized at
several speeds with the probabilities averaged.

A trained recognizer also knows when it is unsure (:mod:`rnnlib.novelty`): ``predict`` prints ``?`` as the
digit for a recording unlike any digit it learned (a tone, noise, another word), and ``evaluate`` reports how
many test digits it would have answered with ``?``. ``adapt`` teaches it a new voice from one recording of each
digit (:mod:`rnnlib.adaptation`).
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from . import audio, augment, datasets, features, inference, metrics, models, train
from .novelty import NoveltyDetector
from .recognizer import Pipeline, Recognizer

__all__ = ["LABELS", "Recipe", "FIRST_RECIPE", "PLAIN", "recording_features", "augmented_features", "member_seed",
           "spec_masks", "waveform_features", "standardized_features", "new_recognizer", "fit_model",
           "validation_split", "train_recognizer", "fit_novelty", "evaluate", "digit_in_name", "main"]

LABELS = [str(d) for d in range(10)]


@dataclass(frozen=True)
class Recipe:
    """Every choice of the recognizer, in one place. ``Recipe(epochs=5)`` changes one.

    The defaults are the course's recipe, each part measured on voices the model never heard (lesson 07,
    ``benchmarks/fsdd_loso.py``).
    """

    kind: str = "lstm"
    hidden_sizes: tuple = (64, 64)
    pooling: str = "mean"
    members: int = 1                # models trained apart that answer together (models.Ensemble) when > 1
    trim_db: float | None = 50.0    # cut what is this far below the peak at both ends: silence, not quiet consonants
    loudness_db: float | None = -20.0  # every recording scaled to this RMS level (dBFS) before its features
    speeds: tuple = (0.8, 0.9, 1.1, 1.2)      # augmented copies of each training recording (1.0 is always used)
    room_share: float = 0.5         # share of those copies put in a random noisy or reverberant room
    test_speeds: tuple = (0.8, 0.9, 1.0, 1.1, 1.2)  # each recognized recording is heard at these speeds, averaged
    spec_masks: bool = True         # random time and frequency masks on every training batch (augment.spec_mask):
    time_masks: int = 2             #   this many stretches of frames zeroed,
    max_time_mask: int = 10         #   each up to this many frames (10 ms each),
    freq_masks: int = 2             #   and this many bands of coefficients,
    max_freq_mask: int = 5          #   each up to this many coefficients (with their deltas)
    epochs: int = 12                # for each member
    average_last: int | None = 4    # end with the mean of the last epochs' weights (train.fit); None: the best epoch's
    batch_size: int = 32
    lr: float = 2e-3
    clip: float = 1.0
    patience: int | None = None     # early stopping on the validation loss (None: every epoch runs)
    validation_fraction: float = 0.1
    unsure_share: float = 0.03      # share of validation digits the "unsure" threshold flags (rnnlib.novelty)
    novelty_all_layers: bool = True  # the "unsure" detector reads every layer's pooled states, not the top's only
    feature_config: features.FeatureConfig = field(default_factory=lambda: features.DEFAULT)


#: The course's first recipe, before the aids for new voices of lesson 07's section 5 were measured: trimmed at 30 dB,
#: each recording at its own loudness, no rooms, lighter masks, 15 epochs and the best one's weights (early
#: stopping), the detector on the top layer. Lesson 09 and its benchmarks (and lesson 11's table) were measured
#: with it: ``replace(FIRST_RECIPE, ...)``.
FIRST_RECIPE = Recipe(trim_db=30.0, loudness_db=None, room_share=0.0, time_masks=1, max_time_mask=8, freq_masks=1,
                      max_freq_mask=4, epochs=15, average_last=None, patience=6, unsure_share=0.02,
                      novelty_all_layers=False)

#: The original article's model with none of the aids for new voices: the last state read, no silence trimming, no
#: augmentation, each recording heard once. Lesson 07 starts from it; ``dataclasses.replace(PLAIN, epochs=5)``.
PLAIN = replace(FIRST_RECIPE, pooling="last", trim_db=None, speeds=(), test_speeds=(1.0,), spec_masks=False)


def recording_features(recognizer: Recognizer, recordings, *, speed: float = 1.0,
                       standardize: bool = True) -> list[np.ndarray]:
    """Features of each recording as ``recognizer`` computes them, optionally played ``speed`` times faster.

    standardize=False leaves out the training statistics (training computes them from these).
    """
    waveforms = (audio.load(r.path, recognizer.sample_rate)[0] for r in recordings)
    if speed != 1.0:
        waveforms = (augment.speed(y, speed, recognizer.sample_rate) for y in waveforms)
    return waveform_features(recognizer, waveforms, standardize=standardize)


def augmented_features(recognizer: Recognizer, recordings, recipe: Recipe, *, speed: float,
                       rng: np.random.Generator) -> list[np.ndarray]:
    """Unstandardized features ``(T_i, D)`` of one augmented copy of every recording: played ``speed`` times
    faster, and a ``recipe.room_share`` of them first put in a random room (:func:`rnnlib.augment.noisy_copy`:
    white noise at 0–20 dB SNR, or reverberation of 0.2–0.8 s), drawn with ``rng``.
    """
    def copies():
        for r in recordings:
            y = audio.load(r.path, recognizer.sample_rate)[0]
            if recipe.room_share and rng.random() < recipe.room_share:
                y = augment.noisy_copy(y, rng, sr=recognizer.sample_rate)
            yield y if speed == 1.0 else augment.speed(y, speed, recognizer.sample_rate)
    return waveform_features(recognizer, copies(), standardize=False)


def member_seed(seed: int, k: int):
    """The random seed of member ``k`` of a recipe's committee: ``seed`` itself for the first (so a one-model
    recipe trains exactly as before committees existed), ``[seed, k]`` for the others."""
    return seed if k == 0 else [seed, k]


def waveform_features(recognizer: Recognizer, waveforms, *, standardize: bool = True) -> list[np.ndarray]:
    """Features ``(T_i, D)`` of each waveform ``(N_i,)`` (at ``recognizer.sample_rate``), as ``recognizer`` computes
    them."""
    return [recognizer.features(y, recognizer.sample_rate, standardize=standardize) for y in waveforms]


def standardized_features(recognizer: Recognizer, waveforms) -> list[np.ndarray]:
    """Training features: fit ``recognizer.scaler`` on the features of ``waveforms`` and return them standardized.

    The statistics come from these (training) waveforms only, as lesson 07 explains; every later call of
    ``recognizer.features`` applies them.
    """
    raw = waveform_features(recognizer, waveforms, standardize=False)
    recognizer.scaler = features.Standardizer().fit(raw)
    return [recognizer.scaler.transform(x) for x in raw]


def spec_masks(recipe: Recipe):
    """The recipe's random time and frequency masks as ``f(seq, rng) -> seq`` (:func:`rnnlib.augment.spec_mask`)."""
    def mask(seq, rng):
        return augment.spec_mask(seq, rng=rng, n_coeffs=recipe.feature_config.n_mfcc, time_masks=recipe.time_masks,
                                 max_time=recipe.max_time_mask, freq_masks=recipe.freq_masks,
                                 max_freq=recipe.max_freq_mask)
    return mask


def new_recognizer(recipe: Recipe = Recipe(), *, seed: int = 0) -> Recognizer:
    """A recognizer with the recipe's feature pipeline and a fresh, untrained model (no scaler fitted yet)."""
    cfg = recipe.feature_config
    if recipe.members < 1:
        raise ValueError(f"members must be 1 or more, got {recipe.members!r}.")
    build = [models.SequenceClassifier.build(recipe.kind, cfg.n_features, list(recipe.hidden_sizes), len(LABELS),
                                             pooling=recipe.pooling, seed=member_seed(seed, k))
             for k in range(recipe.members)]
    model = build[0] if recipe.members == 1 else models.Ensemble(build)
    return Recognizer(model, LABELS, Pipeline(trim_db=recipe.trim_db, loudness_db=recipe.loudness_db,
                                              test_speeds=recipe.test_speeds, feature_config=cfg))


def fit_model(model, seqs, labels, recipe: Recipe = Recipe(), *, seed: int = 0, validation=None,
              class_weights=None, progress: bool = True) -> dict:
    """Train ``model`` on standardized feature sequences ``(T_i, D)`` with the recipe's settings; returns the history.

    validation: ``(seqs, labels)`` measured after every epoch (and for early stopping, when ``recipe.patience``
    is set; the course's recipe averages the last epochs' weights instead). class_weights: ``(C,)`` for the
    cross-entropy (lesson 09).
    """
    mask = spec_masks(recipe) if recipe.spec_masks else None
    return train.fit(model, seqs, np.asarray(labels), validation=validation, epochs=recipe.epochs,
                     batch_size=recipe.batch_size, lr=recipe.lr, clip=recipe.clip, patience=recipe.patience,
                     augment=mask, class_weights=class_weights, seed=seed, progress=progress,
                     average_last=recipe.average_last)


def validation_split(recordings, fraction: float = 0.1, *, seed: int = 0) -> tuple[list, list]:
    """``(fit, validation)``: each recording held out for validation with probability ``fraction``, drawn with
    ``seed``, as :func:`train_recognizer` does when it is given no validation recordings."""
    recordings = list(recordings)
    held = np.random.default_rng(seed).random(len(recordings)) < fraction
    return [r for r, h in zip(recordings, held) if not h], [r for r, h in zip(recordings, held) if h]


def train_recognizer(recordings, recipe: Recipe = Recipe(), *, seed: int = 0, progress: bool = True,
                     validation=None) -> tuple[Recognizer, dict]:
    """Train a digit recognizer on ``recordings`` (a list of :class:`rnnlib.datasets.Recording`).

    A ``validation_fraction`` of them (chosen with ``seed``) is held out for early stopping, unless
    ``validation`` recordings are given. The rest is heard as recorded and once more at each of
    ``recipe.speeds`` (:func:`augmented_features`); ``recipe.members`` models learn from those copies, each
    from its own random start (a :class:`~rnnlib.models.Ensemble` when there are several). With 20 or more
    validation recordings the recognizer also learns when to be unsure (:func:`fit_novelty`).
    Returns the recognizer and the training history: the first model's, with every model's under
    ``"members"`` and their total ``"seconds"`` when there are several.
    """
    recordings = list(recordings)
    if not recordings:
        raise ValueError("No recordings to train on.")
    if validation is None:
        recordings, validation = validation_split(recordings, recipe.validation_fraction, seed=seed)
    rec = new_recognizer(recipe, seed=seed)
    seqs = recording_features(rec, recordings, standardize=False)
    copy_rng = np.random.default_rng([seed, 1])
    for speed in recipe.speeds:
        seqs += augmented_features(rec, recordings, recipe, speed=speed, rng=copy_rng)
    labels = [r.digit for r in recordings] * (1 + len(recipe.speeds))
    rec.scaler = features.Standardizer().fit(seqs)
    for i, seq in enumerate(seqs):      # one at a time, so each raw copy is freed as its standardized one arrives
        seqs[i] = rec.scaler.transform(seq)
    val = None
    if validation:
        val = (recording_features(rec, validation), [r.digit for r in validation])
    members = rec.model.members if isinstance(rec.model, models.Ensemble) else [rec.model]
    histories = [fit_model(member, seqs, labels, recipe, seed=member_seed(seed, k), validation=val,
                           progress=progress) for k, member in enumerate(members)]
    history = histories[0]
    if len(histories) > 1:
        history = {**history, "members": histories, "seconds": sum(h["seconds"] for h in histories)}
    history["n_train"], history["n_validation"] = len(recordings), len(validation or [])
    if len(validation or []) >= 20:
        plain_copies = 1 if recipe.room_share else 1 + len(recipe.speeds)     # copies heard as in recognition
        copies = dict(zip((1.0, *recipe.speeds), (seqs[k * len(recordings):(k + 1) * len(recordings)]
                                                  for k in range(plain_copies))))
        fit_novelty(rec, recordings, validation, copies, flag_share=recipe.unsure_share,
                    all_layers=recipe.novelty_all_layers)
    return rec, history


def fit_novelty(recognizer: Recognizer, recordings, validation, copies=None, *, flag_share: float = 0.02,
                all_layers: bool = False) -> None:
    """Teach ``recognizer`` when to be unsure: a :class:`~rnnlib.novelty.NoveltyDetector` fitted on the
    training ``recordings`` and calibrated so that ``flag_share`` of the ``validation`` recordings is flagged.

    copies: optional ``{speed: standardized features of recordings at that speed}`` already computed for
    training; the states are averaged over the recognizer's test speeds, as in recognition. all_layers: fit
    on every recurrent layer's pooled states (:mod:`rnnlib.novelty`), not only the top layer's.
    """
    copies = dict(copies or {})
    states = []
    for speed in recognizer.test_speeds:
        seqs = copies[speed] if speed in copies else recording_features(recognizer, recordings, speed=speed)
        states.append(inference.states_and_probabilities(recognizer.model, seqs, all_layers=all_layers)[0])
    labels = [r.digit for r in recordings]
    detector = NoveltyDetector.fit(np.mean(states, axis=0), labels, len(recognizer.labels), all_layers=all_layers)
    val_states, _ = recognizer.states_and_probabilities([audio.load(r.path, recognizer.sample_rate)
                                                         for r in validation], all_layers=all_layers)
    detector.calibrate(val_states, flag_share=flag_share, names=[r.path.name for r in validation])
    recognizer.novelty = detector


def evaluate(recognizer: Recognizer, recordings) -> dict:
    """Accuracy overall and per speaker, the confusion matrix, every prediction, and which were unsure.

    Accuracy counts the most probable digit of every recording, unsure or not; ``unsure_share`` is the
    share the recognizer would have answered with "?" (0 when it has no novelty detector).
    """
    recordings = list(recordings)
    if not recordings:
        raise ValueError("No recordings to evaluate on.")
    states, probs = recognizer.states_and_probabilities([audio.load(r.path, recognizer.sample_rate)
                                                         for r in recordings])
    unsure = (recognizer.novelty.is_unsure(states) if recognizer.novelty is not None
              else np.zeros(len(recordings), bool))
    predicted = probs.argmax(axis=1)
    truth = np.array([r.digit for r in recordings])
    confusion = metrics.confusion_matrix(truth, predicted, len(LABELS))
    per_speaker = {s: float(np.mean(predicted[[r.speaker == s for r in recordings]] ==
                                    truth[[r.speaker == s for r in recordings]]))
                   for s in datasets.speakers(recordings)}
    return {"accuracy": float(np.mean(predicted == truth)), "per_speaker": per_speaker, "confusion": confusion,
            "predicted": predicted, "probabilities": probs, "truth": truth, "unsure": unsure,
            "unsure_share": float(np.mean(unsure))}


# ----------------------------------------------------------------------------- command line

def _recordings(data):
    return datasets.list_recordings(data) if data else datasets.list_recordings()


def _cmd_train(args) -> int:
    recipe = Recipe(epochs=args.epochs)
    train_set, _ = datasets.official_split(_recordings(args.data))
    print(f"training on {len(train_set)} recordings (official split) of "
          f"{len(datasets.speakers(train_set))} speakers: {'' if recipe.members == 1 else f'{recipe.members} × '}"
          f"{recipe.kind.upper()} {list(recipe.hidden_sizes)}, {recipe.epochs} epochs"
          f"{f', the last {recipe.average_last} averaged' if recipe.average_last else ' at most'}", file=sys.stderr)
    rec, history = train_recognizer(train_set, recipe, seed=args.seed, progress=not args.quiet)
    histories = history.get("members", [history])
    path = rec.save(args.out, recipe={k: (list(v) if isinstance(v, tuple) else v)
                                      for k, v in asdict(recipe).items() if k != "feature_config"},
                    seed=args.seed, best_epoch=[h["best_epoch"] for h in histories],
                    averaged_epochs=[h.get("averaged_epochs") for h in histories],
                    seconds=round(history["seconds"], 1))
    kept = ", ".join(f"{h['averaged_val_accuracy']:.3f}" if "averaged_val_accuracy" in h
                     else f"{h['val_accuracy'][h['best_epoch']]:.3f} (epoch {h['best_epoch'] + 1})"
                     for h in histories if h["val_accuracy"]) or "not measured"
    print(f"trained in {history['seconds']:.0f} s; validation accuracy of the weights kept: {kept}; saved {path}")
    return 0


def _cmd_evaluate(args) -> int:
    rec = Recognizer.load(args.model)
    _, test = datasets.official_split(_recordings(args.data))
    if not test:
        print("error: the data has no official test recordings (index 0-4).", file=sys.stderr)
        return 1
    result = evaluate(rec, test)
    print(f"official test split: {len(test)} recordings, accuracy {result['accuracy']:.4f}")
    if rec.novelty is None:
        print("unsure: never (this recognizer has no novelty detector; train it again to get one)")
    else:
        print(f"unsure (answered '?'): {result['unsure_share']:.4f} of the test digits")
    for speaker, acc in result["per_speaker"].items():
        print(f"  {speaker:12s} {acc:.4f}")
    return 0


def _cmd_predict(args) -> int:
    rec = Recognizer.load(args.model)
    failed = 0
    for result in rec.predict_files(args.files):
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        if result.error:
            failed += 1
            print(f"error: {result.error}", file=sys.stderr)
        else:
            print(f"{result.path}\t{result.answer}\t{result.probability:.4f}\t{result.label}")
    return 1 if failed else 0


def digit_in_name(path) -> int:
    """The digit a learner's recording is named after, ``'{digit}_anything.wav'`` as FSDD names its files;
    ``ValueError`` with what to do if the name does not start with a digit and an underscore."""
    match = re.match(r"(\d)_", Path(path).name)
    if not match:
        raise ValueError(f"{path}: its name does not say which digit it is; name each file after its digit, "
                         "like FSDD's, e.g. 7_me.wav or 7_take2.wav.")
    return int(match[1])


def _cmd_adapt(args) -> int:
    from . import adaptation            # here, not at the top: adaptation builds on this module

    rec = Recognizer.load(args.model)
    if rec.novelty is None or not rec.novelty.calibrated_on:
        raise ValueError(f"{args.model} does not list the validation recordings its 'unsure' threshold came from: "
                         "train it again with python -m rnnlib.digits train.")
    paths = [Path(f) for f in args.files]
    labelled = [(path, digit_in_name(path)) for path in paths]
    missing = sorted(set(range(len(rec.labels))) - {digit for _, digit in labelled})
    if missing:
        raise ValueError(f"no recording of {', '.join(map(str, missing))}: say every digit once (0_me.wav, "
                         "1_me.wav, ... 9_me.wav), so the recognizer learns your voice for all ten.")
    waves = [rec.load_checked(path) for path, _ in labelled]           # a bad file stops here: nothing is written
    recordings = _recordings(args.data)
    calibration_names = set(rec.novelty.calibrated_on)
    calibration = [r for r in recordings if r.path.name in calibration_names]
    train_set, _ = datasets.official_split(recordings)
    replay = adaptation.replay_sample(train_set, exclude=calibration_names, seed=args.seed)
    adapted, seconds = adaptation.adapt(rec, waves, [digit for _, digit in labelled], replay=replay,
                                        calibration=calibration, seed=args.seed,
                                        progress=None if args.quiet else lambda m: print(m, file=sys.stderr))
    path = adapted.save(args.out, **rec.extra, adapted_to=[p.name for p in paths])
    print(f"adapted to {len(paths)} recordings in {seconds:.0f} s; saved {path}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnlib.digits", description="Train, evaluate and use the "
                                     "course's spoken-digit recognizer.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("train", help="train the course's recipe on FSDD's official training split")
    p.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    p.add_argument("--out", required=True, help="where to save the model (.npz)")
    p.add_argument("--epochs", type=int, default=Recipe.epochs)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=_cmd_train)
    p = sub.add_parser("evaluate", help="accuracy on the official test split, overall and per speaker")
    p.add_argument("--model", required=True)
    p.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    p.set_defaults(run=_cmd_evaluate)
    p = sub.add_parser("predict", help="recognize WAV files: prints path<TAB>answer<TAB>probability<TAB>closest; "
                       "the answer is the digit, or '?' when the recording is unlike any digit learned; the "
                       "probability and the closest digit are the most probable digit's either way")
    p.add_argument("--model", required=True)
    p.add_argument("files", nargs="+", metavar="FILE.wav")
    p.set_defaults(run=_cmd_predict)
    p = sub.add_parser("adapt", help="teach a recognizer your voice: one WAV of each digit, each named after its "
                       "digit (0_me.wav ... 9_me.wav); saves the adapted recognizer to --out")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True, help="where to save the adapted recognizer (.npz)")
    p.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="say nothing while adapting")
    p.add_argument("files", nargs="+", metavar="D_NAME.wav")
    p.set_defaults(run=_cmd_adapt)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, ValueError) as err:    # a ModelFileError is a ValueError
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
