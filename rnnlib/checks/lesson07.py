"""Checks for lesson 07, A spoken-digit recognizer."""
from __future__ import annotations

import numpy as np

from .. import gradcheck, inference, losses, models, optim, train
from ._core import ExerciseError, call, exercise, passed, yours_or_reference

__all__ = ["readout_head", "train_one_epoch", "epoch_function"]


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
    """Wraps a model and records every batch that goes forward: its inputs, its mask and the logits that came out."""

    def __init__(self, model):
        self.model, self.batches = model, []

    def __getattr__(self, name):
        return getattr(self.model, name)

    def forward(self, x, mask=None):
        logits = self.model.forward(x, mask)
        self.batches.append((np.array(x, copy=True), None if mask is None else np.asarray(mask).copy(),
                             np.array(logits, copy=True)))
        return logits


_WEIGHTS = np.array([1.0, 3.0, 0.5, 2.0])


def _run_epoch(fn, *, clip=0.01, class_weights=_WEIGHTS):
    """One epoch of ``fn`` on the toy task from a fixed start, with SGD (whose step shows clipping, unlike Adam's),
    an augmentation that adds 100 to every value, and counters. Returns ``(result, spy, calls, weights after)``."""
    seqs, labels = _toy_task()
    model = models.SequenceClassifier.build("gru", 4, [12], 4, pooling="mean", seed=0, dtype=np.float64)
    spy, calls = _Spy(model), {"augment": 0, "on_batch": 0}

    def augment(seq, rng):
        calls["augment"] += 1
        return seq + 100.0

    def on_batch():
        calls["on_batch"] += 1

    result = call(lambda: fn(spy, optim.SGD(model.layers, lr=0.1), seqs, labels, batch_size=16,
                             rng=np.random.default_rng(0), clip=clip, augment=augment, class_weights=class_weights,
                             on_batch=on_batch), (), _EPOCH_CALL)
    return result, spy, calls, [v.copy() for layer in model.layers for v in layer.params.values()]


_EPOCH_CALL = ("train_one_epoch on 90 toy sequences of 4 classes (batch_size=16, clip=0.01, class_weights "
               f"{_WEIGHTS.tolist()}, an augment that adds 100 to every value, an on_batch counter)")


