"""The exercise checks of lessons 03 and 04 accept the reference solutions and explain typical wrong answers."""
import numpy as np
import pytest

from rnnlib import features
from rnnlib.checks import ExerciseError, lesson03
from helpers import stub


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


def classify(sequences, p, W_hy, b_y, *, stable=True, last="real", per_row=True, masked=True, first_sets_T=False,
             order=None):
    """The reference path (pad with a mask, forward, readout, stable softmax); the switches make the usual mistakes."""
    lengths = [len(s) for s in sequences]
    T = lengths[0] if first_sets_T else max(lengths)
    x = np.zeros((len(sequences), T, sequences[0].shape[1]))
    mask = np.zeros((len(sequences), T), dtype=bool)
    for b, s in enumerate(sequences):
        x[b, :len(s)] = s
        mask[b, :len(s)] = True
    if not masked:
        mask[:] = True
    states, h = forward(x, p["W_xh"], p["W_hh"], p["b_h"], mask=mask)
    scores = (h if last == "real" else states[:, -1]) @ W_hy + b_y
    if stable:
        scores = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(scores)
    probs = e / (e.sum(axis=-1, keepdims=True) if per_row else e.sum())
    return probs if order is None else probs[order(lengths)]


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
    ({"masked": False}, "padding as if it were speech"),
    ({"first_sets_T": True}, "need not be the first"),
    ({"order": np.argsort}, "in another order"),
])
def test_lesson03_classify_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson03.classify(lambda *a: classify(*a, **kwargs))


def test_lesson03_classify_spots_raw_scores_a_wrong_shape_and_a_changed_list():
    def scores(sequences, p, W_hy, b_y):
        T = max(len(s) for s in sequences)
        x, mask = np.zeros((len(sequences), T, sequences[0].shape[1])), np.zeros((len(sequences), T), bool)
        for row, s in enumerate(sequences):
            x[row, :len(s)], mask[row, :len(s)] = s, True
        return forward(x, p["W_xh"], p["W_hh"], p["b_h"], mask=mask)[1] @ W_hy + b_y

    def sorts_the_list(sequences, *a):
        sequences.sort(key=len)
        return classify(sequences, *a)

    with pytest.raises(ExerciseError, match="raw scores"):
        lesson03.classify(scores)
    with pytest.raises(ExerciseError, match=r"shape \(B, O\)"):
        lesson03.classify(lambda *a: classify(*a)[0])
    with pytest.raises(ExerciseError, match="changed the list"):
        lesson03.classify(sorts_the_list)


def test_lesson03_classify_asks_for_padding_and_softmax_written_by_hand():
    def with_rnnlib(sequences, p, W_hy, b_y):
        x, mask = features.pad_sequences(sequences)
        return losses.softmax(forward(x, p["W_xh"], p["W_hh"], p["b_h"], mask=mask)[1] @ W_hy + b_y)

    with pytest.raises(ExerciseError, match="calls rnnlib.features.pad_sequences, which does what this exercise asks"):
        lesson03.classify(with_rnnlib)


def test_lesson03_unattempted_exercises_are_not_done_yet(capsys):
    lesson03.rnn_forward(stub)
    lesson03.classify(stub)
    lesson03.rnn_forward(lambda *a: None)
    assert capsys.readouterr().out.count("not done yet") == 3


# --------------------------------------------------------------------------- lesson 04

from rnnlib import losses  # noqa: E402
from rnnlib.checks import lesson04  # noqa: E402


def numeric(f, array, eps=1e-6, *, one_sided=False, restore=True, halve=True, copy=False):
    target = array.copy() if copy else array
    flat, grad = target.reshape(-1), np.zeros(array.size)
    for i in range(array.size):
        old = flat[i]
        flat[i] = old + eps
        up = f()
        flat[i] = old if one_sided else old - eps
        down = f()
        if restore:
            flat[i] = old
        grad[i] = (up - down) / ((2 if halve and not one_sided else 1) * eps)
    return grad.reshape(array.shape)


