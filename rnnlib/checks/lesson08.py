"""Checks for lesson 08, When the data is unfair."""
from __future__ import annotations

import numpy as np

from .. import imbalance, metrics
from ._core import ExerciseError, call, check_value, exercise, passed


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


@exercise("recall_report")
def recall_report(fn) -> None:
    """Exercise 1: ``fn(truth, predicted, n_classes)`` → dict of accuracy, per-class recall, balanced accuracy, worst class."""
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


@exercise("inverse_frequency_weights")
def inverse_frequency_weights(fn) -> None:
    """Exercise 2: ``fn(labels, n_classes)`` → ``(C,)`` weights ``N / (C · n_c)``."""
    cases = [np.array([0] * 90 + [1] * 9 + [2]), np.repeat(np.arange(4), 5), np.array([1, 1, 0, 2, 2, 2, 2, 2])]
    for labels in cases:
        n = int(labels.max()) + 1
        what = f"inverse_frequency_weights(labels with counts {np.bincount(labels).tolist()}, {n})"
        got = call(fn, (labels, n), what)
        want = imbalance.inverse_frequency_weights(labels, n)
        if not np.allclose(np.asarray(got, float), want) and np.shape(got) == want.shape:
            totals = np.asarray(got, float) * np.bincount(labels)
            if np.allclose(totals, totals[0]):
                raise ExerciseError(f"{what}: every class has the same total weight, good, but the scale is off: "
                                    f"the weights should make the total N = {labels.size} (so a balanced set gets "
                                    f"weight 1 everywhere); got total {totals.sum():.4g}.")
        check_value(got, want, what=what, hint="w_c = N / (C · n_c): N examples, C classes, n_c of class c.")
    passed("Right: each class's examples now weigh N / C in total, however many there are.")


def _oversample_cases():
    return [np.array([0] * 20 + [1] * 3 + [2] * 7), np.repeat(np.arange(3), [1, 8, 8]), np.array([2, 0, 1, 1, 0, 2, 2])]


@exercise("oversample")
def oversample(fn) -> None:
    """Exercise 3: ``fn(labels, rng)`` → indices where every class appears as often as the largest, each example at least once."""
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
