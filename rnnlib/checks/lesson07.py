"""Checks for lesson 07, A spoken-digit recognizer."""
from __future__ import annotations

import numpy as np

from .. import gradcheck, inference, losses, metrics, models, optim, train
from ._core import ExerciseError, call, check_function, exercise, passed, yours_or_reference


def _head_reference(h, mask, W, b, labels):
    """Masked mean pooling, Dense, softmax cross-entropy: ``(loss, {"W", "b", "h"})``."""
    weights = mask.astype(h.dtype)
    weights = weights / weights.sum(axis=1, keepdims=True)
    pooled = np.einsum("bth,bt->bh", h, weights)
    loss, dlogits = losses.softmax_cross_entropy(pooled @ W + b, labels)
    dpooled = dlogits @ W.T
    return loss, {"W": pooled.T @ dlogits, "b": dlogits.sum(axis=0), "h": weights[:, :, None] * dpooled[:, None, :]}


def _head_cases():
    rng = np.random.default_rng(70)
    cases = []
    for lengths, H, C in (([3, 5, 1], 4, 3), ([7], 2, 2), ([2, 2, 6, 4], 3, 5)):
        T = max(lengths)
        mask = np.arange(T)[None, :] < np.array(lengths)[:, None]
        h = rng.standard_normal((len(lengths), T, H))
        h[~mask] = rng.standard_normal(((~mask).sum(), H)) * 5    # junk at padded steps: it must not count
        cases.append((h, mask, rng.standard_normal((H, C)), rng.standard_normal(C),
                      rng.integers(0, C, size=len(lengths))))
    return cases


@exercise("readout_head")
def readout_head(fn) -> None:
    """Exercise 1: ``fn(h, mask, W, b, labels)`` → ``(loss, {"W": dW, "b": db, "h": dh})`` for the classifier's head."""
    for h, mask, W, b, labels in _head_cases():
        what = f"readout_head on lengths {mask.sum(axis=1).tolist()}"
        got = call(fn, (h, mask, W, b, labels), what)
        if not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], dict)):
            raise ExerciseError(f"{what}: return a pair (loss, grads) with grads a dict of 'W', 'b' and 'h'; "
                                f"got {got!r:.80}.")
        loss, grads = got
        want_loss, want = _head_reference(h, mask, W, b, labels)
        if not mask.all():
            naive = float(losses.softmax_cross_entropy(h.mean(axis=1) @ W + b, labels)[0])
            if np.isclose(float(loss), naive):
                raise ExerciseError(f"{what}: your loss uses the mean over all T steps, padding included. Average "
                                    "each sequence over its real steps only (where mask is True).")
        if not np.isclose(float(loss), want_loss, rtol=1e-6):
            raise ExerciseError(f"{what}: the loss should be {want_loss:.6f} (mean cross-entropy over the batch), "
                                f"got {float(loss):.6f}.")
        missing = {"W", "b", "h"} - set(grads)
        if missing:
            raise ExerciseError(f"{what}: grads has no {sorted(missing)}.")
        dh = np.asarray(grads["h"])
        if dh.shape == h.shape and np.any(dh[~mask] != 0):
            raise ExerciseError(f"{what}: padded steps got a gradient. They took no part in the mean, so theirs is 0.")
        for name, arr in (("W", W), ("b", b), ("h", h)):
            numeric = gradcheck.numeric_gradient(lambda: _head_reference(h, mask, W, b, labels)[0], arr)
            if np.shape(grads[name]) != arr.shape:
                raise ExerciseError(f"{what}: grads['{name}'] should have the shape of {name}, {arr.shape}; "
                                    f"got {np.shape(grads[name])}.")
            error = gradcheck.relative_error(grads[name], numeric)
            if error > 1e-6:
                hint = {"W": "d loss / d W sums pooledᵀ · dlogits over the batch.",
                        "b": "d loss / d b sums dlogits over the batch.",
                        "h": "each real step receives 1/length of d loss / d pooled; padded steps nothing."}[name]
                raise ExerciseError(f"{what}: grads['{name}'] disagrees with the numeric gradient (relative error "
                                    f"{error:.1e}). Remember dlogits = (p - onehot(y)) / B. {hint}")
    passed("Right, and proven by numeric gradients: every real frame gets an equal vote in the mean, and an "
           "equal share of the gradient.")


