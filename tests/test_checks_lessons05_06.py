"""The exercise checks of lessons 05 and 06 accept the reference solutions and explain typical wrong answers."""

import numpy as np
import pytest

from rnnlib.checks import ExerciseError, lesson05, lesson06
from helpers import stub



# --------------------------------------------------------------------------- lesson 05

def adam(p, g, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8, *, correct=True, eps_inside=False, in_place=False,
         square=True):
    """The textbook Adam step; the keyword switches make the usual mistakes."""
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * (g ** 2 if square else g)
    m_hat, s_hat = (m / (1 - beta1 ** t), s / (1 - beta2 ** t)) if correct else (m, s)
    with np.errstate(invalid="ignore"):
        step = lr * m_hat / (np.sqrt(s_hat + eps) if eps_inside else np.sqrt(s_hat) + eps)
    if in_place:
        p -= step
        return p, m, s
    return p - step, m, s


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
    lesson05.adam_update(adam)
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


@pytest.mark.parametrize("kwargs, message", [
    ({"correct": False}, "Correct both averages for their start at 0"), ({"eps_inside": True}, "after the square root"),
    ({"in_place": True}, "changed an array it was given"), ({"square": False}, "the \\*squared\\* gradient"),
])
def test_lesson05_adam_update_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson05.adam_update(lambda *a: adam(*a, **kwargs))


def test_lesson05_adam_update_equals_optim_adam_over_several_steps():
    """The lesson's claim: the textbook step, written by hand, is what optim.Adam does."""
    from rnnlib import optim
    from rnnlib.layers import Dense

    rng = np.random.default_rng(0)
    layer = Dense(3, 2, seed=0, dtype=np.float64)
    p, m, s = layer.params["W"].copy(), np.zeros((3, 2)), np.zeros((3, 2))
    adam_opt = optim.Adam([layer], lr=0.01)
    for t in range(1, 6):
        g = rng.standard_normal((3, 2))
        layer.grads = {"W": g.copy(), "b": np.zeros(2)}
        adam_opt.step()
        p, m, s = adam(p, g, m, s, t, 0.01)
        np.testing.assert_array_equal(p, layer.params["W"])


def test_lesson05_unattempted_exercises_are_not_done_yet(capsys):
    lesson05.adam_update(stub)
    lesson05.gradient_norms_back_in_time(stub)
    lesson05.clip_grad_norm(stub)
    lesson05.gradient_norms_back_in_time(lambda *a: ...)
    assert capsys.readouterr().out.count("not done yet") == 4


# --------------------------------------------------------------------------- lesson 06

def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def step_backward(dh, dc, cache, *, through_h=True, sum_b=True, order="ifgo", prev_f=True):
    """The reference step back; the keyword switches make the usual mistakes."""
    x_t, h_prev, c_prev, i, f, g, o, c, W_x, W_h = cache
    tanh_c = np.tanh(c)
    if through_h:
        dc = dc + dh * o * (1 - tanh_c ** 2)
    blocks = {"i": dc * g * i * (1 - i), "f": dc * c_prev * f * (1 - f), "g": dc * i * (1 - g ** 2),
              "o": dh * tanh_c * o * (1 - o)}
    da = np.concatenate([blocks[k] for k in order], axis=1)
    db = da.sum(axis=0) if sum_b else da[0]
    return da @ W_x.T, da @ W_h.T, dc * f if prev_f else dc, x_t.T @ da, h_prev.T @ da, db


def gru_forward(x, W_x, W_h, b_x, b_h, h0=None, mask=None):
    B, T, _ = x.shape
    H = W_h.shape[0]
    h = np.zeros((B, H)) if h0 is None else h0
    states = np.zeros((B, T, H))
    for t in range(T):
        ax, ah = x[:, t] @ W_x + b_x, h @ W_h + b_h
        r = sigmoid(ax[:, :H] + ah[:, :H])
        z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
        n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
        h_new = (1 - z) * n + z * h
        real = np.ones((B, 1), bool) if mask is None else mask[:, t, None]
        h = np.where(real, h_new, h)
        states[:, t] = np.where(real, h_new, 0.0)
    return states, h


def test_lesson06_accepts_the_reference_solutions(capsys):
    lesson06.lstm_step_backward(step_backward)
    lesson06.gru_forward(gru_forward)
    assert capsys.readouterr().out.count("✅") == 2


def test_lesson06_forward_step_matches_the_layer():
    from rnnlib.layers import LSTM

    rng = np.random.default_rng(0)
    layer = LSTM(3, 4, seed=0)
    x, h0, c0 = rng.standard_normal((2, 1, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    h, c, _ = lesson06.lstm_step_forward(x[:, 0], h0, c0, layer.params["W_x"], layer.params["W_h"], layer.params["b"])
    assert np.allclose(h, layer.forward(x, h0=h0, c0=c0)[:, 0]) and np.allclose(c, layer.last_cell)


@pytest.mark.parametrize("kwargs, message", [
    ({"through_h": False}, "path through h_t"),
    ({"sum_b": False}, "summed over the batch"),
    ({"order": "ifog"}, "candidate g, output gate o"),
    ({"prev_f": False}, "dc_prev is not right"),
])
def test_lesson06_lstm_step_backward_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson06.lstm_step_backward(lambda *a: step_backward(*a, **kwargs))


def test_lesson06_lstm_step_backward_wants_six_arrays_and_an_intact_cache():
    with pytest.raises(ExerciseError, match="six arrays"):
        lesson06.lstm_step_backward(lambda *a: step_backward(*a)[:5])

    def in_place(dh, dc, cache):
        out = step_backward(dh, dc, cache)
        cache[4][:] = 0.0
        return out

    with pytest.raises(ExerciseError, match="in place"):
        lesson06.lstm_step_backward(in_place)


@pytest.mark.parametrize("kwargs, message", [
    ({"swap_z": True}, "share of the \\*old\\* state"),
    ({"reset_bias": False}, "bias included"),
    ({"zero": False}, "output is zeros"),
    ({"keep": False}, "state must be kept"),
    ({"keep": False, "zero": False}, "runs through the padding"),
])
def test_lesson06_gru_forward_explains_wrong_answers(kwargs, message):
    from rnnlib.checks.lesson06 import _gru_reference

    with pytest.raises(ExerciseError, match=message):
        lesson06.gru_forward(lambda *a: _gru_reference(*a, **kwargs))


def test_lesson06_gru_forward_uses_h0():
    with pytest.raises(ExerciseError, match="Start from h0"):
        lesson06.gru_forward(lambda x, *p, h0=None, mask=None: gru_forward(x, *p, None, mask) if len(p) == 4
                             else gru_forward(x, *p[:4], None, p[5]))


def test_lesson06_unattempted_exercises_are_not_done_yet(capsys):
    lesson06.lstm_step_backward(stub)
    lesson06.gru_forward(stub)
    assert capsys.readouterr().out.count("not done yet") == 2
