"""Checks for lesson 06, LSTM and GRU."""
from __future__ import annotations

import numpy as np

from .. import gradcheck
from ..layers import GRU, LSTM, lstm_step_forward, sigmoid
from ..layers import lstm_step_backward as _step_backward
from ._core import ExerciseError, NotDoneYet, call, exercise, not_attempted, passed

__all__ = ["gru_forward", "lstm_step_backward"]


# ----------------------------------------------------------------------------- lstm_step_backward
# The lesson's forward step and the reference step back are rnnlib's textbook steps, rnnlib.layers.lstm_step_*.

def _loop_backward(dh_out, caches, step_backward, what):
    """The lesson's loop around a step: BPTT with ``step_backward``; returns the gradient dict."""
    T = len(caches)
    dh_next = np.zeros_like(dh_out[:, 0])
    dc_next = np.zeros_like(dh_out[:, 0])
    grads, dxs = None, [None] * T
    for t in reversed(range(T)):
        out = call(step_backward, (dh_out[:, t] + dh_next, dc_next, caches[t]), what)
        dx_t, dh_next, dc_next, dW_x, dW_h, db = out
        dxs[t] = dx_t
        if grads is None:
            grads = {"W_x": np.array(dW_x, dtype=np.float64), "W_h": np.array(dW_h, dtype=np.float64),
                     "b": np.array(db, dtype=np.float64)}
        else:
            grads["W_x"] = grads["W_x"] + dW_x
            grads["W_h"] = grads["W_h"] + dW_h
            grads["b"] = grads["b"] + db
    grads.update(x=np.stack(dxs, axis=1), h0=np.asarray(dh_next), c0=np.asarray(dc_next))
    return grads


def _lstm_problem(B, T, D, H, seed):
    """Float64 weights (biases varied so every gate matters), inputs, initial states and R for L = Σ h ⊙ R."""
    rng = np.random.default_rng(seed)
    layer = LSTM(D, H, seed=seed)
    W_x, W_h, b = (layer.params[k] + rng.normal(0, 0.3, layer.params[k].shape) for k in ("W_x", "W_h", "b"))
    return {"W_x": W_x, "W_h": W_h, "b": b, "x": rng.standard_normal((B, T, D)),
            "h0": rng.standard_normal((B, H)), "c0": rng.standard_normal((B, H))}, rng.standard_normal((B, T, H))


def _forward(p):
    h, c, hs, caches = p["h0"], p["c0"], [], []
    for t in range(p["x"].shape[1]):
        h, c, cache = lstm_step_forward(p["x"][:, t], h, c, p["W_x"], p["W_h"], p["b"])
        hs.append(h)
        caches.append(cache)
    return np.stack(hs, axis=1), caches


_STEP_OUTPUTS = ("dx_t", "dh_prev", "dc_prev", "dW_x", "dW_h", "db")
_STEP_HINTS = {
    "dc_prev": "δc_{t-1} = δc ⊙ f, where δc is the total gradient on c_t: the dc that came in plus the path "
               "through h_t, dh ⊙ o ⊙ (1 − tanh²(c_t)).",
    "db": "db is δa summed over the batch (axis 0), with δa the four blocks [δa_i, δa_f, δa_g, δa_o] side by side.",
    "dW_x": "dW_x = x_tᵀ δa, with δa the four blocks [δa_i, δa_f, δa_g, δa_o] side by side, in that order.",
    "dW_h": "dW_h = h_prevᵀ δa (the state that went *into* this step), with δa in the block order i, f, g, o.",
    "dx_t": "dx_t = δa W_xᵀ: the gradient flows back through the same product it came through.",
    "dh_prev": "dh_prev = δa W_hᵀ: the gradient flows back through the same product it came through.",
}


def _block_hint(got, expected, H):
    """Name the gate blocks of a (…, 4H) gradient that differ: it says which gate's formula to look at."""
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape or expected.shape[-1] != 4 * H:
        return ""
    names = ("input gate i", "forget gate f", "candidate g", "output gate o")
    bad = [names[k] for k in range(4) if not np.allclose(got[..., k * H:(k + 1) * H],
                                                         expected[..., k * H:(k + 1) * H], rtol=1e-6, atol=1e-10)]
    return f" The columns that differ belong to: {', '.join(bad)}." if 0 < len(bad) < 4 else ""


