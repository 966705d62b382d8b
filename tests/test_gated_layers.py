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
