"""Checks for lesson 05, Vanishing and exploding gradients."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import optim
from ..layers import RNN
from ._core import ExerciseError, NotDoneYet, _fmt, call, exercise, not_attempted, passed, yours_or_reference

__all__ = ["adam_update", "clip_grad_norm", "gradient_norms_back_in_time", "adam_function"]


# ----------------------------------------------------------------------------- gradient_norms_back_in_time

def _rnn_case(B, T, D, H, radius, seed):
    """A float64 RNN with W_hh rescaled to ``radius``, inputs and a unit gradient on the last state."""
    rng = np.random.default_rng(seed)
    layer = RNN(D, H, seed=seed)
    W = layer.params["W_hh"]
    layer.params["W_hh"] = W * (radius / np.max(np.abs(np.linalg.eigvals(W))))
    layer.params["b_h"] = rng.normal(0, 0.1, H)
    x = rng.standard_normal((B, T, D))
    dlast = rng.standard_normal((B, H))
    return layer, x, dlast


def _norms_reference(layer, x, dlast, *, slopes=True, transpose=True, per_sequence=True, shift=0):
    """The right answer (all flags default), and the answers of typical slips (for the messages)."""
    h = layer.forward(x)
    B, T, H = h.shape
    W = layer.params["W_hh"]
    W = W.T if transpose else W
    delta, norms = dlast.copy(), np.empty(T)
    for k in range(T):
        t = T - 1 - k
        norms[k] = np.linalg.norm(delta, axis=1).mean() if per_sequence else np.linalg.norm(delta)
        s = 1 - h[:, max(t - shift, 0)] ** 2 if slopes else 1.0
        delta = (delta * s) @ W
    return norms


def _fresh(case):
    layer, x, dlast = case
    fresh = RNN(layer.input_size, layer.hidden_size, seed=0)
    fresh.params = {k: v.copy() for k, v in layer.params.items()}
    return fresh, x.copy(), dlast.copy()


@exercise("gradient_norms_back_in_time")
def gradient_norms_back_in_time(fn) -> None:
    """Exercise 1: ``fn(rnn, x, dlast)`` → ``(T,)``: mean ``‖∂L/∂h_t‖`` over the batch, ``k`` steps back at entry ``k``.

    Checked against ``layers.RNN.backward``'s ``dstates`` on layers, lengths and radii the lesson did not use.
    """
    cases = [_rnn_case(2, 5, 3, 4, 0.9, seed=11), _rnn_case(3, 12, 2, 6, 1.8, seed=12),
             _rnn_case(1, 1, 1, 1, 0.5, seed=13)]
    for case in cases:
        layer, x, dlast = _fresh(case)
        described = f"an RNN with H = {layer.hidden_size}, x of shape {x.shape} and dlast of shape {dlast.shape}"
        got = call(fn, (layer, x, dlast), "gradient_norms_back_in_time")
        if got is None:
            raise ExerciseError("gradient_norms_back_in_time returned None: did you forget `return norms`?")
        if not_attempted(got):
            raise NotDoneYet
        ref_layer, x, dlast = _fresh(case)
        ref_layer.forward(x)
        ref_layer.backward(np.zeros((*x.shape[:2], ref_layer.hidden_size)), dlast=dlast)
        expected = np.linalg.norm(ref_layer.dstates, axis=2).mean(axis=0)[::-1]
        got_arr = np.asarray(got, dtype=np.float64) if np.ndim(got) else np.asarray([got], dtype=np.float64)
        if got_arr.shape != expected.shape:
            raise ExerciseError(f"With {described}: expected one norm per step, shape {expected.shape}, got shape "
                                f"{got_arr.shape}. Entry k is the mean over the batch of ‖δh‖ k steps before the loss.")
        if np.allclose(got_arr, expected, rtol=1e-6, atol=1e-12):
            continue
        slips = {
            "reversed": (expected[::-1], "Your norms are in time order; the lesson wants them counted back from "
                                         "the loss: entry 0 is the last step (‖dlast‖), entry k is k steps back."),
            "slopes": (_norms_reference(*_fresh(case), slopes=False),
                       "Each step back first multiplies by the tanh slope 1 − h_t² (of the state you are leaving) "
                       "before the product with W_hhᵀ."),
            "transpose": (_norms_reference(*_fresh(case), transpose=False),
                          "For row vectors the step back multiplies by W_hh transposed (W_hh.T), not W_hh."),
            "batch": (_norms_reference(*_fresh(case), per_sequence=False),
                      "Take one norm per sequence (np.linalg.norm(delta, axis=1)), then their mean over the batch, "
                      "not one norm of the whole (B, H) array."),
            "shift": (_norms_reference(*_fresh(case), shift=1),
                      "The slope to use when stepping back from h_t is 1 − h_t² of that same step t, not of t − 1."),
        }
        hint = next((h for ref, h in slips.values() if np.allclose(got_arr, ref, rtol=1e-6, atol=1e-12)),
                    "Start from delta = dlast; at each step back record the mean norm, then "
                    "delta = (delta * (1 - h_t**2)) @ W_hh.T.")
        raise ExerciseError(f"With {described}: expected {np.array2string(expected[:4], precision=4)}"
                            f"{'…' if expected.size > 4 else ''}, got {np.array2string(got_arr[:4], precision=4)}"
                            f"{'…' if got_arr.size > 4 else ''}. {hint}")
    passed("Right: your backward walk measures exactly what layers.RNN.backward keeps in dstates.")


# ----------------------------------------------------------------------------- clip_grad_norm

def _fake_layers(rng, shapes, scale):
    """Objects with ``params`` and ``grads`` dicts, as the optimizers expect, with random gradients."""
    out = []
    for names in shapes:
        grads = {name: rng.standard_normal(shape) * scale for name, shape in names.items()}
        out.append(SimpleNamespace(params={k: np.zeros_like(v) for k, v in grads.items()}, grads=grads))
    return out


def _copy_layers(layers):
    return [SimpleNamespace(params=dict(l.params), grads={k: v.copy() for k, v in l.grads.items()}) for l in layers]


@exercise("clip_grad_norm", not_by=('rnnlib.optim.clip_grad_norm',))
def clip_grad_norm(fn) -> None:
    """Exercise 2: ``fn(layers, max_norm)`` scales every layer's ``grads`` in place; returns the norm before clipping.

    Compared with :func:`rnnlib.optim.clip_grad_norm` on layers the lesson did not use.
    """
    rng = np.random.default_rng(6)
    two = [{"W_xh": (3, 4), "W_hh": (4, 4), "b_h": (4,)}, {"W": (4, 2), "b": (2,)}]
    cases = [(_fake_layers(rng, two, 3.0), 1.0, "clipped"),
             (_fake_layers(rng, two, 0.01), 5.0, "already small"),
             (_fake_layers(rng, [{"W": (2, 3)}, {"b": (5,)}, {"W": (1, 1), "b": (1,)}], 2.0), 0.5, "three layers")]
    for layers, max_norm, label in cases:
        expected_layers = _copy_layers(layers)
        expected = optim.clip_grad_norm(expected_layers, max_norm)
        before = _copy_layers(layers)
        sizes = ", ".join("{" + ", ".join(f"{k}: {v.shape}" for k, v in l.grads.items()) + "}" for l in layers)
        tried = f"{len(layers)} layers with grads {sizes} (global norm {expected:.4g}) and max_norm={max_norm}"
        got = call(fn, (layers, max_norm), "clip_grad_norm")
        if got is Ellipsis:
            raise NotDoneYet
        changed_right = all(np.allclose(l.grads[k], e.grads[k], rtol=1e-6, atol=1e-12)
                            for l, e in zip(layers, expected_layers) for k in l.grads)
        if not changed_right:
            unchanged = all(np.array_equal(l.grads[k], b.grads[k]) for l, b in zip(layers, before) for k in l.grads)
            if label == "already small":
                hint = ("The global norm is already below max_norm: leave every gradient exactly as it is "
                        "(scale = min(1, max_norm / norm), never more than 1).")
            elif unchanged:
                hint = ("The layers' gradients did not change. Clip in place: scale each array (g *= scale) or "
                        "put the scaled array back into layer.grads[name]; the optimizer reads layer.grads.")
            else:
                norms_after = [np.sqrt(sum(np.sum(g ** 2) for g in l.grads.values())) for l in layers]
                each = [np.linalg.norm(g) for l in layers for g in l.grads.values()]
                total_after = np.sqrt(sum(n ** 2 for n in norms_after))
                if np.allclose(each, max_norm, rtol=1e-4) or np.allclose(norms_after, max_norm, rtol=1e-4):
                    hint = ("Each array (or layer) was scaled to its own norm. One norm over all arrays of all layers, "
                            "sqrt(Σ ||g||²), then one scale for all of them, so the direction is kept.")
                else:
                    hint = (f"After your clipping the global norm is {total_after:.4g}; it should be {max_norm:g}, "
                            "with every array multiplied by the same max_norm / norm.")
            raise ExerciseError(f"clip_grad_norm with {tried}: the gradients are not what optim.clip_grad_norm "
                                f"leaves. {hint}")
        if got is None:
            raise ExerciseError(f"clip_grad_norm with {tried}: the gradients are right, but it returned None. "
                                "Return the global norm measured *before* clipping (training logs it).")
        try:
            value = float(got)
        except (TypeError, ValueError):
            raise ExerciseError(f"clip_grad_norm with {tried}: expected a number (the norm before clipping), "
                                f"got {type(got).__name__}.") from None
        if not np.isclose(value, expected, rtol=1e-6):
            extra = " That is the norm after clipping; return the one measured before." \
                if np.isclose(value, min(expected, max_norm), rtol=1e-6) else ""
            raise ExerciseError(f"clip_grad_norm with {tried}: the gradients are right, but it returned {value:.6g} "
                                f"instead of the norm before clipping, {expected:.6g}.{extra}")
    passed("Right: one norm over every array, one scale for all, applied in place; the step keeps its direction "
           "and only loses length.")


# ----------------------------------------------------------------------------- adam_update

def _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps, *, correct_m=True, correct_s=True, eps_inside=False,
                    square=True, sign=1.0):
    """One Adam step for one array (all flags default), and the steps of typical slips (for the messages)."""
    m = beta1 * m + (1 - beta1) * g
    s = beta2 * s + (1 - beta2) * (g * g if square else g)
    m_hat = m / (1 - beta1 ** t) if correct_m else m
    s_hat = s / (1 - beta2 ** t) if correct_s else s
    with np.errstate(invalid="ignore"):               # a slip with g instead of g² can make s negative
        step = m_hat / (np.sqrt(s_hat + eps) if eps_inside else np.sqrt(s_hat) + eps)
    return p - sign * lr * step, m, s


def _adam_cases():
    """(description, p, g, m, s, t, lr, beta1, beta2, eps): a first step, later steps, other betas, a large eps."""
    rng = np.random.default_rng(55)
    cases = []
    for shape, t, lr, betas, eps, warm in [((3,), 1, 0.01, (0.9, 0.999), 1e-8, False),
                                           ((2, 3), 2, 0.001, (0.9, 0.999), 1e-8, True),
                                           ((4,), 10, 0.05, (0.8, 0.99), 1e-8, True),
                                           ((2, 2), 3, 0.01, (0.9, 0.999), 0.1, True)]:
        p, g = rng.standard_normal(shape), rng.standard_normal(shape) * 10 ** rng.uniform(-3, 2, shape)
        m = rng.standard_normal(shape) * 0.1 if warm else np.zeros(shape)
        s = rng.uniform(0, 0.5, shape) if warm else np.zeros(shape)
        what = (f"p and g of shape {shape}, step t = {t}" + (" (m and s still 0)" if not warm else "")
                + f", lr = {lr:g}, beta1 = {betas[0]:g}, beta2 = {betas[1]:g}, eps = {eps:g}")
        cases.append((what, p, g, m, s, t, lr, *betas, eps))
    return cases


@exercise("adam_update", not_by=('rnnlib.optim.Adam',))
def adam_update(fn) -> None:
    """Exercise 3: ``fn(p, g, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8)`` → ``(p, m, s)`` after one Adam step.

    Compared with the textbook step (which :class:`rnnlib.optim.Adam` takes) on arrays, steps and settings the
    lesson did not use; the inputs must come back unchanged.
    """
    for what, p, g, m, s, t, lr, beta1, beta2, eps in _adam_cases():
        args = (p.copy(), g.copy(), m.copy(), s.copy(), t, lr, beta1, beta2, eps)
        got = call(fn, args, f"adam_update with {what}")
        if not_attempted(got):
            raise NotDoneYet
        base = f"adam_update with {what}"
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise ExerciseError(f"{base}: expected three arrays, `return p, m, s` (the updated parameter and both "
                                f"running averages), got {type(got).__name__}.")
        if any(not np.array_equal(a, b) for a, b in zip(args[:4], (p, g, m, s))):
            raise ExerciseError(f"{base}: your function changed an array it was given (p, g, m or s) in place. "
                                "Compute new arrays and return them; the lesson compares them with the old ones.")
        new_p, new_m, new_s = (np.asarray(x, dtype=np.float64) for x in got)
        want_p, want_m, want_s = _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps)
        if not np.allclose(new_m, want_m, rtol=1e-9, atol=1e-12):
            raise ExerciseError(f"{base}: m should be beta1 · m + (1 − beta1) · g = {_fmt(want_m)}, got {_fmt(new_m)}.")
        if not np.allclose(new_s, want_s, rtol=1e-9, atol=1e-12):
            hint = " s averages the *squared* gradient, g²." if np.allclose(
                new_s, _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps, square=False)[2]) else ""
            raise ExerciseError(f"{base}: s should be beta2 · s + (1 − beta2) · g² = {_fmt(want_s)}, got "
                                f"{_fmt(new_s)}.{hint}")
        if np.allclose(new_p, want_p, rtol=1e-9, atol=1e-12):
            continue
        slips = [({"correct_m": False, "correct_s": False},
                  "Correct both averages for their start at 0: m̂ = m / (1 − beta1^t) and ŝ = s / (1 − beta2^t). "
                  "Without it the first steps are far too short (at t = 1, m is only (1 − beta1) · g)."),
                 ({"correct_m": False}, "ŝ is corrected, but m̂ = m / (1 − beta1^t) is missing."),
                 ({"correct_s": False}, "m̂ is corrected, but ŝ = s / (1 − beta2^t) is missing."),
                 ({"eps_inside": True}, "eps is added after the square root: sqrt(ŝ) + eps, not sqrt(ŝ + eps)."),
                 ({"sign": -1.0}, "The step goes uphill: subtract lr · m̂ / (sqrt(ŝ) + eps) from p.")]
        hint = next((h for flags, h in slips
                     if np.allclose(new_p, _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps, **flags)[0],
                                    rtol=1e-9, atol=1e-12)),
                    "p − lr · m̂ / (sqrt(ŝ) + eps), with m̂ and ŝ the corrected averages of this step.")
        raise ExerciseError(f"{base}: m and s are right, but the new p should be {_fmt(want_p)}, got {_fmt(new_p)}. "
                            f"{hint}")
    passed("Right: both running averages, both corrections for their start at 0, and a step of about lr whatever "
           "the gradient's size. That is Adam.")


def adam_function(yours):
    """The Adam step the lesson compares with ``optim.Adam``: yours if it passes the check, else the course's."""
    def course_adam_update(p, g, m, s, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        return _adam_reference(p, g, m, s, t, lr, beta1, beta2, eps)

    return yours_or_reference(yours, course_adam_update, adam_update, "adam_update")
