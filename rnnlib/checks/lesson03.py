"""Checks for lesson 03, The recurrent step."""
from __future__ import annotations

import numpy as np

from ..features import pad_sequences
from ..layers import RNN, Dense
from ..losses import softmax
from ._core import ExerciseError, NotDoneYet, _fmt, builds_on, call, check_value, exercise, not_attempted, passed

__all__ = ["classify", "rnn_forward"]


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
                            f"got {type(got).__name__}" + (f" of length {len(got)}"
                                                           if isinstance(got, (tuple, list)) else "")
                            + ".")
    states, last = (np.asarray(v, dtype=np.float64) if not not_attempted(v) else v for v in got)
    if not_attempted(states) or not_attempted(last):
        raise NotDoneYet
    return states, last


def _same(a, b):
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-9)


@exercise("rnn_forward", not_by=('rnnlib.layers.RNN', 'rnnlib.layers.rnn_step_forward',))
def rnn_forward(fn) -> None:
    """Exercise 1: ``fn(x, W_xh, W_hh, b_h, h0=None, mask=None)`` → ``(states (B, T, H), last (B, H))``.

    Compared with ``layers.RNN``: padded steps keep the state and output zeros; ``last`` is each
    sequence's state after its last real step.
    """
    for what, x, W_xh, W_hh, b_h, h0, mask in _forward_cases():
        args = [a.copy() if isinstance(a, np.ndarray) else a for a in (x, W_xh, W_hh, b_h, h0, mask)]
        got = _pair(call(fn, tuple(args), f"rnn_forward with {what}"), what)
        if any(isinstance(a, np.ndarray) and not np.array_equal(a, b)
               for a, b in zip(args, (x, W_xh, W_hh, b_h, h0, mask))):
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
        if (mask is not None and last.shape == want_last.shape and _same(last, states[:, -1])
                and not _same(last, want_last)):
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
                                    "state, so its `last` is its h0 (zeros if h0 is None): "
                                    f"expected {_fmt(want_last)}, got {_fmt(last)}.")
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

def _reference_classify(sequences, params, W_hy, b_y, *, use_mask=True, read="last"):
    """rnnlib's path: ``features.pad_sequences``, ``layers.RNN`` with the mask, ``layers.Dense``, ``losses.softmax``.

    The keywords make the usual slips (no mask, reading the padded end, no softmax) for the diagnosis.
    """
    x, mask = pad_sequences(sequences, dtype=np.float64)
    states, last = _reference_forward(x, params["W_xh"], params["W_hh"], params["b_h"], None,
                                      mask if use_mask else None)
    readout = Dense(*W_hy.shape)
    readout.params.update(W=W_hy.copy(), b=b_y.copy())
    scores = readout.forward(last if read == "last" else states[:, -1])
    return scores if read == "scores" else softmax(scores, axis=-1)


def _classify_cases():
    """(description, sequences, params, W_hy, b_y): equal lengths, the longest in the middle, one sequence, the
    longest last, huge scores."""
    rng = np.random.default_rng(31)
    cases = []
    for lengths, D, H, O, scale in [([4, 4, 4], 3, 5, 4, 1.0), ([2, 6, 4, 1], 2, 3, 10, 1.0),
                                    ([5], 1, 4, 3, 1.0), ([2, 3, 7], 3, 4, 6, 1.0), ([3, 7, 5], 2, 4, 5, 800.0)]:
        sequences = [rng.standard_normal((n, D)) for n in lengths]
        W_xh, W_hh, b_h = _weights(rng, D, H)
        W_hy, b_y = rng.standard_normal((H, O)) * scale, rng.normal(0, 0.3, O)
        if scale > 1:
            b_y = b_y + rng.choice([-1, 1], O) * scale        # scores in the hundreds to thousands
        what = (f"{len(lengths)} sequence{'s' if len(lengths) > 1 else ''} of lengths {lengths} (D = {D}), "
                f"H = {H}, {O} classes" + (", scores in the thousands" if scale > 1 else ""))
        cases.append((what, sequences, {"W_xh": W_xh, "W_hh": W_hh, "b_h": b_h}, W_hy, b_y))
    return cases


