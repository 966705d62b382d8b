"""Checks for lesson 05, Vanishing and exploding gradients."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import optim
from ..layers import RNN
from ._core import ExerciseError, NotDoneYet, call, check_function, exercise, not_attempted, passed


@exercise("steps_until")
def steps_until(fn) -> None:
    """Warm-up: ``fn(factor, threshold)``: the fewest steps after which ``factor ** k < threshold``."""
    def reference(factor, threshold):
        k = 0
        while factor ** k >= threshold:
            k += 1
        return k

    cases = [(0.9, 1e-3), (0.5, 0.01), (0.99, 0.1), (0.2, 0.5), (0.5, 0.25)]
    check_function(fn, reference, cases, what="steps_until",
                   hint="Start from k = 0 (nothing has shrunk yet) and count the steps while factor ** k is still "
                        "at or above the threshold; mind the edge where factor ** k equals it exactly.")
    passed("Right: a factor of 0.9 per step loses a thousandfold in 66 steps, about 0.66 s of speech "
           "at 100 frames a second.")


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


@exercise("clip_grad_norm")
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
