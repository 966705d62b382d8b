"""The original article's FAQ, measured: RNN or classic DSP? RNN or CNN? One protocol for all three (issue 11).

    python benchmarks/faq_bakeoff.py [--data DIR] [--seed S] [--speakers george,lucas]   # needs the framework extra

Leave one speaker out: for every FSDD speaker, train on all recordings of the others and test on every
recording of the one left out (a voice never heard). Three recognizers, the same features where they apply
(the course's pipeline: silence trimmed, MFCCs with deltas, standardized on the training speakers):

* **MFCC + DTW**: template matching, the isolated-word recognizer from before neural networks. Three random
  recordings of every digit from every training speaker are the templates (150 for five speakers); a test
  recording gets the digit of its nearest template by dynamic time warping over its 20 MFCCs.
* **CNN**: :func:`rnnlib.frameworks.keras_cnn` (two 1-D convolutions over the frames, mean over time,
  softmax) in Keras on PyTorch, trained with the course recipe's data (every recording at five speeds) and
  optimizer (Adam 2e-3, clipping, 15 epochs, batches of 32), and listening at the same five speeds. It does
  not get the RNN recipe's time/frequency masks or its early stopping on a validation split.
* **RNN**: the course's recognizer, ``digits.train_recognizer`` with ``digits.FIRST_RECIPE``: the recipe lesson 11's
  table was measured with (trimmed at 30 dB, each recording at its own loudness, early stopping). The features of
  all three come from it.

Printed: unseen-speaker accuracy per speaker, the mean and worst speaker; parameters; training time per
fold; and time to recognize one file (load, features, answer; the mean over 50 files). One seed; the RNN's
seed-to-seed spread is in ``benchmarks/fsdd_loso.py``.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from rnnlib import audio, augment, datasets, digits, frameworks
from rnnlib.dtw import TemplateMatcher


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def cnn_listen(cnn, pipeline, waves, recipe) -> np.ndarray:
    """The CNN's probabilities ``(N, C)``, each recording heard alone (no padding) at the recipe's test speeds."""
    probs = []
    for speed in recipe.test_speeds:
        heard = waves if speed == 1.0 else [augment.speed(y, speed, audio.SAMPLE_RATE) for y in waves]
        probs.append(frameworks.keras_predict(cnn, digits.waveform_features(pipeline, heard), batch_size=1))
    return np.mean(probs, axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speakers", help="comma-separated speakers to leave out (default: every speaker)")
    parser.add_argument("--epochs", type=int, default=digits.FIRST_RECIPE.epochs)
    args = parser.parse_args()
    if frameworks.missing():
        raise SystemExit(f"error: {frameworks.missing()}")
    frameworks.torch().set_num_threads(2)
    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    held_out = args.speakers.split(",") if args.speakers else datasets.speakers(recordings)
    recipe = replace(digits.FIRST_RECIPE, epochs=args.epochs)
    rows = {name: {"acc": {}, "train_s": [], "params": 0, "per_file_s": 0.0} for name in ("MFCC + DTW", "CNN", "RNN")}

    for speaker in held_out:
        train_recs, test_recs = datasets.speaker_split(recordings, speaker)
        truth = np.array([r.digit for r in test_recs])
        train_waves = [audio.load(r.path)[0] for r in train_recs]
        test_waves = [audio.load(r.path)[0] for r in test_recs]
        labels = np.array([r.digit for r in train_recs])

        # The RNN: the course's recipe, features and all.
        (rnn, _), seconds = timed(lambda: digits.train_recognizer(train_recs, recipe, seed=args.seed, progress=False))
        rows["RNN"]["acc"][speaker] = float(np.mean(
            rnn.predict_proba_audio([(y, audio.SAMPLE_RATE) for y in test_waves]).argmax(1) == truth))
        rows["RNN"]["train_s"].append(seconds)
        rows["RNN"]["params"] = rnn.model.n_params

        # The same pipeline's features (no speed copies) for DTW; with speed copies for the CNN.
        pipeline = digits.new_recognizer(recipe, seed=args.seed)
        train_x = digits.standardized_features(pipeline, train_waves)
        test_x = digits.waveform_features(pipeline, test_waves)
        n_mfcc = recipe.feature_config.n_mfcc
        matcher, seconds = timed(lambda: TemplateMatcher().fit([x[:, :n_mfcc] for x in train_x], labels,
                                                               [r.speaker for r in train_recs], per_group=3,
                                                               seed=args.seed))
        predicted, _ = timed(lambda: matcher.predict([x[:, :n_mfcc] for x in test_x]))
        rows["MFCC + DTW"]["acc"][speaker] = float(np.mean(predicted == truth))
        rows["MFCC + DTW"]["train_s"].append(seconds)
        rows["MFCC + DTW"]["params"] = int(sum(t.size for t in matcher.templates))

        cnn_x, cnn_y = list(train_x), list(labels)
        for speed in recipe.speeds:
            cnn_x += digits.waveform_features(pipeline, [augment.speed(y, speed, audio.SAMPLE_RATE)
                                                         for y in train_waves])
            cnn_y += list(labels)
        cnn = frameworks.keras_cnn(pipeline.feature_config.n_features, len(digits.LABELS))
        seconds = frameworks.keras_fit(cnn, cnn_x, cnn_y, epochs=recipe.epochs, batch_size=recipe.batch_size,
                                       lr=recipe.lr, clip=recipe.clip, seed=args.seed)
        rows["CNN"]["acc"][speaker] = float(np.mean(cnn_listen(cnn, pipeline, test_waves, recipe).argmax(1) == truth))
        rows["CNN"]["train_s"].append(seconds)
        rows["CNN"]["params"] = int(cnn.count_params())
        print(f"left out {speaker:10s} " + "  ".join(f"{name} {row['acc'][speaker]:.3f}" for name, row in rows.items()),
              flush=True)

        if speaker == held_out[0]:                        # time to recognize one file, from the WAV
            sample = [r.path for r in test_recs[:50]]
            per_file = {
                "MFCC + DTW": lambda p: matcher.predict([pipeline.features(*audio.load(p))[:, :n_mfcc]]),
                "CNN": lambda p: cnn_listen(cnn, pipeline, [audio.load(p)[0]], recipe),
                "RNN": lambda p: rnn.predict_proba_audio([audio.load(p)]),
            }
            for name, recognize in per_file.items():
                _, seconds = timed(lambda: [recognize(p) for p in sample])
                rows[name]["per_file_s"] = seconds / len(sample)

    print(f"\nleave-one-speaker-out over {len(held_out)} speakers, seed {args.seed}")
    print(f"{'method':11s} | {'mean':>5s} | {'worst':>14s} | {'parameters':>10s} | "
          f"{'train/fold':>10s} | {'per file':>8s}")
    for name, row in rows.items():
        accs = row["acc"]
        worst = min(accs, key=accs.get)
        what = "numbers stored" if name == "MFCC + DTW" else "parameters"
        print(f"{name:11s} | {np.mean(list(accs.values())):5.3f} | {accs[worst]:.3f} {worst:8s} | "
              f"{row['params']:>10,d} | {np.mean(row['train_s']):8.1f} s | {1000 * row['per_file_s']:5.0f} ms"
              + ("   (parameters: the templates' numbers)" if what != "parameters" else ""))


if __name__ == "__main__":
    main()
