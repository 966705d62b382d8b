"""Checks for lesson 08, A voice it has never heard."""
from __future__ import annotations

import numpy as np

from ..datasets import Recording
from ..novelty import NoveltyDetector
from ._core import ExerciseError, NotDoneYet, _fmt, call, exercise, not_attempted, passed, quietly, yours_or_reference

__all__ = ["leave_one_speaker_out_reference", "leave_one_speaker_out", "loso_function",
           "nearest_digit_distance_reference", "fit_detector_reference", "detector", "detector_functions"]


def leave_one_speaker_out_reference(recordings, train, evaluate):
    """rnnlib's answer to exercise 1: ``({speaker: score}, mean score, worst speaker)``."""
    scores = {}
    for speaker in sorted({r.speaker for r in recordings}):
        others = [r for r in recordings if r.speaker != speaker]
        fit, validation = [r for k, r in enumerate(others) if k % 10], others[::10]
        scores[speaker] = float(evaluate(train(fit, validation), [r for r in recordings if r.speaker == speaker]))
    return scores, float(np.mean(list(scores.values()))), min(scores, key=scores.get)


def _made_up_recordings():
    """Recordings of four made-up speakers with different numbers of takes (no file is ever read)."""
    from pathlib import Path
    out = []
    for speaker, takes in (("ada", 3), ("bo", 2), ("cy", 4), ("dee", 1)):
        out += [Recording(d, speaker, k, Path(f"{d}_{speaker}_{k}.wav")) for k in range(takes) for d in range(10)]
    return out


@exercise("leave_one_speaker_out")
def leave_one_speaker_out(fn) -> None:
    """Exercise 1: ``fn(recordings, train, evaluate)`` → ``({speaker: score}, mean, worst speaker)``."""
    recordings = _made_up_recordings()
    calls = []

    def train(fit, validation):
        calls.append(("train", list(fit), list(validation), f"model {len(calls)}"))
        return calls[-1][3]                                   # a "model": the name of the call that made it

    def evaluate(model, voice):
        calls.append(("evaluate", model, list(voice)))
        return 0.5 + 0.01 * len(voice)                        # a different score for each voice

    got = call(fn, (list(recordings), train, evaluate), "leave_one_speaker_out with four made-up speakers")
    if not_attempted(got):
        raise NotDoneYet
    base = "leave_one_speaker_out with speakers ada, bo, cy, dee"
    speakers = ["ada", "bo", "cy", "dee"]
    trained = [c for c in calls if c[0] == "train"]
    evaluated = [c for c in calls if c[0] == "evaluate"]
    if len(trained) != 4 or len(evaluated) != 4:
        raise ExerciseError(f"{base}: expected one training and one test per speaker (4 each), got {len(trained)} "
                            f"and {len(evaluated)}. Find the speakers from the recordings, not from a fixed list.")
    for (_, fit, validation, made), (_, model, voice) in zip(trained, evaluated):
        if model != made:
            raise ExerciseError(f"{base}: evaluate was given {model!r}, not the model that train had just returned "
                                f"({made!r}). Test the model of the same round.")
        tested = {r.speaker for r in voice}
        if len(tested) != 1:
            raise ExerciseError(f"{base}: one test set holds speakers {sorted(tested)}; each round tests exactly "
                                "one voice, all of its recordings.")
        speaker = tested.pop()
        if len(voice) != sum(r.speaker == speaker for r in recordings):
            raise ExerciseError(f"{base}: {speaker}'s test had {len(voice)} recordings of "
                                f"{sum(r.speaker == speaker for r in recordings)}; test on every one of them.")
        leaked = [r for r in fit + validation if r.speaker == speaker]
        if leaked:
            raise ExerciseError(f"{base}: the round that tests {speaker} trained (or validated) on "
                                f"{len(leaked)} of {speaker}'s recordings, e.g. {leaked[0].path.name}. Leave the "
                                "whole voice out of training, or the test is not of a voice never heard.")
        others = [r for r in recordings if r.speaker != speaker]
        if {r.path.name for r in fit} & {r.path.name for r in validation}:
            raise ExerciseError(f"{base}: some recordings are in both the training and the validation set of "
                                f"{speaker}'s round; they must be apart.")
        if sorted(r.path.name for r in fit + validation) != sorted(r.path.name for r in others):
            raise ExerciseError(f"{base}: in {speaker}'s round, training and validation together should be every "
                                "recording of the other speakers, each once.")
        want_val = {r.path.name for r in others[::10]}
        if {r.path.name for r in validation} != want_val:
            raise ExerciseError(f"{base}: the validation set should be every tenth of the other speakers' "
                                "recordings (others[::10]), the rest for training.")
    if not (isinstance(got, tuple) and len(got) == 3 and isinstance(got[0], dict)):
        raise ExerciseError(f"{base}: return a triple (scores, mean, worst): a dict speaker → score, the mean "
                            f"score and the worst speaker's name; got {type(got).__name__}.")
    scores, mean, worst = got
    if sorted(scores) != speakers:
        raise ExerciseError(f"{base}: scores should have one entry per speaker, {speakers}; got {sorted(scores)}.")
    values = {s: v for s, v in scores.items()}
    if not np.isclose(float(mean), np.mean(list(values.values()))):
        raise ExerciseError(f"{base}: the mean should be the mean of the scores, {np.mean(list(values.values())):.4f}; "
                            f"got {float(mean):.4f}.")
    if worst != min(values, key=values.get):
        raise ExerciseError(f"{base}: the worst speaker is the one with the lowest score, "
                            f"{min(values, key=values.get)}; got {worst!r}.")
    passed("Right: every voice left out in turn, all of it tested, none of it trained or validated on. That is the "
           "honest test.")


