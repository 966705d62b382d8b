"""Template matching with dynamic time warping, given its fair best: which settings help DTW on unseen voices?

    python benchmarks/dtw_baselines.py [--per-speaker 100] [--templates 3,10]

Lesson 11 compares DTW with a CNN and the RNN (``benchmarks/faq_bakeoff.py``), and DTW there reads all 20 MFCCs
of the course's first front end: c0 included (mostly the recording's loudness, which differs by 15 dB between
FSDD's voices), no loudness normalization, three templates per digit and speaker. A baseline deserves the
settings that suit it, so this script measures, leave one speaker out, every combination of

* the front end: the first recipe's (silence trimmed at 30 dB) or the course recipe's (every recording at
  -20 dBFS, trimmed at 50 dB), both standardized on the training speakers;
* the coefficients compared: c0–c19, or c1–c19 (the level dropped);
* cepstral mean normalization (CMN): each recording's own mean subtracted from each coefficient, which removes a
  fixed microphone or voice colouring;
* templates per digit and training speaker (``--templates``).

Each test uses ``--per-speaker`` recordings of the held-out voice (the same ones for every setting: an equal
number of each digit). Prints the accuracy per held-out speaker and the mean, one line per setting. About half an
hour with the defaults on 2 cores.
"""
from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from rnnlib import audio, datasets, digits
from rnnlib.dtw import TemplateMatcher

FRONT_ENDS = {"first recipe": digits.FIRST_RECIPE, "course recipe": digits.Recipe()}


def compared(x: np.ndarray, *, drop_c0: bool, cmn: bool, n_mfcc: int = 20) -> np.ndarray:
    """The MFCC columns DTW compares, ``(T, 19 or 20)``, optionally without c0 and with the recording's mean removed."""
    x = x[:, 1 if drop_c0 else 0:n_mfcc]
    return x - x.mean(axis=0) if cmn else x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--per-speaker", type=int, default=100, help="test recordings per held-out voice (default 100)")
    parser.add_argument("--templates", default="3,10", help="templates per digit and speaker (default: 3,10)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    speakers = datasets.speakers(recordings)
    counts = [int(k) for k in args.templates.split(",")]
    results = {}
    start = time.perf_counter()
    for front, recipe in FRONT_ENDS.items():
        pipeline_features = {}
        for speaker in speakers:
            train_recs, test_recs = datasets.speaker_split(recordings, speaker)
            per_digit = max(1, args.per_speaker // 10)
            test_recs = [r for d in range(10) for r in [r for r in test_recs if r.digit == d][:per_digit]]
            pipeline = digits.new_recognizer(recipe, seed=args.seed)
            train_x = digits.standardized_features(pipeline, [audio.load(r.path)[0] for r in train_recs])
            test_x = digits.waveform_features(pipeline, [audio.load(r.path)[0] for r in test_recs])
            pipeline_features[speaker] = (train_recs, train_x, test_recs, test_x)
        for drop_c0, cmn, per_group in itertools.product((False, True), (False, True), counts):
            name = (f"{front}, {'c1-c19' if drop_c0 else 'c0-c19'}, {'CMN' if cmn else 'no CMN'}, "
                    f"{per_group} templates")
            accuracy = {}
            for speaker, (train_recs, train_x, test_recs, test_x) in pipeline_features.items():
                matcher = TemplateMatcher().fit([compared(x, drop_c0=drop_c0, cmn=cmn) for x in train_x],
                                                [r.digit for r in train_recs], [r.speaker for r in train_recs],
                                                per_group=per_group, seed=args.seed)
                predicted = matcher.predict([compared(x, drop_c0=drop_c0, cmn=cmn) for x in test_x])
                accuracy[speaker] = float(np.mean(predicted == np.array([r.digit for r in test_recs])))
            results[name] = accuracy
            print(f"{name:55s} mean {np.mean(list(accuracy.values())):.3f}  "
                  + " ".join(f"{s} {a:.2f}" for s, a in accuracy.items())
                  + f"  ({time.perf_counter() - start:.0f} s)", flush=True)
    best = max(results, key=lambda k: np.mean(list(results[k].values())))
    print(f"\nbest: {best}, mean {np.mean(list(results[best].values())):.3f}, worst speaker "
          f"{min(results[best].values()):.3f} ({min(results[best], key=results[best].get)})")


if __name__ == "__main__":
    main()
