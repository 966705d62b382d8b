"""Class-by-class metrics and the imbalance remedies of lesson 09: right numbers, clear errors."""
import numpy as np
import pytest

from rnnlib import imbalance, losses, metrics


def test_confusion_recall_and_balanced_accuracy():
    truth = np.array([0, 0, 0, 0, 1, 2, 2])
    predicted = np.array([0, 0, 0, 1, 1, 0, 2])
    confusion = metrics.confusion_matrix(truth, predicted, 3)
    assert confusion.tolist() == [[3, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert np.allclose(metrics.per_class_recall(confusion), [0.75, 1.0, 0.5])
    assert metrics.balanced_accuracy(confusion) == pytest.approx(0.75)
    prior = np.bincount(truth) / truth.size
    assert metrics.accuracy_at_prior(metrics.per_class_recall(confusion), prior) == pytest.approx(5 / 7)


def test_metric_errors_say_what_to_do():
    with pytest.raises(ValueError, match=r"class\(es\) \[1\] have no examples"):
        metrics.per_class_recall(metrics.confusion_matrix([0, 2], [0, 2], 3))
    with pytest.raises(ValueError, match="lie in 0..2"):
        metrics.confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="integer class labels"):
        metrics.confusion_matrix([0.0, 1.0], [0, 1], 3)
    with pytest.raises(ValueError, match="one entry per example"):
        metrics.confusion_matrix([0, 1], [0], 3)
    with pytest.raises(ValueError, match="sum to 1"):
        metrics.accuracy_at_prior([1.0, 0.5], [0.5, 0.6])


def test_keep_fraction_makes_the_rare_classes_rare():
    labels = np.repeat(np.arange(4), 50)
    kept = imbalance.keep_fraction(labels, {1: 0.1, 3: 0.02}, seed=0)
    assert imbalance.class_counts(labels[kept], 4).tolist() == [50, 5, 50, 1]
    assert np.array_equal(kept, np.sort(kept))
    with pytest.raises(ValueError, match=r"must be in \(0, 1\]"):
        imbalance.keep_fraction(labels, {1: 0.0})
    with pytest.raises(ValueError, match="no examples"):
        imbalance.keep_fraction(labels, {7: 0.5})


def test_inverse_frequency_weights_give_every_class_the_same_total_weight():
    labels = np.array([0] * 90 + [1] * 9 + [2] * 1)
    w = imbalance.inverse_frequency_weights(labels, 3)
    totals = w * np.bincount(labels)
    assert np.allclose(totals, totals[0]) and np.isclose(totals.sum(), labels.size)
    assert np.allclose(imbalance.inverse_frequency_weights(np.arange(5).repeat(3), 5), 1.0)
    with pytest.raises(ValueError, match=r"class\(es\) \[3\] have no examples"):
        imbalance.inverse_frequency_weights(labels, 4)


def test_weighted_cross_entropy_equals_repeating_the_rare_examples():
    """Weight 3 on class 1 is the same loss as showing each class-1 example three times."""
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((6, 3)), np.array([0, 0, 1, 2, 2, 2])
    weighted, _ = losses.softmax_cross_entropy(logits, labels, class_weights=np.array([1.0, 3.0, 1.0]))
    rows = np.array([0, 1, 2, 2, 2, 3, 4, 5])
    repeated, _ = losses.softmax_cross_entropy(logits[rows], labels[rows])
    assert weighted == pytest.approx(repeated)


def test_oversample_balances_and_keeps_every_example():
    labels = np.array([0] * 20 + [1] * 3 + [2] * 7)
    order = imbalance.oversample(labels, seed=1)
    assert np.bincount(labels[order]).tolist() == [20, 20, 20]
    assert set(order.tolist()) == set(range(labels.size))
    assert not np.array_equal(order, np.sort(order))           # shuffled
    assert np.array_equal(order, imbalance.oversample(labels, seed=1))


def test_prior_correction_undoes_a_prior():
    prior = np.array([0.7, 0.2, 0.1])
    likelihood = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    posterior = likelihood * prior / (likelihood * prior).sum(axis=1, keepdims=True)
    corrected = imbalance.prior_correction(np.log(posterior), prior)
    assert corrected.argmax(axis=1).tolist() == [2, 0]
    assert np.allclose(corrected - corrected[:, :1], np.log(likelihood) - np.log(likelihood[:, :1]))
    with pytest.raises(ValueError, match="prior above 0"):
        imbalance.prior_correction(np.log(posterior), np.array([0.9, 0.1, 0.0]))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        imbalance.prior_correction(np.log(posterior), prior[:2])


def test_precision_counts_false_alarms_and_says_nan_for_a_class_never_predicted():
    truth = np.array([0, 0, 0, 1, 1, 2])
    predicted = np.array([0, 0, 1, 1, 1, 0])          # class 2 is never predicted
    precision = metrics.per_class_precision(metrics.confusion_matrix(truth, predicted, 3))
    np.testing.assert_allclose(precision[:2], [2 / 3, 2 / 3])
    assert np.isnan(precision[2])
