"""How well could a recognizer tell "not a digit" from a digit? Scores measured on a trained model (issue 14).

    python benchmarks/far_voices.py /tmp/far             # once: the far-voice and non-digit sets
    python -m rnnlib.digits train --out digits.npz       # a recognizer (official training split)
    python benchmarks/open_set.py --model digits.npz --sets /tmp/far [--data DIR]

For each candidate score, the threshold is set on the training recordings (so that a given share of them
would be flagged), then the script prints the share flagged of: the official test split's digits (target:
at most 2%), each kind of non-digit sound (target: at least 90% overall), and the synthesized digits (far
voices: these should be *recognized*, not flagged). It also prints the recognizer's accuracy on the
synthesized digits. Scores:

* ``max_prob``: 1 minus the largest class probability (averaged over the recognizer's test speeds);
* ``mahalanobis``: the distance of the pooled LSTM state (:meth:`SequenceClassifier.embed`) to the nearest
  class mean, with one covariance shared by the classes, all fitted on the training recordings.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rnnlib import audio, augment, datasets, features, train
from rnnlib.recognizer import Recognizer


def embeddings(rec: Recognizer, waves) -> tuple[np.ndarray, np.ndarray]:
    """Pooled states ``(N, H)`` and probabilities ``(N, C)``, both averaged over the recognizer's test speeds."""
    pooled, probs = [], []
    for speed in rec.test_speeds:
        seqs = [rec.features(y if speed == 1.0 else augment.speed(y, speed, sr), sr) for y, sr in waves]
        z = np.zeros((len(seqs), rec.model.recurrent[-1].hidden_size))
        for rows in train.length_buckets([len(s) for s in seqs], 128, np.random.default_rng(0)):
            x, mask = features.pad_sequences([seqs[i] for i in rows])
            z[rows] = rec.model.embed(x, mask)
        pooled.append(z)
        probs.append(rec.predict_proba(seqs))
    return np.mean(pooled, axis=0), np.mean(probs, axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--sets", required=True, help="folder written by benchmarks/far_voices.py")
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--train-share", type=float, default=0.98,
                        help="share of training recordings a threshold keeps (default 0.98)")
    args = parser.parse_args()

    rec = Recognizer.load(args.model)
    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    train_set, test_set = datasets.official_split(recordings)
    files = sorted(Path(args.sets).glob("*.wav"))
    if not files:
        raise SystemExit(f"error: no WAV files in {args.sets}: run benchmarks/far_voices.py first.")
    kinds = np.array([f.name.split("_")[0] for f in files])
    load = lambda paths: [audio.load(p, rec.sample_rate) for p in paths]   # noqa: E731
    z_train, p_train = embeddings(rec, load([r.path for r in train_set]))
    z_test, p_test = embeddings(rec, load([r.path for r in test_set]))
    z_sets, p_sets = embeddings(rec, load(files))
    y_train = np.array([r.digit for r in train_set])

    means = np.stack([z_train[y_train == c].mean(axis=0) for c in range(len(rec.labels))])
    centred = z_train - means[y_train]
    precision = np.linalg.inv(centred.T @ centred / len(centred) + 1e-3 * np.eye(centred.shape[1]))

    def mahalanobis(z):
        d = z[:, None, :] - means[None]
        return np.einsum("ncd,de,nce->nc", d, precision, d).min(axis=1)

    scores = {"max_prob": (1 - p_train.max(1), 1 - p_test.max(1), 1 - p_sets.max(1)),
              "mahalanobis": (mahalanobis(z_train), mahalanobis(z_test), mahalanobis(z_sets))}
    digits = kinds == "digit"
    truth = np.array([int(f.name.split("_")[1]) if k == "digit" else -1 for f, k in zip(files, kinds)])
    print(f"{len(test_set)} test digits; sets: " + ", ".join(f"{k} {np.sum(kinds == k)}" for k in np.unique(kinds)))
    print(f"accuracy on the synthesized digits (far voices): {np.mean(p_sets[digits].argmax(1) == truth[digits]):.3f}")
    for name, (s_train, s_test, s_sets) in scores.items():
        threshold = np.quantile(s_train, args.train_share)
        flagged = s_sets > threshold
        other = ~digits
        by_kind = ", ".join(f"{k} {np.mean(flagged[kinds == k]):.2f}" for k in np.unique(kinds[other]))
        print(f"{name:12s} test digits flagged {np.mean(s_test > threshold):.3f} | non-digits flagged "
              f"{np.mean(flagged[other]):.3f} ({by_kind}) | far-voice digits flagged {np.mean(flagged[digits]):.3f}")


if __name__ == "__main__":
    main()
