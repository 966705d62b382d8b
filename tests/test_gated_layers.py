"""LSTM and GRU backward passes, proven by float64 gradient checks (relative error < 1e-6)."""
import numpy as np
import pytest

from helpers import layer_with_biases
from rnnlib import gradcheck, interop
from rnnlib.layers import GRU, LSTM

TOL = 1e-6
SHAPES = [(1, 1, 1, 1), (1, 5, 3, 4), (3, 1, 2, 5), (4, 7, 3, 6)]


def _states(cls, B, H, rng):
    states = {"h0": rng.standard_normal((B, H))}
    if cls is LSTM:
        states["c0"] = rng.standard_normal((B, H))
    return states


@pytest.mark.parametrize("cls", [LSTM, GRU])
@pytest.mark.parametrize("B, T, D, H", SHAPES)
@pytest.mark.parametrize("with_states", [False, True])
def test_gated_gradients(cls, B, T, D, H, with_states):
    rng = np.random.default_rng(B * 100 + T * 10 + D)
    layer = layer_with_biases(cls, D, H, rng)
    kwargs = _states(cls, B, H, rng) if with_states else {}
    errors = gradcheck.check_layer(layer, rng.standard_normal((B, T, D)), **kwargs)
    assert max(errors.values()) < TOL, errors
    assert set(errors) == set(layer.params) | {"x"} | set(kwargs)


@pytest.mark.parametrize("cls", [LSTM, GRU])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("with_states", [False, True])
def test_gated_gradients_with_mask(cls, seed, with_states):
    rng = np.random.default_rng(seed)
    B, T, D, H = 4, 8, 3, 5
    lengths = rng.integers(1, T + 1, size=B)
    mask = np.arange(T)[None] < lengths[:, None]
    layer = layer_with_biases(cls, D, H, rng)
    kwargs = _states(cls, B, H, rng) if with_states else {}
    errors = gradcheck.check_layer(layer, rng.standard_normal((B, T, D)), mask=mask, **kwargs)
    assert max(errors.values()) < TOL, errors


def test_lstm_gradient_through_last_state_and_cell():
    rng = np.random.default_rng(3)
    B, T, D, H = 3, 5, 2, 4
    layer = layer_with_biases(LSTM, D, H, rng)
    x = rng.standard_normal((B, T, D))
    mask = np.arange(T)[None] < np.array([5, 2, 4])[:, None]
    rh, rc = rng.standard_normal((B, H)), rng.standard_normal((B, H))

    def loss():
        layer.forward(x, mask=mask)
        return float(np.sum(layer.last_state * rh) + np.sum(layer.last_cell * rc))

    loss()
    dx = layer.backward(np.zeros((B, T, H)), dlast=rh, dlast_cell=rc)
    errors = gradcheck.check_gradients(loss, {**layer.params, "x": x}, {**layer.grads, "x": dx})
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("cls", [LSTM, GRU])
def test_padding_changes_nothing(cls):
    rng = np.random.default_rng(0)
    layer = cls(3, 4, seed=0)
    short = rng.standard_normal((1, 3, 3))
    alone = layer.forward(short).copy()
    alone_last = layer.last_state.copy()
    x = np.zeros((2, 6, 3)); x[0, :3] = short[0]; x[1] = rng.standard_normal((6, 3))
    mask = np.array([[1, 1, 1, 0, 0, 0], [1] * 6], bool)
    h = layer.forward(x, mask=mask)
    np.testing.assert_allclose(h[0, :3], alone[0], atol=1e-12)
    assert np.all(h[0, 3:] == 0)
    np.testing.assert_allclose(layer.last_state[0], alone_last[0], atol=1e-12)
    assert np.all(layer.backward(rng.standard_normal(h.shape))[0, 3:] == 0)


def test_keras_like_initialization():
    lstm = LSTM(3, 4, seed=0)
    np.testing.assert_array_equal(lstm.params["b"][4:8], 1.0)  # forget gate open: remember by default
    assert lstm.n_params == 4 * (3 * 4 + 4 * 4 + 4)
    gru = GRU(3, 4, seed=0)
    assert gru.n_params == 3 * (3 * 4 + 4 * 4 + 2 * 4)
    for W in np.split(gru.params["W_h"], 3, axis=1):
        np.testing.assert_allclose(W @ W.T, np.eye(4), atol=1e-12)


@pytest.mark.parametrize("cls", [LSTM, GRU])
def test_bad_shapes(cls):
    layer = cls(3, 4)
    with pytest.raises(ValueError, match="last axis 3"):
        layer.forward(np.zeros((2, 5, 2)))
    with pytest.raises(ValueError, match="h0 must have shape"):
        layer.forward(np.zeros((2, 5, 3)), h0=np.zeros((3, 4)))
    with pytest.raises(RuntimeError, match="before forward"):
        cls(3, 4).backward(np.zeros((2, 5, 4)))


@pytest.mark.parametrize("cls", [LSTM, GRU])
def test_torch_mapping_round_trip(cls):
    layer, other = cls(3, 4, seed=0), cls(3, 4, seed=1)
    interop.from_torch(other, interop.to_torch(layer))
    for k in layer.params:
        np.testing.assert_array_equal(other.params[k], layer.params[k])
    with pytest.raises(ValueError, match="same sizes"):
        interop.from_torch(cls(3, 5), interop.to_torch(layer))


def _run(layer, x, dout, **kwargs):
    """Forward and backward once; every array the caller receives, as it is now and as a copy."""
    out = {"h": layer.forward(x, **kwargs)}
    out["dx"] = layer.backward(dout[:, :x.shape[1]])
    out.update(dstates=layer.dstates, dh0=layer.dh0, last_state=layer.last_state, **layer.grads)
    if isinstance(layer, LSTM):
        out.update(dcells=layer.dcells, dc0=layer.dc0, last_cell=layer.last_cell)
    return out, {k: v.copy() for k, v in out.items()}


@pytest.mark.parametrize("cls", [LSTM, GRU])
@pytest.mark.parametrize("masked", [False, True])
def test_later_calls_change_no_array_you_hold(cls, masked):
    """The LSTM reuses scratch memory between calls: nothing it hands out may live there.

    Batches of different lengths in turn (the scratch grows and shrinks) also give the results of a fresh layer.
    """
    rng = np.random.default_rng(0)
    B, D, H = 3, 2, 4
    layer = layer_with_biases(cls, D, H, rng)
    dout = rng.standard_normal((B, 9, H))
    held = []
    for T in (5, 9, 2, 5):
        x = rng.standard_normal((B, T, D))
        kwargs = {"mask": np.arange(T)[None] < rng.integers(1, T + 1, size=(B, 1))} if masked else {}
        live, snapshot = _run(layer, x, dout, **kwargs)
        fresh = cls(D, H, dtype=layer.dtype)
        fresh.params = {k: v.copy() for k, v in layer.params.items()}
        expected, _ = _run(fresh, x, dout, **kwargs)
        for k in expected:
            np.testing.assert_array_equal(live[k], expected[k], err_msg=k)
        held.append((live, snapshot))
    for live, snapshot in held:
        for k in snapshot:
            np.testing.assert_array_equal(live[k], snapshot[k], err_msg=f"{k} changed by a later call")