def backward(dh_out, x, hs, W_xh, W_hh, *, later=True, tanh=True, shift=0, in_place=False, h0=True):
    """A learner's rnn_backward, right with the defaults, each switch one typical mistake.

    Written out here rather than borrowed from the check's own ``_bptt``, so the test does not grade the
    check with the check's code (and it has two more mistakes the check never builds itself).
    """
    B, T, _ = x.shape
    g = {"W_xh": np.zeros_like(W_xh), "W_hh": np.zeros_like(W_hh), "b_h": np.zeros(W_hh.shape[0]),
         "x": np.zeros_like(x)}
    da_next = np.zeros_like(hs[:, 0])
    for t in reversed(range(T)):
        if in_place:
            dh = dh_out[:, t]
            dh += da_next @ W_hh.T
        else:
            dh = dh_out[:, t] + (da_next @ W_hh.T if later else 0)
        da = dh * (1 - hs[:, t + 1] ** 2) if tanh else dh
        g["W_xh"] += x[:, t].T @ da
        g["W_hh"] += hs[:, t + shift].T @ da
        g["b_h"] += da.sum(axis=0)
        g["x"][:, t] = da @ W_xh.T
        da_next = da
    g["h0"] = da_next @ W_hh.T if h0 else da_next
    return g


def cross_entropy(logits, y, *, stable=True, mean=True, onehot=True):
    z = logits - logits.max(axis=1, keepdims=True) if stable else logits
    with np.errstate(all="ignore"):
        log_p = (z - np.log(np.exp(z).sum(axis=1, keepdims=True)) if stable
                 else np.log(np.exp(z) / np.exp(z).sum(1, keepdims=True)))
    B = len(y)
    loss = -log_p[np.arange(B), y].sum() / (B if mean else 1)
    d = np.exp(log_p)
    if onehot:
        d[np.arange(B), y] -= 1
    return loss, d / (B if mean else 1)


def test_lesson04_accepts_the_reference_solutions(capsys):
    lesson04.numeric_gradient(numeric)
    lesson04.rnn_backward(backward)
    lesson04.softmax_cross_entropy(cross_entropy)
    assert capsys.readouterr().out.count("✅") == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"one_sided": True}, "one-sided"), ({"restore": False}, "Put every entry back"),
    ({"halve": False}, "twice the right ones"), ({"copy": True}, "never saw your nudges"),
])
def test_lesson04_numeric_gradient_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson04.numeric_gradient(lambda f, a, eps: numeric(f, a, eps, **kwargs))
    with pytest.raises(ExerciseError, match="Use the eps you are given"):
        lesson04.numeric_gradient(lambda f, a, eps: numeric(f, a, 1e-6))


@pytest.mark.parametrize("kwargs, message", [
    ({"later": False}, "'later' path"), ({"tanh": False}, "skips the tanh"), ({"shift": 1}, "previous"),
    ({"in_place": True}, "in place"), ({"h0": False}, "Only h0 is off"),
])
def test_lesson04_rnn_backward_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson04.rnn_backward(lambda *a: backward(*a, **kwargs))


def test_lesson04_rnn_backward_asks_for_every_gradient():
    with pytest.raises(ExerciseError, match=r"no gradient for \['h0'\]"):
        lesson04.rnn_backward(lambda *a: {k: v for k, v in backward(*a).items() if k != "h0"})
    with pytest.raises(ExerciseError, match="Sum the bias gradient over the batch"):
        lesson04.rnn_backward(lambda *a: {**backward(*a), "b_h": np.ones((a[1].shape[0], a[4].shape[0]))})


