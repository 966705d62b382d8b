"""Checks for lesson 04, Backpropagation through time."""
from __future__ import annotations

import numpy as np

from .. import gradcheck, losses
from ._core import ExerciseError, NotDoneYet, _fmt, call, exercise, not_attempted, passed, yours_or_reference

__all__ = ["numeric_function", "forward_states", "numeric_gradient", "rnn_backward", "softmax_cross_entropy",
           "rnn_backward_reference", "backward_function", "train_rnn_reference", "train_rnn", "training_function"]

KEYS = ("W_xh", "W_hh", "b_h", "x", "h0")


# --------------------------------------------------------------------------- exercise 1: numeric_gradient

def _numeric_cases():
    """(description, array, f, eps, exact gradient or None)."""
    rng = np.random.default_rng(40)
    cases = []
    A = rng.standard_normal(4)
    C = rng.standard_normal(4)
    cases.append(("sum(sin(A) * C) for A of shape (4,)", A, lambda A=A: float(np.sum(np.sin(A) * C)), 1e-6,
                  lambda A=A: np.cos(A) * C))
    B = rng.standard_normal((2, 3))
    M = rng.standard_normal((3, 2))
    cases.append(("sum((B @ M)²) for B of shape (2, 3)", B, lambda B=B: float(np.sum((B @ M) ** 2)), 1e-6,
                  lambda B=B: 2 * (B @ M) @ M.T))
    E = rng.standard_normal((2, 2, 3))
    cases.append(("sum(tanh(E)) * E[0, 0, 0] for E of shape (2, 2, 3)", E,
                  lambda E=E: float(np.sum(np.tanh(E)) * E[0, 0, 0]), 1e-6, None))
    F = rng.standard_normal(3)
    cases.append(("sum(F³) for F of shape (3,) with eps = 1e-3", F, lambda F=F: float(np.sum(F ** 3)), 1e-3, None))
    return cases


def _reference_numeric(f, array, eps):
    return gradcheck.numeric_gradient(f, array, eps=eps)


def _one_sided(f, array, eps):
    flat, out = array.reshape(-1), np.empty(array.size)
    base = f()
    for i in range(array.size):
        old = flat[i]
        flat[i] = old + eps
        out[i] = (f() - base) / eps
        flat[i] = old
    return out.reshape(array.shape)


@exercise("numeric_gradient", not_by=('rnnlib.gradcheck.numeric_gradient',))
def numeric_gradient(fn) -> None:
    """Exercise 1: ``fn(f, array, eps)`` is the centred-difference gradient of ``f()`` with respect to ``array``."""
    for what, array, f, eps, _ in _numeric_cases():
        before = array.copy()
        got = call(fn, (f, array, eps), f"numeric_gradient of {what}")
        if not_attempted(got):
            raise NotDoneYet
        base = f"numeric_gradient of {what}"
        if not np.array_equal(array, before):
            raise ExerciseError(f"{base}: after your function the array has changed (largest change "
                                f"{np.abs(array - before).max():.2g}). Put every entry back after nudging it.")
        want = _reference_numeric(f, array, eps)
        got = np.asarray(got, dtype=np.float64)
        if got.shape != want.shape:
            raise ExerciseError(f"{base}: expected one number per entry, shape {want.shape}; got shape {got.shape}.")
        scale = np.abs(want).max() + 1e-12
        if np.abs(got - want).max() <= 1e-9 * scale:
            continue
        if np.allclose(got, 0.0):
            raise ExerciseError(f"{base}: every entry came back 0, as if f() never saw your nudges. f reads the "
                                "array you were given: change *its* entries (not a copy), call f(), then restore them.")
        if np.abs(got - 2 * want).max() <= 1e-6 * scale:
            raise ExerciseError(f"{base}: your numbers are twice the right ones. The two nudges are 2·eps apart: "
                                "divide by 2 * eps.")
        if np.abs(got - _one_sided(f, array, eps)).max() <= 1e-6 * scale:
            raise ExerciseError(f"{base}: this is a one-sided difference, (f(p + eps) - f(p)) / eps. Nudge both "
                                "ways, up and down, and divide by 2 * eps: its error is eps² instead of eps.")
        if eps != 1e-6 and np.abs(got - _reference_numeric(f, array, 1e-6)).max() <= 1e-7 * scale:
            raise ExerciseError(f"{base}: your result is the one for eps = 1e-6, but this case passes eps = {eps:g}. "
                                "Use the eps you are given.")
        raise ExerciseError(f"{base}: expected {_fmt(want)}, got {_fmt(got)}. For each entry: remember it, set it "
                            "to old + eps and call f(), to old - eps and call f(), put old back; the slope is the "
                            "difference of the two calls over 2 * eps.")
    passed("Right: nudged both ways, divided by 2·eps, and every entry put back. Your gradient checker is ready.")


