"""Leave-one-speaker-out: how well does the recognizer hear a voice it never heard?

    python benchmarks/fsdd_loso.py [--data DIR] [--epochs N] [--seed S] [--speakers a,b]

For each speaker present, train the course's recipe (rnnlib.digits.Recipe) on all recordings of the
other speakers and test on every recording of the one left out (all indices, 50 × 10 per speaker).
Prints the accuracy per speaker and their mean. Takes several minutes: each fold is a full training run.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from rnnlib import datasets, digits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--epochs", type=int, default=digits.Recipe.epochs)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--speakers", help="comma-separated speakers to leave out (default: all present)")
    args = parser.parse_args()

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    speakers = args.speakers.split(",") if args.speakers else datasets.speakers(recordings)
    recipe = digits.Recipe(epochs=args.epochs)
    print(f"{len(recordings)} recordings, speakers {datasets.speakers(recordings)}; recipe: {recipe}")
    results = {}
    for speaker in speakers:
        start = time.perf_counter()
        train_set, test_set = datasets.speaker_split(recordings, speaker)
        recognizer, history = digits.train_recognizer(train_set, recipe, seed=args.seed, progress=False)
        results[speaker] = digits.evaluate(recognizer, test_set)["accuracy"]
        print(f"left out {speaker:10s} accuracy {results[speaker]:.4f} on {len(test_set)} recordings "
              f"({time.perf_counter() - start:.0f} s, {len(history['loss'])} epochs)", flush=True)
    print(f"mean leave-one-speaker-out accuracy over {len(results)} speakers: {np.mean(list(results.values())):.4f}")


if __name__ == "__main__":
    main()
