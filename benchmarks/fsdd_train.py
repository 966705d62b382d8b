"""Train the recognizer's model with rnnlib and with PyTorch on the same features, and compare.

    python benchmarks/fsdd_train.py [--data DIR] [--epochs 5] [--threads 2]

Both sides get the same sequences (FSDD's official training split through the course's feature
pipeline, without augmentation), the same length-bucketed batches in the same order, the same model
(LSTM 64 → LSTM 64 → mean over time → Dense 10, float32), Adam (lr 2e-3), clipping at norm 1, and
the same number of threads. Only the training loop is timed. Prints both times, both test
accuracies (official test split) and the ratio. PyTorch is optional.
"""
from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))

    import numpy as np

    from rnnlib import datasets, digits, features, inference, models, optim, train
    from rnnlib.recognizer import Recognizer

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    train_recs, test_recs = datasets.official_split(recordings)
    cfg = features.DEFAULT
    probe = Recognizer(models.SequenceClassifier.build("lstm", cfg.n_features, [64, 64], 10), digits.LABELS)
    seqs = digits.recording_features(probe, train_recs, standardize=False)
    scaler = features.Standardizer().fit(seqs)
    seqs, test_seqs = scaler.transform(seqs), scaler.transform(digits.recording_features(probe, test_recs,
                                                                                          standardize=False))
    y, y_test = np.array([r.digit for r in train_recs]), np.array([r.digit for r in test_recs])
    rng = np.random.default_rng(args.seed)
    epochs = [inference.length_buckets([len(s) for s in seqs], 32, rng) for _ in range(args.epochs)]
    batches = [features.pad_sequences([seqs[i] for i in rows]) + (y[rows],) for epoch in epochs for rows in epoch]
    print(f"{len(seqs)} training sequences, {len(batches)} batches ({args.epochs} epochs), "
          f"{len(test_seqs)} test sequences, {args.threads} threads")

    # ---- rnnlib
    model = models.SequenceClassifier.build("lstm", cfg.n_features, [64, 64], 10, pooling="mean", seed=args.seed)
    adam = optim.Adam(model.layers, lr=2e-3)
    start = time.perf_counter()
    for x, mask, labels in batches:
        train.classifier_step(model, adam, x, labels, mask=mask, clip=1.0)
    ours = time.perf_counter() - start
    ours_acc = float(np.mean(inference.predict_sequences(model, test_seqs).argmax(1) == y_test))
    print(f"rnnlib : {ours:7.1f} s, test accuracy {ours_acc:.4f}")

    # ---- PyTorch: the same model as a torch.nn module (rnnlib.frameworks), from the same initial weights
    from rnnlib import frameworks

    try:
        torch = frameworks.torch()
    except ImportError:
        print("PyTorch is not installed: no comparison.")
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    net = frameworks.torch_classifier(models.SequenceClassifier.build("lstm", cfg.n_features, [64, 64], 10,
                                                                     pooling="mean", seed=args.seed))
    adam_t = torch.optim.Adam(net.parameters(), lr=2e-3)
    tensors = [(torch.from_numpy(x), torch.from_numpy(m), torch.from_numpy(l)) for x, m, l in batches]
    start = time.perf_counter()
    for x, m, labels in tensors:
        adam_t.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(x, m), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        adam_t.step()
    theirs = time.perf_counter() - start
    with torch.no_grad():
        x, m = features.pad_sequences(test_seqs)
        torch_acc = float((net(torch.from_numpy(x), torch.from_numpy(m)).argmax(1).numpy() == y_test).mean())
    print(f"PyTorch: {theirs:7.1f} s, test accuracy {torch_acc:.4f}")
    print(f"rnnlib / PyTorch training time: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