def loso_function(yours):
    """The leave-one-speaker-out loop the lesson goes on with: yours if it passes, else rnnlib's."""
    return yours_or_reference(yours, leave_one_speaker_out_reference, leave_one_speaker_out, "leave_one_speaker_out")


def nearest_digit_distance_reference(states, means, precision) -> np.ndarray:
    """rnnlib's answer to exercise 1: ``(N,)`` squared Mahalanobis distance of each state to the nearest mean."""
    return NoveltyDetector(means, precision).score(states)


def _cases():
    """(description, states (N, H), means (C, H), precision (H, H)), with a precision far from the identity."""
    rng = np.random.default_rng(80)
    cases = []
    for N, C, H in ((1, 2, 2), (5, 3, 4), (7, 10, 6)):
        A = rng.standard_normal((H, H))
        covariance = A @ A.T / H + 0.1 * np.eye(H)                    # tilted and stretched, like real states
        means = rng.standard_normal((C, H)) * 2
        states = means[rng.integers(0, C, N)] + rng.standard_normal((N, H)) @ np.linalg.cholesky(covariance).T
        cases.append((f"{N} states of {H} numbers, {C} digits", states, means, np.linalg.inv(covariance)))
    return cases


def _check_distance(fn) -> None:
    """``fn(states (N, H), means (C, H), precision (H, H))`` → ``(N,)`` squared distances to the nearest mean."""
    for what, states, means, precision in _cases():
        given = (states.copy(), means.copy(), precision.copy())
        got = call(fn, given, f"nearest_digit_distance with {what}")
        if not_attempted(got):
            raise NotDoneYet
        base = f"nearest_digit_distance with {what}"
        want = nearest_digit_distance_reference(states, means, precision)
        got = np.asarray(got, dtype=np.float64)
        diff = states[:, None, :] - means[None]                                    # (N, C, H)
        every = np.einsum("nch,hk,nck->nc", diff, precision, diff)                 # (N, C)
        if got.shape == every.shape and every.shape != want.shape and np.allclose(got, every, rtol=1e-6):
            raise ExerciseError(f"{base}: you returned the distance to *every* digit, shape {got.shape}. The "
                                "detector needs one number per state: the distance to the nearest digit.")
        if got.shape != want.shape:
            raise ExerciseError(f"{base}: expected one number per state, shape {want.shape}; got shape {got.shape}.")
        if np.allclose(got, want, rtol=1e-6, atol=1e-9):
            continue
        euclid = (diff ** 2).sum(axis=-1)
        if np.allclose(got, euclid.min(axis=1), rtol=1e-6):
            raise ExerciseError(f"{base}: these are ordinary squared distances, as if precision were the identity. "
                                "Put the precision between the two differences: (s - μ) P (s - μ)ᵀ.")
        if np.allclose(got, np.sqrt(want), rtol=1e-6):
            raise ExerciseError(f"{base}: you took the square root. The detector compares the *squared* distance "
                                "d² with its threshold.")
        if np.allclose(got, every.max(axis=1), rtol=1e-6):
            raise ExerciseError(f"{base}: this is the distance to the *farthest* digit; the detector wants the "
                                "nearest (the smallest of the C distances).")
        if np.allclose(got, every.mean(axis=1), rtol=1e-6):
            raise ExerciseError(f"{base}: this is the mean over the digits; the detector wants the nearest (the "
                                "smallest).")
        raise ExerciseError(f"{base}: expected {_fmt(want)}, got {_fmt(got)}. For each state s and each digit c: "
                            "d = s - μ_c, then d P dᵀ; keep the smallest over c.")