def numeric_function(yours):
    """The numeric gradient the lesson goes on with: yours if it passes, else ``rnnlib.gradcheck.numeric_gradient``."""
    return yours_or_reference(yours, gradcheck.numeric_gradient, numeric_gradient, "numeric_gradient")


# --------------------------------------------------------------------------- exercise 2: rnn_backward

def forward_states(x, W_xh, W_hh, b_h, h0):
    """``hs: (B, T + 1, H)`` with ``hs[:, 0] = h0`` and ``hs[:, t] = h_t``: what the backward pass needs."""
    B, T, _ = x.shape
    hs = np.zeros((B, T + 1, W_hh.shape[0]))
    hs[:, 0] = h0
    for t in range(T):
        hs[:, t + 1] = np.tanh(x[:, t] @ W_xh + hs[:, t] @ W_hh + b_h)
    return hs


def _bptt(dh_out, x, hs, W_xh, W_hh, *, later=True, through_tanh=True, shift=0):
    """BPTT with switches that make the usual mistakes (the right answer with the defaults)."""
    B, T, _ = x.shape
    g = {"W_xh": np.zeros_like(W_xh), "W_hh": np.zeros_like(W_hh), "b_h": np.zeros(W_hh.shape[0]),
         "x": np.zeros_like(x)}
    da_next = np.zeros_like(hs[:, 0])
    for t in reversed(range(T)):
        dh = dh_out[:, t] + (da_next @ W_hh.T if later else 0.0)
        da = dh * (1 - hs[:, t + 1] ** 2) if through_tanh else dh
        g["W_xh"] += x[:, t].T @ da
        g["W_hh"] += hs[:, t + shift].T @ da
        g["b_h"] += da.sum(axis=0)
        g["x"][:, t] = da @ W_xh.T
        da_next = da
    g["h0"] = da_next @ W_hh.T
    return g


def rnn_backward_reference(dh_out, x, hs, W_xh, W_hh):
    """rnnlib's answer to exercise 2 (the same arithmetic as ``layers.RNN.backward``, without masks)."""
    return _bptt(np.asarray(dh_out, np.float64), np.asarray(x, np.float64), np.asarray(hs, np.float64),
                 np.asarray(W_xh, np.float64), np.asarray(W_hh, np.float64))


def _backward_cases():
    rng = np.random.default_rng(41)
    cases = []
    for B, T, D, H in [(1, 1, 1, 1), (2, 4, 3, 5), (3, 7, 2, 3)]:
        x = rng.standard_normal((B, T, D))
        W_xh, W_hh = rng.standard_normal((D, H)) * 0.8, rng.standard_normal((H, H)) * 0.5
        b_h, h0 = rng.normal(0, 0.3, H), rng.uniform(-0.8, 0.8, (B, H))
        dh_out = rng.standard_normal((B, T, H))
        cases.append((f"x of shape {x.shape}, H = {H}", x, W_xh, W_hh, b_h, h0, dh_out))
    return cases


