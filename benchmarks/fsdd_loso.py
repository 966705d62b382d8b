"""Leave-one-speaker-out: how well does the recognizer hear a voice it never heard?

    python benchmarks/fsdd_loso.py [--recipe course|first|plain] [--data DIR] [--epochs N] [--seeds 0,1]
                                   [--speakers a,b] [--set FIELD=VALUE ...] [--save DIR]

For each speaker present, train a recipe on all recordings of the other speakers and test on every
recording of the one left out (all indices, 50 × 10 per speaker): ``course`` is rnnlib.digits.Recipe(),
``first`` is rnnlib.digits.FIRST_RECIPE (the course's recipe before the aids for new voices of lesson 07's
section 5), ``plain`` is rnnlib.digits.PLAIN (the baseline lesson 07 starts from). With several seeds, each fold is
trained once per seed. ``--set`` changes one field of the recipe, or of its feature configuration
with a ``features.`` prefix, e.g. ``--set hidden_sizes=(96,96) features.n_mfcc=13``: how each step of the
recipe was measured. ``--save DIR`` keeps each fold's recognizer (``DIR/{speaker}_{seed}.npz``), for trying
things at recognition time without training again. Prints the accuracy per speaker and seed, each speaker's mean
and spread over the seeds, and the mean over all runs. Takes several minutes: each fold is a full training run
(about 1.5 minutes on 2 cores).

One seed moves a speaker's accuracy by up to ±0.03, so compare changes over several speakers and seeds.
"""
from __future__ import annotations

import argparse
import ast
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from rnnlib import datasets, digits

RECIPES = {"course": digits.Recipe(), "first": digits.FIRST_RECIPE, "plain": digits.PLAIN}


def with_settings(recipe: digits.Recipe, settings) -> digits.Recipe:
    """``recipe`` with each ``FIELD=VALUE`` of ``settings`` applied (``features.FIELD`` for its feature
    configuration)."""
    changes, feature_changes = {}, {}
    for setting in settings:
        field, _, value = setting.partition("=")
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            pass                                                    # a bare word: keep it as a string
        if field.startswith("features."):
            feature_changes[field.removeprefix("features.")] = value
        else:
            changes[field] = value
    if feature_changes:
        changes["feature_config"] = replace(recipe.feature_config, **feature_changes)
    return replace(recipe, **changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--epochs", type=int, help="training epochs (default: the recipe's)")
    parser.add_argument("--recipe", choices=tuple(RECIPES), default="course")
    parser.add_argument("--seeds", default="0", help="comma-separated training seeds (default: 0)")
    parser.add_argument("--speakers", help="comma-separated speakers to leave out (default: all present)")
    parser.add_argument("--set", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="change recipe fields (Python literals; features.FIELD for the feature configuration)")
    parser.add_argument("--save", type=Path, metavar="DIR", help="save each fold's recognizer in DIR")
    args = parser.parse_args()

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    speakers = args.speakers.split(",") if args.speakers else datasets.speakers(recordings)
    recipe = RECIPES[args.recipe]
    if args.epochs:
        recipe = replace(recipe, epochs=args.epochs)
    recipe = with_settings(recipe, args.set)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"{len(recordings)} recordings, speakers {datasets.speakers(recordings)}; recipe: {recipe}")
    results = {}
    for speaker in speakers:
        train_set, test_set = datasets.speaker_split(recordings, speaker)
        for seed in seeds:
            start = time.perf_counter()
            recognizer, history = digits.train_recognizer(train_set, recipe, seed=seed, progress=False)
            results[speaker, seed] = digits.evaluate(recognizer, test_set)["accuracy"]
            if args.save:
                recognizer.save(args.save / f"{speaker}_{seed}.npz")
            print(f"left out {speaker:10s} seed {seed}: accuracy {results[speaker, seed]:.4f} on {len(test_set)} "
                  f"recordings ({time.perf_counter() - start:.0f} s, {len(history['loss'])} epochs)", flush=True)
    if len(seeds) > 1:
        for speaker in speakers:
            runs = np.array([results[speaker, seed] for seed in seeds])
            print(f"{speaker:10s} mean {runs.mean():.4f}, from {runs.min():.3f} to {runs.max():.3f} "
                  f"over {len(seeds)} seeds")
    values = np.array(list(results.values()))
    print(f"{args.recipe} recipe, mean leave-one-speaker-out accuracy over {len(speakers)} speakers × {len(seeds)} "
          f"seeds: {values.mean():.4f} (runs from {values.min():.3f} to {values.max():.3f})")


if __name__ == "__main__":
    main()