def fit_detector_reference(states, labels, n_classes, val_states, flag_share, ridge=1e-3):
    """rnnlib's answer to exercise 2's second half: ``(means (C, H), precision (H, H), threshold)``."""
    detector = NoveltyDetector.fit(states, labels, n_classes, ridge=ridge)
    return detector.means, detector.precision, detector.calibrate(val_states, flag_share=flag_share)


def _check_fit(fit, distance) -> None:
    rng = np.random.default_rng(81)
    for C, H, N, share in ((3, 2, 60, 0.1), (10, 5, 400, 0.03)):
        means = rng.standard_normal((C, H)) * 3
        A = rng.standard_normal((H, H))
        labels = rng.integers(0, C, N)
        labels[:C] = np.arange(C)                                           # every class at least once
        states = means[labels] + rng.standard_normal((N, H)) @ A.T
        val = means[rng.integers(0, C, 50)] + rng.standard_normal((50, H)) @ A.T
        base = f"fit_detector on {N} states of {H} numbers, {C} digits, flag_share={share}"
        got = call(fit, (states.copy(), labels.copy(), C, val.copy(), share), base)
        if not_attempted(got):
            raise NotDoneYet
        if not (isinstance(got, tuple) and len(got) == 3):
            raise ExerciseError(f"{base}: return a triple (means, precision, threshold); got {type(got).__name__}.")
        got_means, got_precision, got_threshold = (np.asarray(got[0], float), np.asarray(got[1], float),
                                                   float(got[2]))
        want_means, want_precision, want_threshold = fit_detector_reference(states, labels, C, val, share)
        if got_means.shape != (C, H) or not np.allclose(got_means, want_means, rtol=1e-6, atol=1e-9):
            raise ExerciseError(f"{base}: means should be ({C}, {H}), row c the mean of the states of class c; "
                                f"got shape {got_means.shape}" + ("." if got_means.shape != (C, H) else
                                                                  " with different values."))
        if got_precision.shape != (H, H) or not np.allclose(got_precision, want_precision, rtol=1e-5, atol=1e-8):
            hint = "Centre each state on its own class's mean, Σ = centredᵀ centred / N + ridge · I, P = Σ⁻¹."
            if got_precision.shape == (H, H):
                centred = states - want_means[labels]
                unbiased = np.linalg.inv(centred.T @ centred / (N - 1) + 1e-3 * np.eye(H))
                overall = np.linalg.inv(np.cov(states.T, bias=True) + 1e-3 * np.eye(H))
                if np.allclose(got_precision, np.linalg.inv(want_precision), rtol=1e-5):
                    hint = "This is the covariance itself; the precision is its inverse (np.linalg.inv)."
                elif np.allclose(got_precision, unbiased, rtol=1e-5):
                    hint = "Divide by N, the number of states, as rnnlib does (not N - 1)."
                elif np.allclose(got_precision, overall, rtol=1e-5):
                    hint = ("This is the spread of all the states around their overall mean. The detector needs "
                            "the spread *within* each digit: centre each state on its own class's mean.")
            raise ExerciseError(f"{base}: the precision differs from rnnlib's. {hint}")
        if not np.isclose(got_threshold, want_threshold, rtol=1e-6):
            hint = ("Put it where flag_share of the validation distances lie above: np.quantile(distances, "
                    "1 - flag_share).")
            if np.isclose(got_threshold, np.quantile(distance(val, want_means, want_precision), share), rtol=1e-6):
                hint = "That is the quantile at flag_share: the threshold is the one at 1 - flag_share."
            raise ExerciseError(f"{base}: the threshold should be {want_threshold:.4g}, got {got_threshold:.4g}. "
                                f"{hint}")


@exercise("nearest_digit_distance and fit_detector", not_by=("rnnlib.novelty.NoveltyDetector",))
def detector(fit, distance) -> None:
    """Exercise 2: ``distance(states, means, precision)`` → ``(N,)``; ``fit(states, labels, C, val_states,
    flag_share)`` → ``(means, precision, threshold)``."""
    _check_distance(distance)
    _check_fit(fit, distance)
    passed("Right: the digits' clouds and their shared spread from the training states, the threshold from "
           "validation digits, and for every state how many spreads away it lies from the nearest digit.")


def detector_functions(fit, distance):
    """The pair the lesson goes on with, ``(fit_detector, nearest_digit_distance)``: yours if they pass, else
    rnnlib's."""
    if quietly(detector, fit, distance) is not None:
        print("Your nearest_digit_distance and fit_detector are not finished yet, so what follows uses the course's "
              "own. (Finish the exercise and run this cell again to use yours.)")
        return fit_detector_reference, nearest_digit_distance_reference
    print("What follows uses your own nearest_digit_distance and fit_detector.")
    return fit, distance
