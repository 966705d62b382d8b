"""The exercise checks of lessons 03 and 04 accept the reference solutions and explain typical wrong answers."""
import numpy as np
import pytest

from rnnlib.checks import ExerciseError, lesson03


# --------------------------------------------------------------------------- lesson 03

def forward(x, W_xh, W_hh, b_h, h0=None, mask=None, *, keep=True, zero=True, use_h0=True):
    """The reference loop; the keyword switches make the usual mistakes."""
    B, T, _ = x.shape
    H = W_hh.shape[0]
    h = np.zeros((B, H)) if h0 is None or not use_h0 else h0
    real_all = np.ones((B, T), bool) if mask is None else mask
    states = np.zeros((B, T, H))
    for t in range(T):
        h_new = np.tanh(x[:, t] @ W_xh + h @ W_hh + b_h)
        real = real_all[:, t, None]
        h = np.where(real, h_new, h) if keep else h_new
        states[:, t] = np.where(real, h_new, 0.0) if zero else h
    return states, h


def classify(x, mask, p, W_hy, b_y, *, stable=True, last="real", per_row=True):
    states, h = forward(x, p["W_xh"], p["W_hh"], p["b_h"], mask=mask)
    scores = (h if last == "real" else states[:, -1]) @ W_hy + b_y
    if stable:
        scores = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    return e / (e.sum(axis=-1, keepdims=True) if per_row else e.sum())


def test_lesson03_accepts_the_reference_solutions(capsys):
    lesson03.rnn_forward(forward)
    lesson03.classify(classify)
    assert capsys.readouterr().out.count("✅") == 2


@pytest.mark.parametrize("wrong, message", [
    (lambda *a, **k: forward(*a, **k)[0], "expected a pair"),
    (lambda x, Wx, Wh, b, h0=None, mask=None: forward(x, Wx, Wh, b, h0), "unmasked run"),
    (lambda *a: forward(*a, use_h0=False), "start from zeros"),
    (lambda *a: forward(*a, zero=False), "padded steps are not zero"),
    (lambda *a: forward(*a, keep=False), "running through the padding"),
    (lambda *a: (forward(*a)[0], forward(*a)[0][:, -1]), "final, padded position"),
    (lambda *a: (np.concatenate([np.zeros_like(forward(*a)[0][:, :1]), forward(*a)[0]], 1), forward(*a)[1]),
     "one step too many"),
    (lambda x, Wx, Wh, b, h0=None, mask=None: (forward(x, Wx.T.T, Wh.T, b, h0, mask)), "rnn_forward with"),
])
def test_lesson03_rnn_forward_explains_wrong_answers(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        lesson03.rnn_forward(wrong)


def test_lesson03_rnn_forward_refuses_to_change_its_inputs():
    def in_place(x, W_xh, W_hh, b_h, h0=None, mask=None):
        states, last = forward(x, W_xh, W_hh, b_h, h0, mask)
        if h0 is not None:
            h0[:] = last
        return states, last

    with pytest.raises(ExerciseError, match="in place"):
        lesson03.rnn_forward(in_place)


@pytest.mark.parametrize("kwargs, message", [
    ({"stable": False}, "subtract each row's largest score"),
    ({"last": "padded"}, "final, padded position"),
    ({"per_row": False}, "sum to 1"),
])
def test_lesson03_classify_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson03.classify(lambda *a: classify(*a, **kwargs))


def test_lesson03_classify_spots_raw_scores_and_an_ignored_mask():
    def scores(x, mask, p, W_hy, b_y):
        return forward(x, p["W_xh"], p["W_hh"], p["b_h"], mask=mask)[1] @ W_hy + b_y

    with pytest.raises(ExerciseError, match="raw scores"):
        lesson03.classify(scores)
    with pytest.raises(ExerciseError, match="padding as if it were speech"):
        lesson03.classify(lambda x, mask, *a: classify(x, np.ones_like(mask), *a))


def test_lesson03_unattempted_exercises_are_not_done_yet(capsys):
    def stub(*args):
        raise NotImplementedError()

    lesson03.rnn_forward(stub)
    lesson03.classify(stub)
    lesson03.rnn_forward(lambda *a: None)
    assert capsys.readouterr().out.count("not done yet") == 3