@pytest.mark.parametrize("kwargs, message", [
    ({"stable": False}, "inf or nan"), ({"mean": False}, "sum over the batch"),
    ({"onehot": False}, "Your loss is right, and a numeric gradient of it gives the expected dlogits.*p alone"),
])
def test_lesson04_softmax_cross_entropy_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson04.softmax_cross_entropy(lambda z, y: cross_entropy(z, y, **kwargs))


def test_lesson04_fallbacks_and_not_done_yet(capsys):
    for check in (lesson04.numeric_gradient, lesson04.rnn_backward, lesson04.softmax_cross_entropy):
        check(stub)
    assert capsys.readouterr().out.count("not done yet") == 3
    assert lesson04.backward_function(stub) is lesson04.rnn_backward_reference
    assert lesson04.numeric_function(numeric) is numeric
    rng = np.random.default_rng(0)
    x, W_xh, W_hh = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 4)), rng.standard_normal((4, 4))
    hs = lesson04.forward_states(x, W_xh, W_hh, np.zeros(4), np.zeros((2, 4)))
    dh = rng.standard_normal((2, 3, 4))
    for key, value in lesson04.rnn_backward_reference(dh, x, hs, W_xh, W_hh).items():
        np.testing.assert_allclose(value, backward(dh, x, hs, W_xh, W_hh)[key])
    z, y = rng.standard_normal((4, 3)), np.array([0, 2, 1, 1])
    assert np.isclose(cross_entropy(z, y)[0], losses.softmax_cross_entropy(z, y)[0])


def train_loop(x, y, params, lr, steps, backward, *, after=False, sign=1.0, skip=(), readout_sum=True):
    """A learner's train_rnn, right with the defaults, each switch one typical mistake."""
    B, H = x.shape[0], params["W_hh"].shape[0]
    history = []
    for _ in range(steps):
        hs = lesson04.forward_states(x, params["W_xh"], params["W_hh"], params["b_h"], np.zeros((B, H)))
        h = hs[:, 1:]
        loss, dy = losses.mean_squared_error(h @ params["W_hy"] + params["b_y"], y)
        grads = backward(dy @ params["W_hy"].T, x, hs, params["W_xh"], params["W_hh"])
        grads["W_hy"] = (h.reshape(-1, H).T @ dy.reshape(-1, dy.shape[-1]) if readout_sum
                         else h[:, -1].T @ dy[:, -1])                      # only the last step's share
        grads["b_y"] = dy.sum(axis=(0, 1))
        for name in ("W_xh", "W_hh", "b_h", "W_hy", "b_y"):
            if name not in skip:
                params[name] -= sign * lr * grads[name]
        if after:
            hs = lesson04.forward_states(x, params["W_xh"], params["W_hh"], params["b_h"], np.zeros((B, H)))
            loss = losses.mean_squared_error(hs[:, 1:] @ params["W_hy"] + params["b_y"], y)[0]
        history.append(loss)
    return history


def test_lesson04_train_rnn_accepts_a_right_loop_and_equals_rnnlibs_layers(capsys):
    lesson04.train_rnn(train_loop)
    assert "✅" in capsys.readouterr().out
    from rnnlib import layers, optim
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((4, 7, 1)), rng.standard_normal((4, 7, 1))
    rnn, readout = layers.RNN(1, 5, seed=0), layers.Dense(5, 1, seed=0)
    params = {**{k: v.copy() for k, v in rnn.params.items()}, "W_hy": readout.params["W"].copy(),
              "b_y": readout.params["b"].copy()}
    ours = lesson04.train_rnn_reference(x, y, params, 0.1, 20)
    sgd, theirs = optim.SGD([rnn, readout], lr=0.1), []
    for _ in range(20):
        loss, dy = losses.mean_squared_error(readout.forward(rnn.forward(x)), y)
        rnn.backward(readout.backward(dy))
        sgd.step()
        theirs.append(loss)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    np.testing.assert_allclose(params["W_hy"], readout.params["W"], rtol=1e-10)