@exercise("lstm_step_backward", not_by=('rnnlib.layers.lstm_step_backward',))
def lstm_step_backward(fn) -> None:
    """Exercise 1: ``fn(dh, dc, cache)`` → ``(dx_t, dh_prev, dc_prev, dW_x, dW_h, db)`` for one LSTM step.

    First one step against the reference formulas (to say which output is off), then the learner's step
    inside the lesson's loop against numeric gradients of ``L = Σ h ⊙ R`` (float64).
    """
    # 1. one step, on sizes the lesson did not use
    for B, D, H, seed in [(2, 3, 4, 21), (1, 1, 2, 22)]:
        p, _ = _lstm_problem(B, 1, D, H, seed)
        rng = np.random.default_rng(seed + 100)
        _, _, cache = lstm_step_forward(p["x"][:, 0], p["h0"], p["c0"], p["W_x"], p["W_h"], p["b"])
        dh, dc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
        expected = _step_backward(dh, dc, cache)
        snapshot = [np.array(a, copy=True) for a in cache]
        got = call(fn, (dh.copy(), dc.copy(), cache), "lstm_step_backward")
        if got is None:
            raise ExerciseError("lstm_step_backward returned None: did you forget to return the six gradients?")
        if not_attempted(got):
            raise NotDoneYet
        tried = f"one step with B = {B}, D = {D}, H = {H} (dh and dc random)"
        if not isinstance(got, (tuple, list)) or len(got) != 6:
            raise ExerciseError(f"lstm_step_backward with {tried}: expected a tuple of six arrays "
                                f"{_STEP_OUTPUTS}, got {type(got).__name__}"
                                f"{f' of length {len(got)}' if isinstance(got, (tuple, list)) else ''}.")
        if any(not np.array_equal(a, s) for a, s in zip(cache, snapshot)):
            raise ExerciseError(f"lstm_step_backward with {tried} changed an array of the cache in place; the "
                                "loop needs the cache of every step unchanged. Compute new arrays instead.")
        for name, g, e in zip(_STEP_OUTPUTS, got, expected):
            g_arr = np.asarray(g, dtype=np.float64)
            if g_arr.shape != e.shape:
                raise ExerciseError(f"lstm_step_backward with {tried}: {name} should have shape {e.shape}, "
                                    f"got {g_arr.shape}.")
        wrong = [name for name, g, e in zip(_STEP_OUTPUTS, got, expected)
                 if not np.allclose(np.asarray(g, dtype=np.float64), e, rtol=1e-6, atol=1e-10)]
        if wrong:
            # the weight gradients all come from δa: if they are all wrong, δa is, and that is the message
            if {"db", "dW_x", "dW_h"} <= set(wrong):
                hint = ("db, dW_x and dW_h are all off, so δa is: check each gate's δa (σ' = σ(1 − σ), "
                        "tanh' = 1 − tanh²), and that δc includes the path through h_t." +
                        _block_hint(got[5], expected[5], H))
            else:
                hint = _STEP_HINTS[wrong[0]] + (_block_hint(got[_STEP_OUTPUTS.index(wrong[0])],
                                                            expected[_STEP_OUTPUTS.index(wrong[0])], H)
                                                if wrong[0] in ("db", "dW_x", "dW_h") else "")
            first = wrong[0]
            k = _STEP_OUTPUTS.index(first)
            raise ExerciseError(f"lstm_step_backward with {tried}: {', '.join(wrong)} "
                                f"{'is' if len(wrong) == 1 else 'are'} not right"
                                f"{' (the rest is)' if len(wrong) < 6 else ''}. {first}: expected "
                                f"{np.array2string(np.ravel(expected[k])[:4], precision=4)}…, got "
                                f"{np.array2string(np.ravel(np.asarray(got[k], dtype=np.float64))[:4], precision=4)}…. "
                                f"{hint}")
    # 2. the whole loop, against numeric gradients
    p, R = _lstm_problem(2, 4, 3, 3, seed=23)
    _, caches = _forward(p)
    analytic = _loop_backward(R, caches, fn, "lstm_step_backward")

    def loss():
        return float(np.sum(_forward(p)[0] * R))

    errors = gradcheck.check_gradients(loss, p, analytic)
    bad = {k: e for k, e in errors.items() if not e < 1e-6}
    if bad:
        raise ExerciseError("Inside the loop over 4 steps, the gradients of "
                            + ", ".join(f"{k} (relative error {e:.1e})" for k, e in bad.items())
                            + " disagree with the numeric gradient. One step alone was right, so look at what "
                              "crosses from step to step: dh_prev and dc_prev.")
    passed("Right: one step matches the formulas, and inside the loop every gradient (W_x, W_h, b, x, h0, c0) "
           "agrees with the numeric gradient to a relative error below 1e-6.")


# ----------------------------------------------------------------------------- gru_forward

def _gru_reference(x, W_x, W_h, b_x, b_h, h0=None, mask=None, *, keep=True, zero=True, reset_bias=True,
                   swap_z=False):
    """The right GRU loop (all flags default) and typical slips (for the messages)."""
    B, T, _ = x.shape
    H = W_h.shape[0]
    h = np.zeros((B, H)) if h0 is None else h0
    m_all = np.ones((B, T), bool) if mask is None else np.asarray(mask, bool)
    states = np.zeros((B, T, H))
    for t in range(T):
        ax, ah = x[:, t] @ W_x + b_x, h @ W_h + b_h
        r = sigmoid(ax[:, :H] + ah[:, :H])
        z = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
        inner = ah[:, 2 * H:] if reset_bias else h @ W_h[:, 2 * H:]
        extra = 0 if reset_bias else b_h[2 * H:]
        n = np.tanh(ax[:, 2 * H:] + r * inner + extra)
        h_new = z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h
        m = m_all[:, t, None]
        states[:, t] = np.where(m, h_new, 0.0) if zero else (np.where(m, h_new, h) if keep else h_new)
        h = np.where(m, h_new, h) if keep else h_new
    return states, h


