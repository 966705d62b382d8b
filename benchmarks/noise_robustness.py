"""Accuracy in noisy and reverberant rooms: a model trained on clean speech against one trained with noise.

    python benchmarks/noise_robustness.py [--model lesson|course] [--seeds 0,1,2]

Both models train on FSDD's official training split; the noise-trained one also on one noisy copy of
every recording (rnnlib.augment.noisy_copy: white noise or babble of the training recordings at 0–20 dB
SNR, or a room with a reverberation time of 0.2–0.8 s). The official test split is then corrupted:
white noise and babble (four test recordings of other speakers) at 20, 10, 5 and 0 dB SNR, and rooms with
RT60 = 0.5 and 1.0 s. The corrupted test sets are fixed (seed 1000); each training seed trains both models.
Prints accuracy per condition, model and seed, then mean ± standard deviation over seeds.
``--model lesson`` is lesson 09's small model (LSTM 32, 8 epochs); ``course`` LSTM 64 → LSTM 64, 15 epochs.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from imbalance import MODELS
from rnnlib import audio, augment, datasets, digits, inference

SNRS = (20, 10, 5, 0)
RT60S = (0.5, 1.0)


def conditions() -> list[tuple[str, float | None]]:
    return [("clean", None)] + [(k, snr) for k in ("white", "babble") for snr in SNRS] + [("room", t) for t in RT60S]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--model", choices=tuple(MODELS), default="course")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated training seeds (default: 0,1,2)")
    args = parser.parse_args()
    recipe, seeds = MODELS[args.model], [int(s) for s in args.seeds.split(",")]

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    train_recs, test_recs = datasets.official_split(recordings)
    y_train, y_test = (np.array([r.digit for r in rs]) for rs in (train_recs, test_recs))
    start = time.perf_counter()
    pipeline = digits.new_recognizer(recipe)
    waves = [audio.load(r.path)[0] for r in train_recs]
    X_train = digits.standardized_features(pipeline, waves)
    rng = np.random.default_rng(seeds[0])
    X_noisy = digits.waveform_features(pipeline, [augment.noisy_copy(y, rng, talkers=waves) for y in waves])
    test_waves = [audio.load(r.path)[0] for r in test_recs]
    speakers = [r.speaker for r in test_recs]
    X_tests = {(kind, level): digits.waveform_features(
        pipeline, test_waves if kind == "clean" else augment.corrupt(test_waves, speakers, kind, level, seed=1000))
        for kind, level in conditions()}
    print(f"model {args.model}; features in {time.perf_counter() - start:.0f} s")

    results = {}
    for seed in seeds:
        for name, seqs, labels in (("clean-trained", X_train, y_train),
                                   ("noise-trained", X_train + X_noisy, np.concatenate([y_train, y_train]))):
            model = digits.new_recognizer(recipe, seed=seed).model
            digits.fit_model(model, seqs, labels, recipe, seed=seed, progress=False)
            for key, X in X_tests.items():
                results.setdefault((name, key), []).append(
                    np.mean(inference.predict_sequences(model, X).argmax(1) == y_test))
            print(f"seed {seed} {name}: " + "  ".join(f"{k} {'' if v is None else v}: {results[name, (k, v)][-1]:.3f}"
                                                      for k, v in conditions()), flush=True)

    print(f"\n{args.model} model, {len(seeds)} seeds, test accuracy mean ± standard deviation:")
    print("| condition | clean-trained | noise-trained |")
    print("|---|---|---|")
    for kind, level in conditions():
        label = {"clean": "clean", "white": f"white noise {level} dB", "babble": f"babble {level} dB",
                 "room": f"reverberation RT60 {level} s"}[kind]
        cells = [f"{np.mean(results[n, (kind, level)]):.3f} ± {np.std(results[n, (kind, level)]):.3f}"
                 for n in ("clean-trained", "noise-trained")]
        print(f"| {label} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
