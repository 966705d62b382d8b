"""Leave-one-speaker-out: how well does the recognizer hear a voice it never heard?

    python benchmarks/fsdd_loso.py [--recipe course|plain] [--data DIR] [--epochs N] [--seeds 0,1] [--speakers a,b]

For each speaker present, train a recipe on all recordings of the other speakers and test on every
recording of the one left out (all indices, 50 × 10 per speaker): ``course`` is rnnlib.digits.Recipe(),
``plain`` is rnnlib.digits.PLAIN (the baseline lesson 07 starts from). With several seeds, each fold is
trained once per seed. Prints the accuracy per speaker and seed, and the mean over all of them.
Takes several minutes: each fold is a full training run.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from rnnlib import datasets, digits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--epochs", type=int, help="training epochs (default: the recipe's)")
    parser.add_argument("--recipe", choices=("course", "plain"), default="course")
    parser.add_argument("--seeds", default="0", help="comma-separated training seeds (default: 0)")
    parser.add_argument("--speakers", help="comma-separated speakers to leave out (default: all present)")
    args = parser.parse_args()

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    speakers = args.speakers.split(",") if args.speakers else datasets.speakers(recordings)
    recipe = digits.Recipe() if args.recipe == "course" else digits.PLAIN
    if args.epochs:
        recipe = replace(recipe, epochs=args.epochs)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{len(recordings)} recordings, speakers {datasets.speakers(recordings)}; recipe: {recipe}")
    results = {}
    for speaker in speakers:
        train_set, test_set = datasets.speaker_split(recordings, speaker)
        for seed in seeds:
            start = time.perf_counter()
            recognizer, history = digits.train_recognizer(train_set, recipe, seed=seed, progress=False)
            results[speaker, seed] = digits.evaluate(recognizer, test_set)["accuracy"]
            print(f"left out {speaker:10s} seed {seed}: accuracy {results[speaker, seed]:.4f} on {len(test_set)} "
                  f"recordings ({time.perf_counter() - start:.0f} s, {len(history['loss'])} epochs)", flush=True)
    values = np.array(list(results.values()))
    print(f"{args.recipe} recipe, mean leave-one-speaker-out accuracy over {len(speakers)} speakers × {len(seeds)} "
          f"seeds: {values.mean():.4f} (runs from {values.min():.3f} to {values.max():.3f})")


if __name__ == "__main__":
    main()