def _gru_case(B, T, D, H, seed, lengths):
    rng = np.random.default_rng(seed)
    layer = GRU(D, H, seed=seed)
    p = {k: v + rng.normal(0, 0.3, v.shape) for k, v in layer.params.items()}
    x = rng.standard_normal((B, T, D))
    h0 = rng.standard_normal((B, H))
    mask = np.arange(T)[None, :] < np.asarray(lengths)[:, None]
    return layer, p, x, h0, mask


@exercise("gru_forward", not_by=('rnnlib.layers.GRU', 'rnnlib.layers.gru_step_forward',))
def gru_forward(fn) -> None:
    """Exercise 2: ``fn(x, W_x, W_h, b_x, b_h, h0=None, mask=None)`` → ``(states (B, T, H), last (B, H))``.

    Compared with ``layers.GRU`` (its output and ``last_state``) on padded batches the lesson did not use.
    """
    for B, T, D, H, seed, lengths in [(3, 5, 2, 4, 31, [5, 2, 3]), (2, 4, 3, 2, 32, [1, 4])]:
        layer, p, x, h0, mask = _gru_case(B, T, D, H, seed, lengths)
        layer.params = {k: v.copy() for k, v in p.items()}
        for use_h0, use_mask in ((False, False), (True, True)):
            kwargs_h0 = h0 if use_h0 else None
            kwargs_mask = mask if use_mask else None
            expected_states = layer.forward(x, h0=kwargs_h0, mask=kwargs_mask)
            expected_last = layer.last_state
            tried = (f"x of shape {x.shape}, H = {H}" + (", h0 given" if use_h0 else ", h0=None") +
                     (f", mask with lengths {lengths}" if use_mask else ", mask=None"))
            args = (x.copy(), p["W_x"], p["W_h"], p["b_x"], p["b_h"],
                    None if kwargs_h0 is None else kwargs_h0.copy(),
                    None if kwargs_mask is None else kwargs_mask.copy())
            got = call(fn, args, "gru_forward")
            if got is None:
                raise ExerciseError("gru_forward returned None: did you forget `return states, h`?")
            if not_attempted(got):
                raise NotDoneYet
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise ExerciseError(f"gru_forward with {tried}: expected a pair (states, last state), "
                                    f"got {type(got).__name__}.")
            states, last = (np.asarray(a, dtype=np.float64) for a in got)
            if states.shape != expected_states.shape or last.shape != expected_last.shape:
                raise ExerciseError(f"gru_forward with {tried}: expected states of shape {expected_states.shape} and "
                                    f"a last state of shape {expected_last.shape}, "
                                    f"got {states.shape} and {last.shape}.")
            ok_states = np.allclose(states, expected_states, rtol=1e-6, atol=1e-10)
            ok_last = np.allclose(last, expected_last, rtol=1e-6, atol=1e-10)
            if ok_states and ok_last:
                continue
            a = (x, p["W_x"], p["W_h"], p["b_x"], p["b_h"], kwargs_h0, kwargs_mask)
            slips = [
                (dict(swap_z=True), "z is the share of the *old* state that is kept: h = (1 − z) ⊙ n + z ⊙ h_prev."),
                (dict(reset_bias=False), "The reset gate multiplies the whole recurrent term of the candidate, "
                                         "bias included: r ⊙ (h_prev W_hn + b_hn)."),
                (dict(zero=False), "At a padded step the output is zeros (the state itself is kept for the next "
                                   "step); store np.where(real, h_new, 0) in the states."),
                (dict(keep=False, zero=True), "At a padded step the state must be kept: h = np.where(real, h_new, h), "
                                              "so the last state is the one after each sequence's last real step."),
                (dict(keep=False, zero=False), "A padded step keeps the state and outputs zeros; your loop runs "
                                               "through the padding as if it were input."),
            ]
            hint = next((h for kw, h in slips
                         if all(np.allclose(g, e, rtol=1e-6, atol=1e-10)
                                for g, e in zip((states, last), _gru_reference(*a, **kw)))), None)
            if hint is None and use_h0 and np.allclose(states, layer.forward(x, mask=kwargs_mask), rtol=1e-6):
                hint = "Start from h0 when it is given (zeros only when h0 is None)."
            if hint is None:
                hint = ("Per step: ax = x_t W_x + b_x and ah = h W_h + b_h, each in blocks r, z, n (H columns each); "
                        "r and z are σ of the sum of their blocks; n = tanh(ax_n + r ⊙ ah_n).")
            which, e, g = (("the states differ", expected_states, states) if not ok_states else
                           ("the last state differs", expected_last, last))
            bad = np.flatnonzero(~np.isclose(g, e, rtol=1e-6, atol=1e-10))[:3]
            raise ExerciseError(f"gru_forward with {tried}: {which} from layers.GRU "
                                f"(at flat positions {bad.tolist()} "
                                f"expected {np.array2string(e.ravel()[bad], precision=4)}, "
                                f"got {np.array2string(g.ravel()[bad], precision=4)}). {hint}")
    passed("Right: your GRU matches layers.GRU, padding and all.")