def _toy_task(n=90, seed=72):
    """Sequences of 3 to 12 frames, 4 features; the label is the feature with the largest mean (4 classes)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, size=n)
    seqs = []
    for label in labels:
        x = rng.standard_normal((int(rng.integers(3, 13)), 4)).astype(np.float32)
        x[:, label] += 1.5
        seqs.append(x)
    return seqs, labels


class _Spy:
    """Wraps a model and records every batch that goes forward."""

    def __init__(self, model):
        self.model, self.batches = model, []

    def __getattr__(self, name):
        return getattr(self.model, name)

    def forward(self, x, mask=None):
        self.batches.append((np.shape(x), None if mask is None else np.asarray(mask).copy()))
        return self.model.forward(x, mask)


@exercise("train_one_epoch")
def train_one_epoch(fn) -> None:
    """Exercise 2: ``fn(model, optimizer, seqs, labels, *, batch_size, rng, ...)`` runs one epoch → ``(loss, accuracy)``."""
    seqs, labels = _toy_task()
    model = models.SequenceClassifier.build("gru", 4, [12], 4, pooling="mean", seed=0)
    spy = _Spy(model)
    before = [v.copy() for layer in model.layers for v in layer.params.values()]
    optimizer = optim.Adam(model.layers, lr=0.02)
    what = "train_one_epoch(model, optimizer, seqs, labels, batch_size=16, rng=...)"
    got = call(lambda: fn(spy, optimizer, seqs, labels, batch_size=16, rng=np.random.default_rng(0), clip=1.0,
                          augment=None, class_weights=None, on_batch=None), (), what)
    if not (isinstance(got, tuple) and len(got) == 2):
        raise ExerciseError(f"{what} must return a pair (mean loss, accuracy); got {got!r:.80}.")
    loss, acc = (float(v) for v in got)
    seen = sum(shape[0] for shape, _ in spy.batches)
    if seen != len(seqs):
        raise ExerciseError(f"One epoch shows every one of the {len(seqs)} sequences exactly once; your batches "
                            f"held {seen} sequences in all.")
    if any(shape[0] > 16 for shape, _ in spy.batches):
        raise ExerciseError("A batch was larger than batch_size=16.")
    for shape, mask in spy.batches:
        if mask is None:
            raise ExerciseError("A batch went forward without its mask: pad with features.pad_sequences, which "
                                "returns (x, mask), and pass the mask to model.forward.")
    after = [v for layer in model.layers for v in layer.params.values()]
    if all(np.array_equal(a, b) for a, b in zip(before, after)):
        raise ExerciseError("The weights did not change: after model.backward(dlogits), call optimizer.step().")
    if not (np.isfinite(loss) and loss > 0 and 0 <= acc <= 1):
        raise ExerciseError(f"Expected the mean cross-entropy (a positive number) and the accuracy (between 0 and "
                            f"1); got loss={loss!r}, accuracy={acc!r}.")
    for _ in range(14):
        fn(model, optimizer, seqs, labels, batch_size=16, rng=np.random.default_rng(_ + 1), clip=1.0, augment=None,
           class_weights=None, on_batch=None)
    final = float(np.mean(inference.predict_sequences(model, seqs).argmax(axis=1) == labels))
    if final < 0.9:
        raise ExerciseError(f"After 15 epochs of your loop a small GRU reached only {final:.2f} training accuracy on an "
                            "easy toy task (the reference loop reaches about 1.0): check the loss gradient goes "
                            "backward, the clipping, and that labels[rows] matches the batch's sequences.")
    passed("Right: every sequence once per epoch, padded with its mask, and a model that learns from your loop.")


def epoch_function(yours):
    """The epoch loop the lesson trains with: yours if it passes the check, else ``rnnlib.train.train_epoch``."""
    return yours_or_reference(yours, train.train_epoch, train_one_epoch, "train_one_epoch")


@exercise("confusion_matrix")
def confusion_matrix(fn) -> None:
    """Exercise 3: ``fn(truth, predicted, n_classes)``: entry ``[i, j]`` counts class ``i`` recognized as ``j``."""
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 4, size=30)
    predicted = np.where(rng.random(30) < 0.7, truth, rng.integers(0, 4, size=30))
    cases = [(truth, predicted, 4), (np.array([0, 0, 1]), np.array([1, 1, 1]), 3), (np.array([2]), np.array([2]), 5)]
    check_function(fn, metrics.confusion_matrix, cases, what="confusion_matrix",
                   hint="Rows are the digit said, columns the digit heard: count each (said, heard) pair once.")
    passed("Right: every row sums to the number of recordings of that digit, and the diagonal holds the hits.")
