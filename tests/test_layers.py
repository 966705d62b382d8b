"""Every hand-written backward pass, proven by float64 numeric gradient checks (relative error < 1e-6)."""
import numpy as np
import pytest

from rnnlib import gradcheck
from rnnlib.layers import RNN, Dense

TOL = 1e-6


def _mask(rng, B, T):
    lengths = rng.integers(1, T + 1, size=B)
    lengths[0] = T
    return np.arange(T)[None, :] < lengths[:, None]


@pytest.mark.parametrize("B, T, D, H", [(1, 1, 1, 1), (1, 5, 3, 4), (3, 1, 2, 5), (4, 7, 3, 6), (2, 12, 5, 3)])
@pytest.mark.parametrize("with_h0", [False, True])
def test_rnn_gradients(B, T, D, H, with_h0):
    rng = np.random.default_rng(B * 100 + T * 10 + D)
    layer = RNN(D, H, seed=1)
    layer.params["b_h"][:] = rng.normal(0, 0.3, H)  # a non-zero bias exercises its gradient
    x = rng.standard_normal((B, T, D))
    kwargs = {"h0": rng.standard_normal((B, H))} if with_h0 else {}
    errors = gradcheck.check_layer(layer, x, **kwargs)
    assert max(errors.values()) < TOL, errors
    assert set(errors) == {"W_xh", "W_hh", "b_h", "x"} | ({"h0"} if with_h0 else set())


@pytest.mark.parametrize("seed", range(4))
def test_rnn_gradients_with_mask(seed):
    rng = np.random.default_rng(seed)
    B, T, D, H = 4, 9, 3, 5
    layer = RNN(D, H, seed=seed)
    mask = _mask(rng, B, T)
    errors = gradcheck.check_layer(layer, rng.standard_normal((B, T, D)), mask=mask, h0=rng.standard_normal((B, H)))
    assert max(errors.values()) < TOL, errors


def test_rnn_gradient_through_last_state():
    rng = np.random.default_rng(5)
    B, T, D, H = 3, 6, 2, 4
    layer = RNN(D, H, seed=0)
    x, mask = rng.standard_normal((B, T, D)), _mask(rng, B, T)
    r = rng.standard_normal((B, H))

    def loss():
        layer.forward(x, mask=mask)
        return float(np.sum(layer.last_state * r))

    loss()
    dx = layer.backward(np.zeros((B, T, H)), dlast=r)
    analytic = {**layer.grads, "x": dx}
    errors = gradcheck.check_gradients(loss, {**layer.params, "x": x}, analytic)
    assert max(errors.values()) < TOL, errors


def test_padding_changes_nothing():
    """A padded batch gives each sequence exactly what it gives alone, and padding gets no gradient."""
    rng = np.random.default_rng(0)
    layer = RNN(3, 4, seed=0)
    short, long = rng.standard_normal((1, 4, 3)), rng.standard_normal((1, 7, 3))
    alone = layer.forward(short).copy()
    alone_last = layer.last_state.copy()
    x = np.zeros((2, 7, 3)); x[0, :4] = short[0]; x[1] = long[0]
    mask = np.zeros((2, 7), bool); mask[0, :4] = True; mask[1] = True
    h = layer.forward(x, mask=mask)
    np.testing.assert_allclose(h[0, :4], alone[0], atol=1e-12)
    assert np.all(h[0, 4:] == 0)
    np.testing.assert_allclose(layer.last_state[0], alone_last[0], atol=1e-12)
    dx = layer.backward(rng.standard_normal(h.shape))
    assert np.all(dx[0, 4:] == 0)


@pytest.mark.parametrize("shape", [(1, 3), (4, 3), (1, 1, 3), (2, 6, 3)])
def test_dense_gradients(shape):
    rng = np.random.default_rng(len(shape))
    layer = Dense(3, 5, seed=2)
    layer.params["b"][:] = rng.normal(size=5)
    errors = gradcheck.check_layer(layer, rng.standard_normal(shape))
    assert max(errors.values()) < TOL, errors


def test_float32_layers_compute_in_float32():
    layer = RNN(3, 4, seed=0, dtype=np.float32)
    h = layer.forward(np.ones((2, 5, 3)))
    assert h.dtype == np.float32 and layer.backward(np.ones_like(h)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())


def test_same_seed_same_weights_and_keras_like_init():
    a, b = RNN(3, 8, seed=7), RNN(3, 8, seed=7)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    W = a.params["W_hh"]
    np.testing.assert_allclose(W @ W.T, np.eye(8), atol=1e-12)  # orthogonal recurrent weights
    assert a.n_params == 3 * 8 + 8 * 8 + 8


def test_bad_shapes_raise_clear_errors():
    layer = RNN(3, 4)
    with pytest.raises(ValueError, match=r"\(B, T, D\) with last axis 3"):
        layer.forward(np.zeros((2, 5, 4)))
    with pytest.raises(ValueError, match=r"\(B, T, D\)"):
        layer.forward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"h0 must have shape"):
        layer.forward(np.zeros((2, 5, 3)), h0=np.zeros((4,)))
    with pytest.raises(ValueError, match=r"mask must have shape"):
        layer.forward(np.zeros((2, 5, 3)), mask=np.ones((2, 4), bool))
    with pytest.raises(RuntimeError, match="before forward"):
        RNN(3, 4).backward(np.zeros((2, 5, 4)))
    layer.forward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"shape of the output \(2, 5, 4\)"):
        layer.backward(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match="hidden_size"):
        RNN(3, 0)
    with pytest.raises(ValueError, match="dtype"):
        Dense(3, 2, dtype=np.int32)
    with pytest.raises(ValueError, match="numbers"):
        Dense(3, 2).forward(np.array([["a", "b", "c"]]))


def test_backward_leaves_the_callers_gradient_untouched():
    for B, T in [(1, 4), (3, 1), (2, 3)]:
        layer = RNN(2, 3, seed=0)
        h = layer.forward(np.ones((B, T, 2)))
        dout = np.ones_like(h)
        layer.backward(dout)
        assert np.all(dout == 1)
