"""The textbook steps of rnnlib.layers and the fast layers agree, and editing a layer's output never spoils its
backward.

The steps (``rnn_step_forward`` … ``gru_step_backward``) are the equations of lessons 03, 04 and 06 in plain
NumPy; the layers rearrange the same arithmetic for speed. Here a loop of steps is run next to each layer, forward
and backward, in float64, with an initial state and a gradient on every output.
"""
import numpy as np
import pytest

from rnnlib import gradcheck, layers
from rnnlib.layers import GRU, LSTM, RNN, Dense


def _problem(cls, B=3, T=5, D=2, H=4, seed=0):
    rng = np.random.default_rng(seed)
    layer = cls(D, H, seed=seed)
    for v in layer.params.values():
        v += rng.normal(0, 0.3, v.shape)            # non-zero biases, so every term is tested
    states = {"h0": rng.standard_normal((B, H))}
    if cls is LSTM:
        states["c0"] = rng.standard_normal((B, H))
    return layer, rng.standard_normal((B, T, D)), states, rng.standard_normal((B, T, H))


def _loop_of_steps(layer, x, states, dout):
    """Forward and backward through time with the textbook steps: (outputs, gradients dict)."""
    p, T = layer.params, x.shape[1]
    h, c, caches, outputs = states["h0"], states.get("c0"), [], []
    for t in range(T):
        if isinstance(layer, RNN):
            h, cache = layers.rnn_step_forward(x[:, t], h, p["W_xh"], p["W_hh"], p["b_h"])
        elif isinstance(layer, LSTM):
            h, c, cache = layers.lstm_step_forward(x[:, t], h, c, p["W_x"], p["W_h"], p["b"])
        else:
            h, cache = layers.gru_step_forward(x[:, t], h, p["W_x"], p["W_h"], p["b_x"], p["b_h"])
        outputs.append(h)
        caches.append(cache)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dx = np.zeros_like(x)
    dh_next, dc_next = np.zeros_like(states["h0"]), np.zeros_like(states["h0"])
    for t in reversed(range(T)):
        dh = dout[:, t] + dh_next
        if isinstance(layer, RNN):
            dx[:, t], dh_next, *shares = layers.rnn_step_backward(dh, caches[t])
        elif isinstance(layer, LSTM):
            dx[:, t], dh_next, dc_next, *shares = layers.lstm_step_backward(dh, dc_next, caches[t])
        else:
            dx[:, t], dh_next, *shares = layers.gru_step_backward(dh, caches[t])
        for key, share in zip(p, shares):
            grads[key] += share
    grads.update(x=dx, h0=dh_next)
    if isinstance(layer, LSTM):
        grads["c0"] = dc_next
    return np.stack(outputs, axis=1), grads


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_the_fast_layer_computes_the_textbook_steps(cls):
    layer, x, states, dout = _problem(cls)
    want_out, want = _loop_of_steps(layer, x, states, dout)
    out = layer.forward(x, **states)
    dx = layer.backward(dout)
    np.testing.assert_allclose(out, want_out, rtol=1e-12, atol=1e-12)
    got = {**layer.grads, "x": dx, "h0": layer.dh0}
    if cls is LSTM:
        got["c0"] = layer.dc0
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("step", ["rnn", "lstm", "gru"])
def test_every_textbook_step_passes_a_numeric_gradient_check(step):
    """Each step's backward against numeric gradients of L = Σ (outputs ⊙ R), in float64."""
    rng = np.random.default_rng(3)
    B, D, H = 2, 3, 4
    x, h = rng.standard_normal((B, D)), rng.standard_normal((B, H))
    c = rng.standard_normal((B, H))
    K = {"rnn": 1, "lstm": 4, "gru": 3}[step]
    W_x, W_h = rng.standard_normal((D, K * H)) * 0.5, rng.standard_normal((H, K * H)) * 0.5
    b, b2 = rng.standard_normal(K * H) * 0.3, rng.standard_normal(K * H) * 0.3
    R, Rc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    arrays = {"x": x, "h": h, "W_x": W_x, "W_h": W_h, "b": b}
    if step == "rnn":
        def loss():
            return float(np.sum(layers.rnn_step_forward(x, h, W_x, W_h, b)[0] * R))
        out = layers.rnn_step_backward(R, layers.rnn_step_forward(x, h, W_x, W_h, b)[1])
        analytic = dict(zip(["x", "h", "W_x", "W_h", "b"], out))
    elif step == "lstm":
        arrays["c"] = c

        def loss():
            h_t, c_t, _ = layers.lstm_step_forward(x, h, c, W_x, W_h, b)
            return float(np.sum(h_t * R) + np.sum(c_t * Rc))
        out = layers.lstm_step_backward(R, Rc, layers.lstm_step_forward(x, h, c, W_x, W_h, b)[2])
        analytic = dict(zip(["x", "h", "c", "W_x", "W_h", "b"], out))
    else:
        arrays["b2"] = b2

        def loss():
            return float(np.sum(layers.gru_step_forward(x, h, W_x, W_h, b, b2)[0] * R))
        out = layers.gru_step_backward(R, layers.gru_step_forward(x, h, W_x, W_h, b, b2)[1])
        analytic = dict(zip(["x", "h", "W_x", "W_h", "b", "b2"], out))
    for name, array in arrays.items():
        err = gradcheck.relative_error(analytic[name], gradcheck.numeric_gradient(loss, array))
        assert err < 1e-6, (step, name, err)


@pytest.mark.parametrize("cls, masked", [(RNN, False), (RNN, True), (LSTM, False), (LSTM, True), (GRU, False),
                                         (GRU, True), (Dense, False)])
def test_editing_the_output_in_place_leaves_the_gradients_exact(cls, masked):
    """`h = layer.forward(x); h *= 0` (a learner's in-place activation or mask) must not reach backward's cache."""
    rng = np.random.default_rng(1)
    B, T, D, H = 3, 6, 2, 4
    x, dout = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, H))
    kwargs = {"mask": np.arange(T)[None] < np.array([[6], [4], [2]])} if masked else {}
    results = []
    for edit in (False, True):
        layer = cls(D, H, seed=2)
        xin = x.copy()
        out = layer.forward(xin, **kwargs)
        if edit:
            out *= 0.0                                   # the caller changes what forward returned...
            xin *= 0.0                                   # ...and the input it passed in
        dx = layer.backward(dout)
        results.append({**{k: v.copy() for k, v in layer.grads.items()}, "x": dx})
    for key in results[0]:
        np.testing.assert_array_equal(results[1][key], results[0][key], err_msg=key)
