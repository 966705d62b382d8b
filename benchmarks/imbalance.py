"""Imbalanced training data and four remedies, measured on FSDD's official split over several seeds.

    python benchmarks/imbalance.py [--model lesson|course] [--seeds 0,1,2] [--minority 3,6,8] [--fraction 0.1]

The training split keeps only ``--fraction`` of the recordings of the ``--minority`` digits (a 10:1
imbalance by default; which recordings, is fixed by the first seed); the test split stays whole and
balanced. For each seed, the same model is trained with each remedy:

* ``none``: plain cross-entropy;
* ``prior correction``: the ``none`` model, its log-probabilities minus the log training prior;
* ``class weights``: cross-entropy weighted N / (C · n_c);
* ``oversampling``: the rare digits' recordings drawn again until every digit has as many as the largest;
* ``augmenting``: each rare recording also at 0.8, 0.9, 1.1 and 1.2 times its speed and once in a random
  noisy room (rnnlib.augment.noisy_copy).

Prints per remedy and seed the mean recall of the rare digits, the balanced accuracy (= accuracy on the
balanced test split) and the accuracy a test set with the training's proportions would show, then the
mean ± standard deviation over seeds. ``--model lesson`` is lesson 09's small model (LSTM 32, 8 epochs);
``course`` is the course recipe's LSTM 64 → LSTM 64 for 15 epochs (without speed copies of every recording).
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np

from rnnlib import audio, augment, datasets, digits, imbalance, inference, metrics

#: Lesson 09's tables were measured with the course's first recipe (trimmed at 30 dB, each recording at its own
#: loudness, the best epoch kept): digits.FIRST_RECIPE, not the later aids for new voices of lesson 07.
MODELS = {
    "lesson": replace(digits.FIRST_RECIPE, hidden_sizes=(32,), epochs=8, lr=3e-3, speeds=(), test_speeds=(1.0,),
                      patience=None, validation_fraction=0.0),
    "course": replace(digits.FIRST_RECIPE, epochs=15, speeds=(), test_speeds=(1.0,), patience=None,
                      validation_fraction=0.0),
}
REMEDIES = ("none", "prior correction", "class weights", "oversampling", "augmenting")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--model", choices=tuple(MODELS), default="course")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated training seeds (default: 0,1,2)")
    parser.add_argument("--minority", default="3,6,8", help="the digits made rare (default: 3,6,8)")
    parser.add_argument("--fraction", type=float, default=0.1, help="fraction of their recordings kept (default: 0.1)")
    args = parser.parse_args()
    recipe, seeds = MODELS[args.model], [int(s) for s in args.seeds.split(",")]
    minority = [int(d) for d in args.minority.split(",")]

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    train_recs, test_recs = datasets.official_split(recordings)
    y_all = np.array([r.digit for r in train_recs])
    kept = imbalance.keep_fraction(y_all, {d: args.fraction for d in minority}, seed=seeds[0])
    train_recs, y_train = [train_recs[i] for i in kept], y_all[kept]
    y_test = np.array([r.digit for r in test_recs])
    prior = imbalance.class_prior(y_train, 10)
    print(f"model {args.model}: {recipe}")
    print(f"{len(train_recs)} training recordings, per digit {imbalance.class_counts(y_train, 10).tolist()}; "
          f"{len(test_recs)} test recordings")

    start = time.perf_counter()
    pipeline = digits.new_recognizer(recipe)
    waves = [audio.load(r.path)[0] for r in train_recs]
    X_train = digits.standardized_features(pipeline, waves)
    X_test = digits.recording_features(pipeline, test_recs)
    rare = [i for i, d in enumerate(y_train) if d in minority]
    copies, y_extra = augment.labelled_copies([waves[i] for i in rare], y_train[rare], np.random.default_rng(seeds[0]))
    X_extra = digits.waveform_features(pipeline, copies)
    print(f"features in {time.perf_counter() - start:.0f} s")

    def trained_log_probs(seqs, labels, seed, class_weights=None):
        model = digits.new_recognizer(recipe, seed=seed).model
        digits.fit_model(model, seqs, labels, recipe, seed=seed, class_weights=class_weights, progress=False)
        return np.log(np.maximum(inference.predict_sequences(model, X_test), 1e-12))

    results = {name: [] for name in REMEDIES}
    for seed in seeds:
        start = time.perf_counter()
        scores = {"none": trained_log_probs(X_train, y_train, seed)}
        scores["prior correction"] = imbalance.prior_correction(scores["none"], prior)
        scores["class weights"] = trained_log_probs(X_train, y_train, seed,
                                                    imbalance.inverse_frequency_weights(y_train, 10))
        order = imbalance.oversample(y_train, seed=seed)
        scores["oversampling"] = trained_log_probs([X_train[i] for i in order], y_train[order], seed)
        scores["augmenting"] = trained_log_probs(X_train + X_extra, np.concatenate([y_train, y_extra]), seed)
        for name in REMEDIES:
            recall = metrics.per_class_recall(metrics.confusion_matrix(y_test, scores[name].argmax(1), 10))
            row = (recall[minority].mean(), recall.mean(), metrics.accuracy_at_prior(recall, prior))
            results[name].append(row)
            print(f"seed {seed} {name:17s} rare-digit recall {row[0]:.3f}  balanced accuracy {row[1]:.3f}  "
                  f"accuracy at training proportions {row[2]:.3f}", flush=True)
        print(f"seed {seed}: {time.perf_counter() - start:.0f} s")

    print(f"\n{args.model} model, {len(seeds)} seeds, mean ± standard deviation:")
    print("| remedy | rare-digit recall | balanced accuracy | accuracy at training proportions |")
    print("|---|---|---|---|")
    for name in REMEDIES:
        v = np.array(results[name])
        print(f"| {name} | " + " | ".join(f"{m:.3f} ± {s:.3f}" for m, s in zip(v.mean(0), v.std(0))) + " |")


if __name__ == "__main__":
    main()