def _numeric_errors(grads, x, W_xh, W_hh, b_h, h0, dh_out) -> dict:
    """Relative error of each of ``grads`` against a numeric gradient of ``sum(h_t · dh_out_t)``."""
    arrays = {"W_xh": W_xh.copy(), "W_hh": W_hh.copy(), "b_h": b_h.copy(), "x": x.copy(), "h0": h0.copy()}

    def loss():
        hs = forward_states(arrays["x"], arrays["W_xh"], arrays["W_hh"], arrays["b_h"], arrays["h0"])
        return float(np.sum(hs[:, 1:] * dh_out))

    return gradcheck.check_gradients(loss, arrays, grads)


@exercise("rnn_backward", not_by=('rnnlib.layers.rnn_step_backward',))
def rnn_backward(fn) -> None:
    """Exercise 2: ``fn(dh_out, x, hs, W_xh, W_hh)`` → dict of gradients ``W_xh, W_hh, b_h, x, h0``."""
    for what, x, W_xh, W_hh, b_h, h0, dh_out in _backward_cases():
        hs = forward_states(x, W_xh, W_hh, b_h, h0)
        given = (dh_out.copy(), x.copy(), hs.copy(), W_xh.copy(), W_hh.copy())
        got = call(fn, given, f"rnn_backward with {what}")
        if not_attempted(got):
            raise NotDoneYet
        base = f"rnn_backward with {what}"
        if any(not np.array_equal(a, b) for a, b in zip(given, (dh_out, x, hs, W_xh, W_hh))):
            raise ExerciseError(f"{base} changed one of its inputs in place (often dh_out, through `dh = "
                                "dh_out[:, t]` followed by `dh += ...`: a slice is a view). Write `dh = dh_out[:, t] "
                                "+ ...` instead, which makes a new array.")
        if not isinstance(got, dict):
            raise ExerciseError(f"{base}: expected a dict of gradients with keys {list(KEYS)}, got "
                                f"{type(got).__name__}.")
        missing = [k for k in KEYS if k not in got or not_attempted(got[k])]
        if missing:
            raise ExerciseError(f"{base}: the dict has no gradient for {missing}; expected keys {list(KEYS)}.")
        want = _bptt(dh_out, x, hs, W_xh, W_hh)
        for key in KEYS:
            g = np.asarray(got[key], dtype=np.float64)
            if g.shape != want[key].shape:
                raise ExerciseError(f"{base}: the gradient of {key} must have {key}'s shape {want[key].shape}, "
                                    f"got {g.shape}." + (" Sum the bias gradient over the batch too."
                                                         if key == "b_h" else ""))
        got = {k: np.asarray(got[k], dtype=np.float64) for k in KEYS}
        errors = _numeric_errors(got, x, W_xh, W_hh, b_h, h0, dh_out)
        wrong = [k for k in KEYS if errors[k] > 1e-6]
        if wrong:
            _diagnose_backward(base, got, wrong, errors, dh_out, x, hs, W_xh, W_hh)
    passed(f"Right: all five gradients ({', '.join(KEYS)}) agree with a numeric gradient check on three batches "
           "you had not seen, every relative error below 1e-6. That is backpropagation through time.")


