"""Lesson 08's checks: leave one speaker out without leaks, and the Mahalanobis detector, with the mistakes named."""
import numpy as np
import pytest

from rnnlib.checks import ExerciseError, lesson08
from rnnlib.novelty import NoveltyDetector      # imported as a notebook does, for the delegation test
from helpers import stub


def loso(recordings, train, evaluate, *, leak=False, val_step=10, fixed=None):
    """A learner's leave_one_speaker_out, right by default, each switch one typical mistake."""
    scores = {}
    for speaker in fixed or sorted({r.speaker for r in recordings}):
        others = [r for r in recordings if r.speaker != speaker or leak]
        voice = [r for r in recordings if r.speaker == speaker]
        fit, validation = [r for k, r in enumerate(others) if k % val_step], others[::val_step]
        scores[speaker] = evaluate(train(fit, validation), voice)
    return scores, float(np.mean(list(scores.values()))), min(scores, key=scores.get)


def test_leave_one_speaker_out_accepts_a_right_loop_and_refuses_leaks(capsys):
    lesson08.leave_one_speaker_out(loso)
    assert "✅" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="trained \\(or validated\\) on"):
        lesson08.leave_one_speaker_out(lambda *a: loso(*a, leak=True))
    with pytest.raises(ExerciseError, match="every tenth"):
        lesson08.leave_one_speaker_out(lambda *a: loso(*a, val_step=5))
    with pytest.raises(ExerciseError, match="not from a fixed list"):
        lesson08.leave_one_speaker_out(lambda *a: loso(*a, fixed=["george", "jackson"]))
    with pytest.raises(ExerciseError, match="worst speaker"):
        lesson08.leave_one_speaker_out(lambda *a: (lambda s, m, w: (s, m, max(s, key=s.get)))(*loso(*a)))
    assert lesson08.loso_function(loso) is loso


def distance(states, means, precision, *, kind="right"):
    """A learner's nearest_digit_distance, right by default, each kind one typical mistake."""
    diff = states[:, None, :] - means[None, :, :]                            # (N, C, H)
    if kind == "euclid":
        precision = np.eye(states.shape[1])
    every = np.einsum("nch,hk,nck->nc", diff, precision, diff)
    return {"every": every, "sqrt": np.sqrt(every.min(axis=1)), "farthest": every.max(axis=1)}.get(kind,
                                                                                                 every.min(axis=1))


def fit(states, labels, n_classes, val_states, flag_share, ridge=1e-3, *, kind="right"):
    """A learner's fit_detector, right by default."""
    means = np.stack([states[labels == c].mean(axis=0) for c in range(n_classes)])
    centred = states - (states.mean(axis=0) if kind == "overall" else means[labels])
    covariance = centred.T @ centred / (len(states) - (kind == "unbiased")) + ridge * np.eye(states.shape[1])
    precision = covariance if kind == "covariance" else np.linalg.inv(covariance)
    share = flag_share if kind == "quantile" else 1 - flag_share
    return means, precision, float(np.quantile(distance(val_states, means, precision), share))


def test_the_detector_is_accepted_and_goes_on_with_the_distance(capsys):
    lesson08.detector(fit, distance)
    assert "✅" in capsys.readouterr().out
    assert lesson08.detector_functions(fit, distance) == (fit, distance)
    assert lesson08.detector_functions(fit, lambda *a: None) == (lesson08.fit_detector_reference,
                                                                  lesson08.nearest_digit_distance_reference)


@pytest.mark.parametrize("kind, message", [
    ("euclid", "as if precision were the identity"), ("every", "to \\*every\\* digit"), ("sqrt", "square root"),
    ("farthest", "farthest"),
])
def test_the_distance_mistakes_are_named(kind, message):
    with pytest.raises(ExerciseError, match=message):
        lesson08.detector(fit, lambda s, m, p: distance(s, m, p, kind=kind))


@pytest.mark.parametrize("kind, message", [
    ("overall", "spread \\*within\\* each digit"), ("unbiased", "not N - 1"), ("covariance", "its inverse"),
    ("quantile", "1 - flag_share"),
])
def test_the_fitting_mistakes_are_named(kind, message):
    with pytest.raises(ExerciseError, match=message):
        lesson08.detector(lambda *a: fit(*a, kind=kind), distance)


def test_a_stub_is_not_done_yet_and_rnnlibs_own_is_refused(capsys):
    lesson08.detector(stub, stub)
    lesson08.leave_one_speaker_out(stub)
    assert capsys.readouterr().out.count("not done yet") == 2

    def delegating(states, labels, n_classes, val_states, flag_share):
        detector = NoveltyDetector.fit(states, labels, n_classes)
        return detector.means, detector.precision, detector.calibrate(val_states, flag_share=flag_share)

    with pytest.raises(ExerciseError, match="calls rnnlib.novelty.NoveltyDetector"):
        lesson08.detector(delegating, distance)
