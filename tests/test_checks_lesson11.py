"""The exercise checks of lesson 11 accept right answers and explain wrong ones (no framework needed)."""
import numpy as np
import pytest

from rnnlib import dtw, frameworks
from rnnlib.checks import ExerciseError, lesson11
from helpers import stub


# rnnlib's own functions under other names: the checks refuse an answer that calls them by name, as a learner's would.
course_dtw_path = dtw.dtw_path
course_keras_weights = frameworks.keras_weights



def test_right_answers_pass_and_stubs_are_not_done_yet(capsys):
    lesson11.dtw_path(dtw.dtw_path)
    lesson11.keras_weights(frameworks.keras_weights)
    assert capsys.readouterr().out.count("✅") == 2
    lesson11.dtw_path(stub)
    lesson11.keras_weights(stub)
    assert capsys.readouterr().out.count("not done yet") == 2


def test_wrong_dtw_is_explained():
    def unnormalized(a, b):
        distance, path = course_dtw_path(a, b)
        return distance * (len(a) + len(b)), path

    def unreversed(a, b):
        distance, path = course_dtw_path(a, b)
        return distance, path[::-1]

    def diagonal_walk(a, b):
        distance, _ = course_dtw_path(a, b)
        n = max(len(a), len(b))
        return distance, [(min(k, len(a) - 1), min(k, len(b) - 1)) for k in range(n)]

    def two_moves(a, b):                                  # forgets the move "stay on a frame of a"
        cost = np.linalg.norm(a[:, None] - b[None], axis=-1)
        D = np.full((len(a) + 1, len(b) + 1), np.inf)
        D[0, 0] = 0
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                D[i, j] = cost[i - 1, j - 1] + min(D[i - 1, j], D[i - 1, j - 1])
        return D[-1, -1] / (len(a) + len(b)), [(0, 0)]

    with pytest.raises(ExerciseError, match="divide it by"):
        lesson11.dtw_path(unnormalized)
    with pytest.raises(ExerciseError, match="start at"):
        lesson11.dtw_path(unreversed)
    with pytest.raises(ExerciseError, match="cheapest"):
        lesson11.dtw_path(diagonal_walk)
    with pytest.raises(ExerciseError, match="should be"):
        lesson11.dtw_path(two_moves)


def test_wrong_weight_transfers_are_explained():
    def gru_unordered(model):
        out = []
        for layer in model.recurrent:
            p = layer.params
            out += [p["W_x"], p["W_h"], np.stack([p["b_x"], p["b_h"]])] if "b_x" in p else [p["W_x"], p["W_h"], p["b"]]
        return out + [model.readout.params["W"], model.readout.params["b"]]

    def gru_one_bias(model):
        return [w if w.ndim != 2 or w.shape[0] != 2 else w.sum(0) for w in course_keras_weights(model)]

    with pytest.raises(ExerciseError, match="r, z, n"):
        lesson11.keras_weights(gru_unordered)
    with pytest.raises(ExerciseError, match="stacked"):
        lesson11.keras_weights(gru_one_bias)
    with pytest.raises(ExerciseError, match="expects 8 arrays"):
        lesson11.keras_weights(lambda model: course_keras_weights(model)[:-1])


def test_the_lesson_goes_on_with_the_reference_until_yours_passes(capsys):
    assert lesson11.dtw_function(stub) is dtw.dtw_path
    assert lesson11.weights_function(stub) is frameworks.keras_weights
    assert capsys.readouterr().out.count("not finished yet") == 2
