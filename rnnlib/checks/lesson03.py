"""Checks for lesson 03, The recurrent step."""
from __future__ import annotations

import numpy as np

from ..layers import RNN
from ..losses import softmax
from ._core import ExerciseError, NotDoneYet, _fmt, call, check_value, exercise, not_attempted, passed


def _mask(lengths, T):
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


def _reference_forward(x, W_xh, W_hh, b_h, h0=None, mask=None):
    """``layers.RNN`` with these weights: ``(states (B, T, H), last (B, H))``."""
    layer = RNN(W_xh.shape[0], W_hh.shape[0])
    layer.params.update(W_xh=W_xh.copy(), W_hh=W_hh.copy(), b_h=b_h.copy())
    states = layer.forward(x, h0=h0, mask=mask).copy()
    return states, layer.last_state.copy()


def _weights(rng, D, H, scale=1.0):
    return (rng.standard_normal((D, H)) * scale, rng.standard_normal((H, H)) * 0.6 * scale,
            rng.normal(0, 0.5, H))


def _forward_cases():
    """(description, x, W_xh, W_hh, b_h, h0, mask): from one plain sequence to padded batches with h0."""
    rng = np.random.default_rng(30)
    cases = []
    for B, T, D, H, with_h0, lengths in [(1, 1, 2, 3, False, None), (3, 6, 2, 4, True, None),
                                         (4, 7, 3, 2, False, [7, 3, 5, 1]), (3, 5, 1, 1, True, [5, 0, 2]),
                                         (2, 9, 4, 6, True, [4, 9])]:
        x = rng.standard_normal((B, T, D))
        W_xh, W_hh, b_h = _weights(rng, D, H)
        h0 = rng.uniform(-0.9, 0.9, (B, H)) if with_h0 else None
        mask = None if lengths is None else _mask(lengths, T)
        what = f"x of shape {x.shape}" + (", with h0" if with_h0 else ", h0=None")
        what += ", mask=None" if lengths is None else f", a mask for lengths {lengths}"
        cases.append((what, x, W_xh, W_hh, b_h, h0, mask))
    return cases


def _pair(got, what):
    if not_attempted(got):
        raise NotDoneYet
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise ExerciseError(f"rnn_forward with {what}: expected a pair `return states, last`, "
                            f"got {type(got).__name__}" + (f" of length {len(got)}" if isinstance(got, (tuple, list)) else "")
                            + ".")
    states, last = (np.asarray(v, dtype=np.float64) if not not_attempted(v) else v for v in got)
    if not_attempted(states) or not_attempted(last):
        raise NotDoneYet
    return states, last


def _same(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-9)


@exercise("rnn_forward")
def rnn_forward(fn) -> None:
    """Exercise 1: ``fn(x, W_xh, W_hh, b_h, h0=None, mask=None)`` → ``(states (B, T, H), last (B, H))``.

    Compared with ``layers.RNN``: padded steps keep the state and output zeros; ``last`` is each
    sequence's state after its last real step.
    """
    for what, x, W_xh, W_hh, b_h, h0, mask in _forward_cases():
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in (x, W_xh, W_hh, b_h, h0, mask)]
        got = _pair(call(fn, tuple(args), f"rnn_forward with {what}"), what)
        if any(isinstance(a, np.ndarray) and not np.array_equal(a, b) for a, b in zip(args, (x, W_xh, W_hh, b_h, h0, mask))):
            raise ExerciseError(f"rnn_forward with {what} changed one of its inputs in place (x, the weights, h0 or "
                                "the mask). Build new arrays instead: e.g. h = h0.copy(), or h = np.tanh(...).")
        states, last = got
        want_states, want_last = _reference_forward(x, W_xh, W_hh, b_h, h0, mask)
        B, T, H = want_states.shape
        if states.shape == (B, T + 1, H):
            raise ExerciseError(f"rnn_forward with {what}: states has shape {states.shape}, one step too many. "
                                "Return the T states h_1 … h_T, not h_0.")
        if states.shape != want_states.shape:
            raise ExerciseError(f"rnn_forward with {what}: states should have shape (B, T, H) = {want_states.shape}, "
                                f"got {states.shape}.")
        if not _same(states, want_states):
            _diagnose_states(states, what, x, W_xh, W_hh, b_h, h0, mask)
            check_value(states, want_states, what=f"rnn_forward with {what}: states",
                        hint="Each step: h = tanh(x[:, t] @ W_xh + h @ W_hh + b_h), starting from h0 (zeros if None).")
        if mask is not None and last.shape == want_last.shape and _same(last, states[:, -1]) and not _same(last, want_last):
            raise ExerciseError(f"rnn_forward with {what}: `last` is the state at the final, padded position. "
                                f"Expected each sequence's state after its last *real* step, {_fmt(want_last)}; "
                                f"got {_fmt(last)}. If padded steps keep the state, the h you carry is already it.")
        if mask is not None and _same(last, _reference_forward(x, W_xh, W_hh, b_h, h0, None)[1]) \
                and not _same(last, want_last):
            raise ExerciseError(f"rnn_forward with {what}: `last` is the state after running through the padding "
                                "too. A padded step must *keep* the state (h stays as it was), so that after the "
                                "loop h is each sequence's state after its last real frame.")
        if mask is not None and (~mask.any(axis=1)).any() and last.shape == want_last.shape:
            some = mask.any(axis=1)
            if _same(last[some], want_last[some]) and not _same(last, want_last):
                raise ExerciseError(f"rnn_forward with {what}: `last` is right for every sequence except those "
                                    "with no real frame at all (length 0). Such a sequence never updates its "
                                    f"state, so its `last` is its h0 (zeros if h0 is None): expected {_fmt(want_last)}, "
                                    f"got {_fmt(last)}.")
        check_value(last, want_last, what=f"rnn_forward with {what}: last", hint="`last` is the state h after the loop "
                    "(when padded steps keep the state, that is the state after each sequence's last real frame).")
    passed("Right: your loop matches rnnlib.layers.RNN, masks and all. That loop is the whole forward pass of an RNN.")


