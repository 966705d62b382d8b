"""Checks for lesson 09, When the data is unfair."""
from __future__ import annotations

import numpy as np

from .. import gradcheck, imbalance, losses, metrics
from ._core import ExerciseError, NotDoneYet, _fmt, call, check_value, exercise, not_attempted, passed

__all__ = ["class_weights", "oversample", "recall_report"]


def _report_reference(truth, predicted, n_classes) -> dict:
    confusion = metrics.confusion_matrix(truth, predicted, n_classes)
    recall = metrics.per_class_recall(confusion)
    return {"accuracy": float(np.mean(truth == predicted)), "recall": recall,
            "balanced_accuracy": float(recall.mean()), "worst_class": int(recall.argmin())}


def _report_cases():
    rng = np.random.default_rng(80)
    cases = []
    for sizes in ([50, 5, 50, 20], [3, 3, 3], [100, 1]):
        truth = np.repeat(np.arange(len(sizes)), sizes)
        hit = rng.random(truth.size) < np.where(truth == 1, 0.3, 0.9)     # class 1 is often missed
        predicted = np.where(hit, truth, (truth + 1 + rng.integers(0, len(sizes) - 1, truth.size)) % len(sizes))
        order = rng.permutation(truth.size)
        cases.append((truth[order], predicted[order], len(sizes)))
    return cases