def _diagnose_backward(base, got, wrong, errors, dh_out, x, hs, W_xh, W_hh):
    def matches(**switches):
        alt = _bptt(dh_out, x, hs, W_xh, W_hh, **switches)
        return all(np.allclose(got[k], alt[k], rtol=1e-6, atol=1e-9) for k in wrong)

    found = ", ".join(f"{k} {errors[k]:.1e}" for k in wrong)
    start = f"{base}: against a numeric gradient check the relative errors are {found} (right is below 1e-6). "
    if x.shape[1] > 1 and matches(later=False):
        raise ExerciseError(start + "They match a δh_t with only the 'now' path: add the 'later' path, "
                            "δa_{t+1} W_hhᵀ, carried back from the step you handled just before.")
    if matches(through_tanh=False):
        raise ExerciseError(start + "They match a backward pass that skips the tanh: δa_t = δh_t ⊙ (1 - h_t²).")
    if matches(shift=1):
        raise ExerciseError(start + "Your W_hh gradient pairs δa_t with h_t; a_t reads the *previous* state "
                            "h_{t-1}, which is hs[:, t] when the loop's t is step t+1 of the equations.")
    if wrong == ["h0"]:
        raise ExerciseError(start + "Only h0 is off: after the loop, h0 gets δa_1 W_hhᵀ (δa of the first step).")
    if wrong == ["x"]:
        raise ExerciseError(start + "Only x is off: δx_t = δa_t W_xhᵀ, one (B, D) slice per step.")
    raise ExerciseError(start + "Walk t backwards from T-1 to 0: δh = dh_out[:, t] + δa_next W_hhᵀ; "
                        "δa = δh ⊙ (1 - h_t²); every weight adds its share from this step.")


def backward_function(yours):
    """The backward pass the lesson goes on with: yours if it passes, else :func:`rnn_backward_reference`."""
    return yours_or_reference(yours, rnn_backward_reference, rnn_backward, "rnn_backward")


# --------------------------------------------------------------------------- exercise 3: softmax_cross_entropy

def _ce_cases():
    rng = np.random.default_rng(42)
    cases = []
    for B, C, scale in [(1, 3, 1.0), (4, 10, 2.0), (5, 2, 1.0), (3, 4, 1.0)]:
        cases.append((f"logits of shape {(B, C)}", rng.normal(0, scale, (B, C)), rng.integers(0, C, B)))
    cases.append(("logits of shape (3, 3) in the thousands", np.array([[1000.0, 0.0, -1000.0], [5.0, 2000.0, 1.0],
                                                                        [-800.0, -790.0, -805.0]]),
                  np.array([2, 1, 0])))
    return cases


@exercise("softmax_cross_entropy", not_by=('rnnlib.losses.softmax_cross_entropy',))
def softmax_cross_entropy(fn) -> None:
    """Exercise 3: ``fn(logits (B, C), y (B,))`` → ``(mean loss, dlogits (B, C))``."""
    for what, logits, y in _ce_cases():
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            got = call(fn, (logits.copy(), y.copy()), f"softmax_cross_entropy with {what}")
        if not_attempted(got):
            raise NotDoneYet
        base = f"softmax_cross_entropy with {what}, y = {y.tolist()}"
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise ExerciseError(f"{base}: expected a pair `return loss, dlogits`, got {type(got).__name__}.")
        loss, dlogits = got
        if not_attempted(loss) or not_attempted(dlogits):
            raise NotDoneYet
        want_loss, want_d = losses.softmax_cross_entropy(logits, y)
        B = len(y)
        if np.ndim(loss) != 0:
            raise ExerciseError(f"{base}: the loss should be one number (the mean over the batch), got an array "
                                f"of shape {np.shape(loss)}.")
        loss, dlogits = float(loss), np.asarray(dlogits, dtype=np.float64)
        if not np.isfinite(loss) or not np.all(np.isfinite(dlogits)):
            raise ExerciseError(f"{base}: the result holds inf or nan (loss {loss}). With scores in the thousands, "
                                "exp overflows and log(0) is -inf: compute log p directly, "
                                "log p = (z - max) - log(sum(exp(z - max))), row by row.")
        if not np.isclose(loss, want_loss, rtol=1e-6, atol=1e-9):
            hint = "The loss is the mean over the batch of -log p[b, y[b]]."
            if np.isclose(loss, want_loss * B, rtol=1e-6):
                hint = "Your loss is the sum over the batch; take the mean (divide by B)."
            raise ExerciseError(f"{base}: expected loss {want_loss:.6g}, got {loss:.6g}. {hint}")
        if dlogits.shape != want_d.shape:
            raise ExerciseError(f"{base}: dlogits must have the shape of logits, {want_d.shape}; got {dlogits.shape}.")
        if not np.allclose(dlogits, want_d, rtol=1e-6, atol=1e-9):
            p = losses.softmax(logits)
            if np.allclose(dlogits, want_d * B, rtol=1e-6, atol=1e-9):
                hint = "These are the gradients of the *sum*; the loss is a mean, so divide by B."
            elif np.allclose(dlogits, p / B, rtol=1e-6, atol=1e-9) or np.allclose(dlogits, p, rtol=1e-6, atol=1e-9):
                hint = "This is p alone: subtract 1 at each row's right class (p - onehot(y))."
            elif np.allclose(dlogits, -want_d, rtol=1e-6, atol=1e-9):
                hint = "The sign is flipped: it is p - onehot(y), not onehot(y) - p."
            else:
                hint = "dlogits = (p - onehot(y)) / B."
            if abs(want_loss) < 100:     # the witness: a numeric gradient of *your* loss, which was right above
                z = logits.copy()
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    numeric = gradcheck.numeric_gradient(lambda: float(call(fn, (z, y.copy()), base)[0]), z)
                if gradcheck.relative_error(numeric, want_d) < 1e-6:
                    hint = ("Your loss is right, and a numeric gradient of it gives the expected dlogits, so the "
                            "slip is in dlogits. " + hint)
            raise ExerciseError(f"{base}: expected dlogits {_fmt(want_d)}, got {_fmt(dlogits)}. {hint}")
    passed("Right: mean surprise at the right answer, and its gradient p - onehot(y) over B, stable in the "
           "thousands.")


