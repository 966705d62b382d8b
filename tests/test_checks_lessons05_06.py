"""The exercise checks of lessons 05 and 06 accept the reference solutions and explain typical wrong answers."""
from types import SimpleNamespace

import numpy as np
import pytest

from rnnlib.checks import ExerciseError, lesson05, lesson06


def stub(*args):
    raise NotImplementedError()


# --------------------------------------------------------------------------- lesson 05

def steps_until(factor, threshold):
    k = 0
    while factor ** k >= threshold:
        k += 1
    return k


def norms_back(rnn, x, dlast, *, slopes=True, transpose=True, per_sequence=True, reverse=True):
    """The reference walk back in time; the keyword switches make the usual mistakes."""
    h = rnn.forward(x)
    B, T, H = h.shape
    W = rnn.params["W_hh"].T if transpose else rnn.params["W_hh"]
    delta, norms = dlast, np.empty(T)
    for k in range(T):
        t = T - 1 - k
        norms[k] = np.linalg.norm(delta, axis=1).mean() if per_sequence else np.linalg.norm(delta)
        delta = (delta * ((1 - h[:, t] ** 2) if slopes else 1.0)) @ W
    return norms if reverse else norms[::-1]


def norms_with_the_layer(rnn, x, dlast):
    """Another right answer: let layers.RNN.backward do the walk and read its dstates."""
    rnn.forward(x)
    rnn.backward(np.zeros((*x.shape[:2], rnn.hidden_size)), dlast=dlast)
    return np.linalg.norm(rnn.dstates, axis=2).mean(axis=0)[::-1]


def clip(layers, max_norm, *, per_array=False, in_place=True, after=False, always=False):
    """The reference clipping; the keyword switches make the usual mistakes."""
    arrays = [(layer, name) for layer in layers for name in layer.grads]
    total = np.sqrt(sum(np.sum(layer.grads[name] ** 2) for layer, name in arrays))
    for layer, name in arrays:
        g = layer.grads[name]
        norm = np.linalg.norm(g) if per_array else total
        scale = max_norm / norm if always else min(1.0, max_norm / norm)
        if in_place:
            layer.grads[name] = g * scale
    return min(total, max_norm) if after else total


def test_lesson05_accepts_the_reference_solutions(capsys):
    lesson05.steps_until(steps_until)
    lesson05.gradient_norms_back_in_time(norms_back)
    lesson05.gradient_norms_back_in_time(norms_with_the_layer)
    lesson05.clip_grad_norm(clip)

    def clip_arrays_in_place(layers, max_norm):
        total = np.sqrt(sum(np.sum(g ** 2) for layer in layers for g in layer.grads.values()))
        if total > max_norm:
            for layer in layers:
                for g in layer.grads.values():
                    g *= max_norm / total
        return total

    lesson05.clip_grad_norm(clip_arrays_in_place)
    assert capsys.readouterr().out.count("✅") == 5


@pytest.mark.parametrize("kwargs, message", [
    ({"reverse": False}, "counted back from the loss"),
    ({"slopes": False}, "tanh slope"),
    ({"transpose": False}, "transposed"),
    ({"per_sequence": False}, "one norm per sequence"),
])
def test_lesson05_gradient_norms_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson05.gradient_norms_back_in_time(lambda *a: norms_back(*a, **kwargs))


def test_lesson05_gradient_norms_wants_one_norm_per_step():
    with pytest.raises(ExerciseError, match="one norm per step"):
        lesson05.gradient_norms_back_in_time(lambda *a: norms_back(*a)[:-1])
    with pytest.raises(ExerciseError, match="forget `return"):
        lesson05.gradient_norms_back_in_time(lambda *a: None)


@pytest.mark.parametrize("kwargs, message", [
    ({"per_array": True}, "One norm over all arrays"),
    ({"in_place": False}, "Clip in place"),
    ({"after": True}, "norm after clipping"),
    ({"always": True}, "already below max_norm"),
])
def test_lesson05_clip_grad_norm_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson05.clip_grad_norm(lambda *a: clip(*a, **kwargs))


def test_lesson05_clip_grad_norm_wants_the_norm_back():
    with pytest.raises(ExerciseError, match="returned None"):
        lesson05.clip_grad_norm(lambda *a: (clip(*a), None)[1])


def test_lesson05_unattempted_exercises_are_not_done_yet(capsys):
    lesson05.steps_until(stub)
    lesson05.gradient_norms_back_in_time(stub)
    lesson05.clip_grad_norm(stub)
    lesson05.gradient_norms_back_in_time(lambda *a: ...)
    assert capsys.readouterr().out.count("not done yet") == 4


# --------------------------------------------------------------------------- lesson 06

def test_lesson06_old(capsys):
    sig = lambda a: 1 / (1 + np.exp(-a))

    def lstm_step(x, h, c, Wx, Wh, b):
        H = h.shape[1]
        a = x @ Wx + h @ Wh + b
        c = sig(a[:, H:2 * H]) * c + sig(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
        return sig(a[:, 3 * H:]) * np.tanh(c), c

    lesson06.lstm_step(lstm_step)