@exercise("recall_report", not_by=('rnnlib.metrics.per_class_recall', 'rnnlib.metrics.balanced_accuracy',))
def recall_report(fn) -> None:
    """Exercise 1: ``fn(truth, predicted, n_classes)`` → dict of accuracy, per-class recall, balanced accuracy,
    worst class."""
    for truth, predicted, n in _report_cases():
        what = f"recall_report on {truth.size} examples of {n} classes (per class {np.bincount(truth).tolist()})"
        got = call(fn, (truth, predicted, n), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: did you forget `return`?")
        if not isinstance(got, dict):
            raise ExerciseError(f"{what}: return a dict with the keys accuracy, recall, balanced_accuracy and "
                                f"worst_class; got a {type(got).__name__}.")
        want = _report_reference(truth, predicted, n)
        missing = sorted(set(want) - set(got))
        if missing:
            raise ExerciseError(f"{what}: the dict has no {missing}.")
        check_value(got["accuracy"], want["accuracy"], what=f"{what}, accuracy",
                    hint="Accuracy is the fraction of all examples predicted right.")
        check_value(got["recall"], want["recall"], what=f"{what}, recall",
                    hint="recall[c] = (examples of class c predicted as c) / (examples of class c): divide by how "
                         "many were *said*, the row of the confusion matrix, not how many were predicted.")
        check_value(got["balanced_accuracy"], want["balanced_accuracy"], what=f"{what}, balanced_accuracy",
                    hint="The balanced accuracy is the plain mean of the per-class recalls.")
        if int(got["worst_class"]) != want["worst_class"]:
            raise ExerciseError(f"{what}: worst_class should be {want['worst_class']} (the class with the lowest "
                                f"recall), got {got['worst_class']}.")
    truth, predicted = np.array([0, 0, 2, 2]), np.array([0, 1, 2, 2])
    try:
        fn(truth, predicted, 3)
    except NotImplementedError:
        raise
    except ValueError:
        pass
    except Exception as err:
        raise ExerciseError(f"recall_report({truth.tolist()}, {predicted.tolist()}, 3): class 1 has no examples, so "
                            f"its recall is 0/0. Raise a ValueError that says so; you raised {type(err).__name__}: "
                            f"{err}") from err
    else:
        raise ExerciseError(f"recall_report({truth.tolist()}, {predicted.tolist()}, 3): class 1 has no examples, so "
                            "its recall is 0/0 and any number you return for it is made up. Raise a ValueError "
                            "with a sentence that says which class is empty.")
    passed("Right: every class gets an equal say in the balanced accuracy, and an empty class is an error, "
           "not a silent 0.")


def _weighted_cases():
    """(labels, logits): a 10 : 1 imbalance, a balanced set, three classes with one rare."""
    rng = np.random.default_rng(81)
    cases = []
    for labels, C in ((np.array([0] * 10 + [1]), 2), (np.repeat(np.arange(4), 3), 4),
                      (np.array([1, 1, 0, 2, 2, 2, 2, 2]), 3)):
        cases.append((labels, rng.standard_normal((labels.size, C)) * 2))
    return cases


def _batch_cases():
    """(training labels the weights come from, a batch's labels, its logits): batches drawn from an unfair set,
    so the weights of the batch's examples need not add up to its size."""
    rng = np.random.default_rng(82)
    cases = []
    for counts, batch in (([40, 4], [0, 0, 1, 1, 0]), ([30, 3, 12], [2, 1, 0, 0, 2, 1, 1]), ([5, 5, 5], [0, 1, 2, 2])):
        training = np.repeat(np.arange(len(counts)), counts)
        batch = np.array(batch)
        cases.append((training, batch, rng.standard_normal((batch.size, len(counts))) * 2))
    return cases


@exercise("class_weights", not_by=('rnnlib.imbalance.inverse_frequency_weights', 'rnnlib.losses.softmax_cross_entropy'))
def class_weights(weights_fn, loss_fn) -> None:
    """Exercise 2: ``weights_fn(labels, n_classes)`` → ``(C,)`` weights that give every class the same total weight
    (summing to N over the examples), and ``loss_fn(logits, labels, weights)`` → ``(weighted mean cross-entropy,
    dlogits)``; compared with ``losses.softmax_cross_entropy(..., class_weights=...)`` and numeric gradients."""
    for labels, logits in _weighted_cases():
        n = int(labels.max()) + 1
        counts = np.bincount(labels, minlength=n)
        what = f"inverse_frequency_weights(labels with counts {counts.tolist()}, {n})"
        got = call(weights_fn, (labels, n), what)
        if not_attempted(got):
            raise NotDoneYet
        want = imbalance.inverse_frequency_weights(labels, n)
        got = np.asarray(got, dtype=float)
        if got.shape != want.shape:
            raise ExerciseError(f"{what}: expected one weight per class, shape {want.shape}; got shape {got.shape}.")
        totals = got * counts
        if not np.allclose(totals, totals[0], rtol=1e-6):
            raise ExerciseError(f"{what}: the classes' total weights w_c · n_c come out as {_fmt(totals)}; the "
                                "requirement is that every class carries the same total. Solve w_c · n_c = N / C "
                                "for w_c.")
        if not np.isclose(totals.sum(), labels.size, rtol=1e-6):
            raise ExerciseError(f"{what}: every class has the same total weight, good, but the weights over all "
                                f"examples should add up to N = {labels.size} (so a balanced set gets weight 1 "
                                f"everywhere); yours add up to {totals.sum():.4g}.")
    for training, labels, logits in _batch_cases():
        n = logits.shape[1]
        weights = imbalance.inverse_frequency_weights(training, n)
        what = (f"weighted_cross_entropy on a batch with labels {labels.tolist()} and the weights of a training set "
                f"with counts {np.bincount(training).tolist()}, {_fmt(weights)}")
        got = call(loss_fn, (logits.copy(), labels.copy(), weights.copy()), what)
        if not_attempted(got):
            raise NotDoneYet
        if not (isinstance(got, (tuple, list)) and len(got) == 2):
            raise ExerciseError(f"{what}: return a pair (loss, dlogits); got {type(got).__name__}.")
        loss, dlogits = float(got[0]), np.asarray(got[1], dtype=float)
        want_loss, want_d = losses.softmax_cross_entropy(logits, labels, class_weights=weights)
        plain_loss, _ = losses.softmax_cross_entropy(logits, labels)
        if not np.isclose(loss, want_loss, rtol=1e-6):
            hint = ("That is the plain mean: multiply each example's loss by its class's weight."
                    if np.isclose(loss, plain_loss, rtol=1e-6) else
                    "Divide the weighted sum by the total weight of the batch, Σ w_{y_b}, not by B."
                    if np.isclose(loss, want_loss * weights[labels].sum() / labels.size, rtol=1e-6) else
                    "The loss is Σ_b w_{y_b} · (−log p_{b, y_b}) / Σ_b w_{y_b}.")
            raise ExerciseError(f"{what}: expected the weighted mean {want_loss:.6f}, got {loss:.6f}. {hint}")
        if dlogits.shape != want_d.shape:
            raise ExerciseError(f"{what}: dlogits must have the shape of logits, {want_d.shape}; got {dlogits.shape}.")
        if not np.allclose(dlogits, want_d, rtol=1e-6, atol=1e-9):
            z = logits.copy()
            numeric = gradcheck.numeric_gradient(lambda: float(call(loss_fn, (z, labels, weights), what)[0]), z)
            hint = ("Your loss is right, and a numeric gradient of it gives the expected dlogits, so the slip is in "
                    "the gradient: row b is w_{y_b} · (p_b − onehot(y_b)) / Σ w."
                    if gradcheck.relative_error(numeric, want_d) < 1e-6
                    else "Row b is w_{y_b} · (p_b − onehot(y_b)) / Σ w.")
            raise ExerciseError(f"{what}: expected dlogits {_fmt(want_d)}, got {_fmt(dlogits)}. {hint}")
    passed("Right: every class now weighs N / C in total however many examples it has, and the weighted mean's "
           "gradient gives each example its class's share.")


def _oversample_cases():
    return [np.array([0] * 20 + [1] * 3 + [2] * 7), np.repeat(np.arange(3), [1, 8, 8]), np.array([2, 0, 1, 1, 0, 2, 2])]


@exercise("oversample", not_by=('rnnlib.imbalance.oversample',))
def oversample(fn) -> None:
    """Exercise 3: ``fn(labels, rng)`` → indices where every class appears as often as the largest, each example at
    least once."""
    for k, labels in enumerate(_oversample_cases()):
        what = f"oversample(labels with counts {np.bincount(labels).tolist()}, rng)"
        got = call(fn, (labels, np.random.default_rng(k)), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: did you forget `return`?")
        order = np.asarray(got)
        if order.ndim != 1 or order.dtype.kind not in "iu":
            raise ExerciseError(f"{what}: return a 1-D array of integer indices into labels; got dtype "
                                f"{order.dtype}, shape {order.shape}.")
        if order.size and (order.min() < 0 or order.max() >= labels.size):
            raise ExerciseError(f"{what}: indices must lie in 0..{labels.size - 1} (positions in labels), got "
                                f"{order.min()}..{order.max()}. Did you return labels instead of their positions?")
        counts, target = np.bincount(labels[order], minlength=labels.max() + 1), np.bincount(labels).max()
        if not (counts == target).all():
            raise ExerciseError(f"{what}: after oversampling every class should appear {target} times (as often as "
                                f"the largest); your indices give {counts.tolist()}.")
        if set(order.tolist()) != set(range(labels.size)):
            lost = sorted(set(range(labels.size)) - set(order.tolist()))
            raise ExerciseError(f"{what}: examples {lost[:5]} never appear. Keep every example once and draw only "
                                "the extra ones at random, so nothing the data holds is thrown away.")
    labels = _oversample_cases()[0]
    draws = {tuple(np.sort(np.asarray(fn(labels, np.random.default_rng(s))))) for s in range(6)}
    if len(draws) == 1:
        raise ExerciseError("oversample gave the same extra examples for six different rngs: draw the extra ones "
                            "at random with rng.choice(members, how_many, replace=True).")
    passed("Right: every class as often as the largest, every example kept, the extras drawn at random.")