# --------------------------------------------------------------------------- exercise 4: train_rnn

PARAMS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def train_rnn_reference(x, y, params, lr, steps, backward=rnn_backward_reference):
    """rnnlib's answer to exercise 4: full-batch gradient descent on the squared error of ``h_t W_hy + b_y``.

    x: ``(B, T, D)``; y: ``(B, T, O)``; params: dict of the five arrays, changed in place. Returns the loss
    before each of the ``steps`` updates.
    """
    history = []
    for _ in range(steps):
        hs = forward_states(x, params["W_xh"], params["W_hh"], params["b_h"], np.zeros((x.shape[0],
                                                                                      params["W_hh"].shape[0])))
        h = hs[:, 1:]                                                   # (B, T, H): the states that are read out
        loss, dy_hat = losses.mean_squared_error(h @ params["W_hy"] + params["b_y"], y)
        grads = backward(dy_hat @ params["W_hy"].T, x, hs, params["W_xh"], params["W_hh"])
        grads["W_hy"] = np.einsum("bth,bto->ho", h, dy_hat)              # Σ over b and t of h_tᵀ δŷ_t
        grads["b_y"] = dy_hat.sum(axis=(0, 1))
        for name in PARAMS:
            params[name] -= lr * grads[name]
        history.append(float(loss))
    return history


def _training_case():
    rng = np.random.default_rng(44)
    B, T, D, H, O = 3, 6, 2, 4, 1
    x, y = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, O))
    params = {"W_xh": rng.normal(0, 0.5, (D, H)), "W_hh": rng.normal(0, 0.4, (H, H)), "b_h": rng.normal(0, 0.1, H),
              "W_hy": rng.normal(0, 0.5, (H, O)), "b_y": rng.normal(0, 0.1, O)}
    return x, y, params, 0.05, 8


