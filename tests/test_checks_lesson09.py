"""The exercise checks of lesson 09 accept right answers and explain wrong ones."""
import numpy as np
import pytest

from rnnlib import imbalance
from rnnlib.checks import ExerciseError, lesson09
from helpers import stub



def recall_report(truth, predicted, n_classes):
    """The lesson's answer, as a learner writes it."""
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    recall = np.zeros(n_classes)
    for c in range(n_classes):
        if not (truth == c).any():
            raise ValueError(f"class {c} has no examples")
        recall[c] = np.mean(predicted[truth == c] == c)
    return {"accuracy": float(np.mean(truth == predicted)), "recall": recall,
            "balanced_accuracy": float(recall.mean()), "worst_class": int(np.argmin(recall))}


def inverse_frequency_weights(labels, n_classes, *, scale=1.0):
    counts = np.bincount(labels, minlength=n_classes)
    return scale * len(labels) / (n_classes * counts)


def weighted_cross_entropy(logits, labels, weights, *, weighted=True, by_total=True, weight_gradient=True):
    """The lesson's answer; the switches make the usual slips."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    w = weights[labels] if weighted else np.ones(len(labels))
    total = w.sum() if by_total else len(labels)
    loss = -(w * log_p[rows, labels]).sum() / total
    d = np.exp(log_p)
    d[rows, labels] -= 1
    return loss, d * (w if weight_gradient else np.ones_like(w))[:, None] / total


def test_right_answers_pass(capsys):
    lesson09.recall_report(recall_report)
    lesson09.class_weights(inverse_frequency_weights, weighted_cross_entropy)
    balanced = imbalance.oversample                  # under another name, as a learner's own function would be
    lesson09.oversample(lambda labels, rng: balanced(labels, seed=rng))
    assert capsys.readouterr().out.count("✅") == 3


def test_stubs_are_not_done_yet(capsys):
    lesson09.recall_report(stub)
    lesson09.class_weights(stub, stub)
    lesson09.class_weights(inverse_frequency_weights, stub)
    lesson09.oversample(stub)
    assert capsys.readouterr().out.count("not done yet") == 4


def test_wrong_reports_are_explained():
    def recall_over_predicted(truth, predicted, n):
        report = recall_report(truth, predicted, n)
        report["recall"] = np.array([np.mean(truth[predicted == c] == c) for c in range(n)])
        return report

    def silent_zero(truth, predicted, n):
        recall = np.array([np.mean(predicted[truth == c] == c) if (truth == c).any() else 0.0 for c in range(n)])
        return {"accuracy": np.mean(truth == predicted), "recall": recall, "balanced_accuracy": recall.mean(),
                "worst_class": int(recall.argmin())}

    with pytest.raises(ExerciseError, match="divide by how many were"):
        lesson09.recall_report(recall_over_predicted)
    with pytest.raises(ExerciseError, match="Raise a ValueError"):
        lesson09.recall_report(silent_zero)
    with pytest.raises(ExerciseError, match="return a dict"):
        lesson09.recall_report(lambda t, p, n: (1.0, 2.0))


def test_wrong_weights_are_explained():
    with pytest.raises(ExerciseError, match="should add up to N"):
        lesson09.class_weights(lambda l, n: inverse_frequency_weights(l, n, scale=2.0), weighted_cross_entropy)
    with pytest.raises(ExerciseError, match="the same total"):
        lesson09.class_weights(lambda l, n: np.bincount(l, minlength=n) / l.size, weighted_cross_entropy)


@pytest.mark.parametrize("slip, message", [
    ({"weighted": False}, "That is the plain mean"), ({"by_total": False}, "by the total weight"),
    ({"weight_gradient": False}, "Your loss is right, and a numeric gradient of it"),
])
def test_wrong_weighted_losses_are_explained(slip, message):
    with pytest.raises(ExerciseError, match=message):
        lesson09.class_weights(inverse_frequency_weights, lambda *a: weighted_cross_entropy(*a, **slip))


def test_wrong_oversampling_is_explained():
    def returns_labels(labels, rng):
        return labels[imbalance.oversample(labels, seed=rng)]

    def draws_everything(labels, rng):
        target = np.bincount(labels).max()
        return np.concatenate([rng.choice(np.flatnonzero(labels == c), target) for c in np.unique(labels)])

    def not_random(labels, rng):
        target = np.bincount(labels).max()
        return np.concatenate([np.resize(np.flatnonzero(labels == c), target) for c in np.unique(labels)])

    with pytest.raises(ExerciseError, match="never appear"):
        lesson09.oversample(draws_everything)
    with pytest.raises(ExerciseError, match="at random"):
        lesson09.oversample(not_random)
    with pytest.raises(ExerciseError):
        lesson09.oversample(returns_labels)
    with pytest.raises(ExerciseError, match="appear 20 times"):
        lesson09.oversample(lambda labels, rng: np.arange(labels.size))