def _call_classify(fn, args, base):
    """``fn(*args)``; the learner's own error is reported with the case in words (a list of arrays of
    different lengths is no single array to print)."""
    if not callable(fn):
        raise ExerciseError(f"classify: expected a function, got {type(fn).__name__}.")
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return fn(*args)
    except NotImplementedError:
        raise NotDoneYet from None
    except Exception as err:
        lengths = [len(s) for s in args[0]]
        hint = (" (The longest sequence sets T, and it need not be the first one.)"
                if isinstance(err, (ValueError, IndexError)) and lengths[0] < max(lengths) else "")
        raise ExerciseError(f"{base}: your function raised {type(err).__name__}: {err}.{hint}") from err


@exercise("classify", not_by=('rnnlib.features.pad_sequences', 'rnnlib.losses.softmax',))
def classify(fn) -> None:
    """Exercise 2: ``fn(sequences, rnn_params, W_hy, b_y)`` → ``(B, O)`` class probabilities, one row per
    sequence of the list ``sequences`` of ``(T_b, D)`` arrays; compared with rnnlib's pad, RNN, Dense, softmax.

    If ``fn`` calls the learner's own ``rnn_forward``, that one is checked first, so that its mistakes are not
    blamed on ``classify``."""
    builds_on(fn, "rnn_forward", rnn_forward, "exercise 1")
    for what, sequences, params, W_hy, b_y in _classify_cases():
        base = f"classify with {what}"
        given = [s.copy() for s in sequences]
        args = (given, {k: v.copy() for k, v in params.items()}, W_hy.copy(), b_y.copy())
        got = _call_classify(fn, args, base)
        if not_attempted(got):
            raise NotDoneYet
        if len(given) != len(sequences) or any(g.shape != s.shape or not np.array_equal(g, s)
                                                for g, s in zip(given, sequences)):
            raise ExerciseError(f"{base}: your function changed the list of sequences it was given (its order "
                                "or its arrays). Build the padded batch as a new array and leave the list as it is.")
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise ExerciseError(f"{base}: expected a NumPy array of probabilities, shape (B, O), got "
                                f"{type(got).__name__}.") from None
        want = _reference_classify(sequences, params, W_hy, b_y)
        if got.shape != want.shape:
            raise ExerciseError(f"{base}: expected probabilities of shape (B, O) = {want.shape}: one row per "
                                f"sequence, one column per class; got shape {got.shape}.")
        if not np.all(np.isfinite(got)):
            raise ExerciseError(f"{base}: some probabilities came back as nan or inf. np.exp of a score of 1000 "
                                "is inf, and inf / inf is nan: subtract each row's largest score before np.exp "
                                "(softmax does not change when every score of a row moves by the same amount).")
        if _same(got, want):
            continue
        if _same(got, _reference_classify(sequences, params, W_hy, b_y, read="scores")):
            raise ExerciseError(f"{base}: these are the raw scores (last state @ W_hy + b_y). Turn each row into "
                                "probabilities with a softmax.")
        sums = got.sum(axis=-1)
        if not np.allclose(sums, 1.0, atol=1e-6):
            raise ExerciseError(f"{base}: each row should sum to 1 (one probability per class), but the row sums "
                                f"are {_fmt(sums)}. Divide each row's exponentials by *that row's* sum "
                                "(axis=1, keepdims=True).")
        if _same(got, _reference_classify(sequences, params, W_hy, b_y, read="end")):
            raise ExerciseError(f"{base}: you read the output at the final, padded position (zeros for a short "
                                "sequence). Read each sequence's state after its *last real* step: the `last` "
                                "that rnn_forward returns.")
        if _same(got, _reference_classify(sequences, params, W_hy, b_y, use_mask=False)):
            raise ExerciseError(f"{base}: you ran the RNN over the padding as if it were speech. Build the mask "
                                "(True at each sequence's real frames, False at the padding) and pass it to the "
                                "forward pass.")
        order = [next((j for j in range(len(want)) if _same(row, want[j])), None) for row in got]
        if None not in order and sorted(order) == list(range(len(want))):
            raise ExerciseError(f"{base}: every row is the right answer for one of the sequences, but in another "
                                f"order (your rows are those of sequences {order}). Row b must belong to "
                                "sequences[b]: keep the list's order.")
        check_value(got, want, what=base, hint="Pad into zeros with a mask, forward with the mask, take `last`, "
                    "scores = last @ W_hy + b_y, then a softmax over each row.")
    passed("Right: sequences of any length in, in any order, one probability per class out, even for scores in the "
           "thousands. This is exactly what a trained recognizer will do in lesson 07.")
