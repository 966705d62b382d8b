"""The exercise checks of lesson 08 accept right answers and explain wrong ones."""
import numpy as np
import pytest

from rnnlib import imbalance
from rnnlib.checks import ExerciseError, lesson08


def stub(*args, **kwargs):
    raise NotImplementedError()


def test_right_answers_pass(capsys):
    lesson08.recall_report(lesson08._report_reference)
    lesson08.inverse_frequency_weights(imbalance.inverse_frequency_weights)
    lesson08.oversample(lambda labels, rng: imbalance.oversample(labels, seed=rng))
    assert capsys.readouterr().out.count("✅") == 3


def test_stubs_are_not_done_yet(capsys):
    for check in (lesson08.recall_report, lesson08.inverse_frequency_weights, lesson08.oversample):
        check(stub)
    assert capsys.readouterr().out.count("not done yet") == 3


def test_wrong_reports_are_explained():
    def recall_over_predicted(truth, predicted, n):
        report = lesson08._report_reference(truth, predicted, n)
        report["recall"] = np.array([np.mean(truth[predicted == c] == c) for c in range(n)])
        return report

    def silent_zero(truth, predicted, n):
        recall = np.array([np.mean(predicted[truth == c] == c) if (truth == c).any() else 0.0 for c in range(n)])
        return {"accuracy": np.mean(truth == predicted), "recall": recall, "balanced_accuracy": recall.mean(),
                "worst_class": int(recall.argmin())}

    with pytest.raises(ExerciseError, match="divide by how many were"):
        lesson08.recall_report(recall_over_predicted)
    with pytest.raises(ExerciseError, match="Raise a ValueError"):
        lesson08.recall_report(silent_zero)
    with pytest.raises(ExerciseError, match="return a dict"):
        lesson08.recall_report(lambda t, p, n: (1.0, 2.0))


def test_wrong_weights_are_explained():
    with pytest.raises(ExerciseError, match="the scale is off"):
        lesson08.inverse_frequency_weights(lambda labels, n: 1.0 / np.bincount(labels, minlength=n))
    with pytest.raises(ExerciseError, match="N / \\(C · n_c\\)"):
        lesson08.inverse_frequency_weights(lambda labels, n: np.bincount(labels, minlength=n) / labels.size)


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
        lesson08.oversample(draws_everything)
    with pytest.raises(ExerciseError, match="at random"):
        lesson08.oversample(not_random)
    with pytest.raises(ExerciseError):
        lesson08.oversample(returns_labels)
    with pytest.raises(ExerciseError, match="appear 20 times"):
        lesson08.oversample(lambda labels, rng: np.arange(labels.size))