@exercise("train_rnn", not_by=('rnnlib.train.fit_sequence_regressor', 'rnnlib.optim.SGD'))
def train_rnn(fn) -> None:
    """Exercise 4: ``fn(x, y, params, lr, steps, backward)`` trains in place and returns the ``steps`` losses."""
    x, y, start, lr, steps = _training_case()
    params = {k: v.copy() for k, v in start.items()}
    base = f"train_rnn with x {x.shape}, y {y.shape}, lr = {lr}, steps = {steps}"
    got = call(fn, (x.copy(), y.copy(), params, lr, steps, rnn_backward_reference), base)
    if not_attempted(got):
        raise NotDoneYet
    want_params = {k: v.copy() for k, v in start.items()}
    want = train_rnn_reference(x, y, want_params, lr, steps)
    try:
        history = [float(v) for v in got]
    except (TypeError, ValueError):
        raise ExerciseError(f"{base}: expected a list of {steps} losses, one per update, got "
                            f"{type(got).__name__}.") from None
    if len(history) != steps:
        raise ExerciseError(f"{base}: expected {steps} losses (one per update), got {len(history)}.")
    unchanged = [k for k in PARAMS if np.array_equal(np.asarray(params.get(k)), start[k])]
    if unchanged == list(PARAMS):
        raise ExerciseError(f"{base}: after your loop every array in params is as it was. Update the arrays *in* "
                            "the dict (params[name] -= lr * gradient), so the caller sees the trained weights.")
    if np.allclose(history[:-1], want[1:], rtol=1e-9):
        raise ExerciseError(f"{base}: your losses are those *after* each update. Record the loss of the forward "
                            "pass that the update's gradients come from, before changing the weights.")
    if not np.isclose(history[0], want[0], rtol=1e-9):
        raise ExerciseError(f"{base}: the first loss should be that of the starting weights, {want[0]:.6f}; got "
                            f"{history[0]:.6f}. Start from h0 = zeros (B, H), and use the mean squared error of "
                            "ŷ_t = h_t W_hy + b_y.")
    if history[-1] > history[0]:
        raise ExerciseError(f"{base}: the loss went up, {history[0]:.4f} → {history[-1]:.4f}: step *against* the "
                            "gradient, params[name] -= lr * gradient.")
    if unchanged:
        raise ExerciseError(f"{base}: {', '.join(unchanged)} never changed. Every one of the five parameters takes "
                            "a step, the readout's too.")
    for name in PARAMS:
        got_p = np.asarray(params[name], dtype=np.float64)
        if got_p.shape != want_params[name].shape:
            raise ExerciseError(f"{base}: after your loop {name} has shape {got_p.shape}, expected "
                                f"{want_params[name].shape}: a gradient of the wrong shape was broadcast into it.")
    # After one update each parameter has moved by its own gradient only: that names the one that is wrong.
    one_step = {k: v.copy() for k, v in start.items()}
    call(fn, (x.copy(), y.copy(), one_step, lr, 1, rnn_backward_reference), base)
    want_one = {k: v.copy() for k, v in start.items()}
    train_rnn_reference(x, y, want_one, lr, 1)
    for name in PARAMS:
        got_p = np.asarray(one_step[name], dtype=np.float64)
        if not np.allclose(got_p, want_one[name], rtol=1e-7, atol=1e-10):
            hint = {"W_hy": "its gradient is Σ over b and t of h_tᵀ δŷ_t: an (H, B·T) times (B·T, O) product.",
                    "b_y": "its gradient is δŷ summed over the batch and the steps.",
                    }.get(name, "the readout hands BPTT g_t = δŷ_t W_hyᵀ, and BPTT gives this gradient.")
            gap = np.abs(got_p - want_one[name]).max()
            raise ExerciseError(f"{base}: after one update {name} differs from plain gradient descent "
                                f"(largest difference {gap:.2g}). For {name}, {hint}")
    if not np.allclose(history, want, rtol=1e-7):
        raise ExerciseError(f"{base}: expected the losses {_fmt(np.array(want))}, got {_fmt(np.array(history))}.")
    passed("Right: forward, loss, backward through the readout and through time, a step downhill for all five "
           "parameters, and the loss recorded before each step. Your network trains.")


def training_function(yours):
    """The training loop the lesson goes on with: yours if it passes, else :func:`train_rnn_reference`."""
    return yours_or_reference(yours, train_rnn_reference, train_rnn, "train_rnn")