@exercise("train_one_epoch", not_by=('rnnlib.train.train_epoch', 'rnnlib.train.classifier_step',))
def train_one_epoch(fn) -> None:
    """Exercise 2: ``fn(model, optimizer, seqs, labels, *, batch_size, rng, clip, augment, class_weights, on_batch)``
    runs one epoch → ``(mean loss, accuracy)``, both averages over the sequences.

    Checked for what the loop must achieve, whatever order it does things in: every sequence once, augmented, in
    masked batches of at most ``batch_size``; ``on_batch`` once per batch; the returned numbers are the
    size-weighted means of what the batches' logits say; the class weights and the clipping change the step; and
    the loop trains a small model on a toy task.
    """
    seqs, labels = _toy_task()
    got, spy, calls, after = _run_epoch(fn)
    what = _EPOCH_CALL
    if not (isinstance(got, tuple) and len(got) == 2):
        raise ExerciseError(f"{what}: return a pair (mean loss, accuracy); got {got!r:.80}.")
    loss, acc = (float(v) for v in got)
    seen = sum(len(x) for x, _, _ in spy.batches)
    if seen != len(seqs):
        raise ExerciseError(f"{what}: one epoch shows every one of the {len(seqs)} sequences exactly once; your "
                            f"batches held {seen} sequences in all.")
    if any(len(x) > 16 for x, _, _ in spy.batches):
        raise ExerciseError(f"{what}: a batch held more than batch_size=16 sequences.")
    if any(mask is None for _, mask, _ in spy.batches):
        raise ExerciseError(f"{what}: a batch went forward without its mask: pad with features.pad_sequences, which "
                            "returns (x, mask), and pass the mask to model.forward.")
    if calls["augment"] != len(seqs) or any(x[m].min() < 50 for x, m, _ in spy.batches):
        raise ExerciseError(f"{what}: augment was called {calls['augment']} times; every sequence must go through "
                            "augment(seq, rng) once as it joins its batch, and the changed sequence is what goes "
                            "forward.")
    if calls["on_batch"] != len(spy.batches):
        raise ExerciseError(f"{what}: on_batch() was called {calls['on_batch']} times for {len(spy.batches)} "
                            "batches: call it once after every batch (it moves the progress bar).")
    # Which sequence is which row: the augmented sequences are unique, so their values name them.
    key = lambda a: np.ascontiguousarray(a, dtype=np.float64).tobytes()
    index = {key(s + 100.0): k for k, s in enumerate(seqs)}
    total = hits = 0.0
    for x, mask, logits in spy.batches:
        rows = [index.get(key(x[b, :int(mask[b].sum())])) for b in range(len(x))]
        if None in rows:
            raise ExerciseError(f"{what}: a batch held a sequence that is not one of the training sequences (plus "
                                "the augmentation): pad without changing the real frames.")
        batch_loss, _ = losses.softmax_cross_entropy(logits, labels[rows], class_weights=_WEIGHTS)
        total += batch_loss * len(rows)
        hits += float(np.sum(logits.argmax(axis=1) == labels[rows]))
    want_loss, want_acc = total / len(seqs), hits / len(seqs)
    if not (np.isclose(loss, want_loss, rtol=1e-6) and np.isclose(acc, want_acc, rtol=1e-6)):
        hint = ("Weight each batch's mean by its size (the last batch is smaller): add the batch's mean loss times "
                "its number of sequences, and divide the sum by the number of sequences at the end."
                if len({len(x) for x, _, _ in spy.batches}) > 1 else "")
        raise ExerciseError(f"{what}: from the logits of your batches, the epoch's mean loss (with the class weights) "
                            f"is {want_loss:.6f} and its accuracy {want_acc:.4f}; you returned {loss:.6f} and "
                            f"{acc:.4f}. {hint}".strip())
    start = [v for layer in models.SequenceClassifier.build("gru", 4, [12], 4, pooling="mean", seed=0,
                                                             dtype=np.float64).layers for v in layer.params.values()]
    same = lambda a, b: all(np.allclose(u, v, rtol=1e-9, atol=1e-12) for u, v in zip(a, b))
    if same(after, start):
        raise ExerciseError(f"{what}: the weights did not change: after model.backward(dlogits), call "
                            "optimizer.step().")
    if same(after, _run_epoch(fn, class_weights=np.ones(4))[3]):
        raise ExerciseError(f"{what}: the class weights changed nothing: pass class_weights to "
                            "losses.softmax_cross_entropy, so that each class's mistakes weigh what they should.")
    if same(after, _run_epoch(fn, clip=None)[3]):
        raise ExerciseError(f"{what}: clip=0.01 changed nothing: before each step, cap the global gradient norm "
                            "with optim.clip_grad_norm(model.layers, clip) (and skip it when clip is None).")
    model = models.SequenceClassifier.build("gru", 4, [12], 4, pooling="mean", seed=0, dtype=np.float64)
    optimizer = optim.Adam(model.layers, lr=0.02)
    for epoch in range(15):
        fn(model, optimizer, seqs, labels, batch_size=16, rng=np.random.default_rng(epoch + 1), clip=1.0,
           augment=None, class_weights=None, on_batch=None)
    final = float(np.mean(inference.predict_sequences(model, seqs).argmax(axis=1) == labels))
    if final < 0.9:
        raise ExerciseError(f"After 15 epochs of your loop a small GRU reached only {final:.2f} training accuracy "
                            "on an easy toy task (the reference loop reaches about 1.0).")
    passed("Right: every sequence once per epoch, augmented, padded with its mask; one weighted, clipped step per "
           "batch; the progress bar moved; size-weighted averages; and a model that learns from your loop.")


def epoch_function(yours):
    """The epoch loop the lesson trains with: yours if it passes the check, else the course's
    (``train.train_epoch``)."""
    return yours_or_reference(yours, train.train_epoch, train_one_epoch, "train_one_epoch")