@pytest.mark.parametrize("kwargs, message", [
    ({"after": True}, r"those \*after\* each update"), ({"sign": -1.0}, "the loss went up"),
    ({"skip": ("W_hy", "b_y")}, "W_hy, b_y never changed"), ({"readout_sum": False}, "W_hy differs.*Σ over b and t"),
    ({"skip": tuple(lesson04.PARAMS)}, "every array in params is as it was"),
])
def test_lesson04_train_rnn_explains_wrong_answers(kwargs, message):
    with pytest.raises(ExerciseError, match=message):
        lesson04.train_rnn(lambda *a: train_loop(*a, **kwargs))


def test_lesson04_train_rnn_not_done_and_fallback(capsys):
    lesson04.train_rnn(lambda *a: None)
    assert "not done yet" in capsys.readouterr().out
    assert lesson04.training_function(lambda *a: None) is lesson04.train_rnn_reference
    assert lesson04.training_function(train_loop) is train_loop


def test_lesson03_rnn_forward_names_the_empty_sequence():
    def by_index(x, W_xh, W_hh, b_h, h0=None, mask=None):
        states, last = forward(x, W_xh, W_hh, b_h, h0, mask)
        if mask is not None:
            last = states[np.arange(len(x)), mask.sum(axis=1) - 1]     # length 0 reads index -1
        return states, last

    with pytest.raises(ExerciseError, match="length 0"):
        lesson03.rnn_forward(by_index)


_NOTEBOOK_CLASSIFY = '''
def classify(sequences, p, W_hy, b_y):
    T = max(len(s) for s in sequences)
    x = np.zeros((len(sequences), T, sequences[0].shape[1]))
    mask = np.zeros((len(sequences), T), dtype=bool)
    for row, s in enumerate(sequences):
        x[row, :len(s)], mask[row, :len(s)] = s, True
    _, last = rnn_forward(x, p["W_xh"], p["W_hh"], p["b_h"], mask=mask)
    z = last @ W_hy + b_y
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
'''


def _notebook_classify(rnn_forward):
    """A learner's classify that calls the rnn_forward of its notebook, as lesson 03's exercise 2 does."""
    namespace = {"np": np, "rnn_forward": rnn_forward}
    exec(_NOTEBOOK_CLASSIFY, namespace)
    return namespace["classify"]


def test_lesson03_classify_blames_an_unfinished_or_wrong_rnn_forward_not_itself(capsys):
    lesson03.classify(_notebook_classify(stub))
    said = capsys.readouterr().out
    assert "calls your rnn_forward (exercise 1), which is not done yet" in said
    def ignores_the_mask(x, W_xh, W_hh, b_h, h0=None, mask=None):
        return forward(x, W_xh, W_hh, b_h, h0, None)

    with pytest.raises(ExerciseError, match=r"calls your rnn_forward \(exercise 1\), which is not right yet.*unmasked"):
        lesson03.classify(_notebook_classify(ignores_the_mask))
    lesson03.classify(_notebook_classify(forward))
    assert "✅" in capsys.readouterr().out


def test_a_wrong_answer_shows_its_sentence_and_a_crash_keeps_the_learners_frames():
    """IPython shows ExerciseError._render_traceback_(): no frame of rnnlib/checks, the learner's frames if theirs
    crashed."""
    with pytest.raises(ExerciseError) as wrong:
        lesson03.classify(lambda *a: classify(*a, stable=False))
    shown = "\n".join(wrong.value._render_traceback_())
    assert "rnnlib/checks" not in shown and "subtract each row's largest score" in shown

    def crashes(sequences, *a):
        return sequences[0] @ np.ones((99, 1))                  # the learner's own bug

    with pytest.raises(ExerciseError) as crash:
        lesson03.classify(crashes)
    shown = "\n".join(crash.value._render_traceback_())
    assert "in crashes" in shown and "ValueError" in shown and "rnnlib/checks" not in shown