def _diagnose_states(states, what, x, W_xh, W_hh, b_h, h0, mask):
    """Name the usual slips: h0 ignored, the mask ignored, padded steps not zeroed."""
    base = f"rnn_forward with {what}"
    if h0 is not None and _same(states, _reference_forward(x, W_xh, W_hh, b_h, None, mask)[0]):
        raise ExerciseError(f"{base}: your states are those of a start from zeros. When h0 is given, "
                            "the first step must read it as h_0.")
    if mask is None:
        return
    if _same(states, _reference_forward(x, W_xh, W_hh, b_h, h0, None)[0]):
        raise ExerciseError(f"{base}: your states are those of an unmasked run: the padding changed the state. "
                            "Where mask[b, t] is False, sequence b must keep its state (and output zeros).")
    real = mask[:, :, None]
    want = _reference_forward(x, W_xh, W_hh, b_h, h0, mask)[0]
    if _same(np.where(real, states, 0.0), want):
        raise ExerciseError(f"{base}: every real step is right, but the padded steps are not zero. "
                            "Keep the state there, but write zeros into `states` (as layers.RNN does), so that "
                            "nothing downstream mistakes padding for speech.")


# --------------------------------------------------------------------------- exercise 2: classify

def _reference_classify(x, mask, params, W_hy, b_y):
    _, last = _reference_forward(x, params["W_xh"], params["W_hh"], params["b_h"], None, mask)
    return softmax(last @ W_hy + b_y, axis=-1)


def _classify_cases():
    rng = np.random.default_rng(31)
    cases = []
    for B, T, D, H, O, lengths, scale in [(2, 4, 3, 5, 4, None, 1.0), (4, 6, 2, 3, 10, [6, 2, 4, 1], 1.0),
                                          (3, 5, 2, 4, 3, [5, 3, 2], 1.0), (3, 4, 2, 4, 5, [4, 1, 3], 800.0)]:
        x = rng.standard_normal((B, T, D))
        W_xh, W_hh, b_h = _weights(rng, D, H)
        mask = _mask(lengths if lengths is not None else [T] * B, T)
        W_hy, b_y = rng.standard_normal((H, O)) * scale, rng.normal(0, 0.3, O)
        if scale > 1:
            b_y = b_y + rng.choice([-1, 1], O) * scale        # scores in the hundreds to thousands
        what = f"x of shape {x.shape}" + ("" if lengths is None else f", lengths {lengths}") + f", {O} classes"
        if scale > 1:
            what += " and scores in the thousands"
        cases.append((what, x, mask, {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}, W_hy, b_y, scale))
    return cases


@exercise("classify")
def classify(fn) -> None:
    """Exercise 2: ``fn(x, mask, rnn_params, W_hy, b_y)`` → ``(B, O)`` class probabilities per sequence."""
    for what, x, mask, params, W_hy, b_y, scale in _classify_cases():
        args = (x.copy(), mask.copy(), {k: v.copy() for k, v in params.items()}, W_hy.copy(), b_y.copy())
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            got = call(fn, args, f"classify with {what}")
        if not_attempted(got):
            raise NotDoneYet
        want = _reference_classify(x, mask, params, W_hy, b_y)
        got = np.asarray(got, dtype=np.float64)
        base = f"classify with {what}"
        if got.shape != want.shape:
            raise ExerciseError(f"{base}: expected probabilities of shape (B, O) = {want.shape}, got {got.shape}.")
        if not np.all(np.isfinite(got)):
            raise ExerciseError(f"{base}: some probabilities came back as nan or inf. np.exp of a score of 1000 "
                                "is inf, and inf / inf is nan: subtract each row's largest score before np.exp "
                                "(softmax does not change when every score of a row moves by the same amount).")
        if _same(got, want):
            continue
        sums = got.sum(axis=-1)
        scores = _reference_forward(x, params["W_xh"], params["W_hh"], params["b_h"], None, mask)[1] @ W_hy + b_y
        if _same(got, scores):
            raise ExerciseError(f"{base}: these are the raw scores (last state @ W_hy + b_y). Turn each row into "
                                "probabilities with a softmax.")
        if not np.allclose(sums, 1.0, atol=1e-6):
            raise ExerciseError(f"{base}: each row should sum to 1 (one probability per class), but the row sums "
                                f"are {_fmt(sums)}. Divide each row's exponentials by *that row's* sum "
                                "(axis=-1, keepdims=True).")
        padded_end = _reference_forward(x, params["W_xh"], params["W_hh"], params["b_h"], None, mask)[0][:, -1]
        if _same(got, softmax(padded_end @ W_hy + b_y, axis=-1)):
            raise ExerciseError(f"{base}: you read the output at the final, padded position (zeros for a short "
                                "sequence). Read each sequence's state after its *last real* step: the `last` "
                                "that rnn_forward returns.")
        unmasked = _reference_forward(x, params["W_xh"], params["W_hh"], params["b_h"], None, None)[1]
        if _same(got, softmax(unmasked @ W_hy + b_y, axis=-1)):
            raise ExerciseError(f"{base}: you ran the RNN over the padding as if it were speech. Pass the mask "
                                "to the forward pass.")
        check_value(got, want, what=base, hint="Forward with the mask, take `last`, scores = last @ W_hy + b_y, "
                    "then a softmax over each row.")
    passed("Right: a sequence in, ten probabilities out, even for scores in the thousands. "
           "This is exactly what a trained recognizer will do in lesson 07.")
