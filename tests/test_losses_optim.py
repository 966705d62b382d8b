import numpy as np
import pytest

from rnnlib import gradcheck, losses, optim, tasks
from rnnlib.layers import Dense


@pytest.mark.parametrize("shape", [(1, 3), (5, 4), (2, 6, 3)])
@pytest.mark.parametrize("use_mask, use_weights", [(False, False), (True, False), (False, True), (True, True)])
def test_cross_entropy_gradient(shape, use_mask, use_weights):
    rng = np.random.default_rng(sum(shape))
    logits = rng.standard_normal(shape) * 3
    targets = rng.integers(0, shape[-1], size=shape[:-1])
    mask = rng.random(shape[:-1]) > 0.3 if use_mask else None
    if mask is not None:
        mask.flat[0] = True
    weights = rng.uniform(0.2, 3, size=shape[-1]) if use_weights else None
    loss, d = losses.softmax_cross_entropy(logits, targets, mask, weights)
    f = lambda: losses.softmax_cross_entropy(logits, targets, mask, weights)[0]
    assert gradcheck.relative_error(d, gradcheck.numeric_gradient(f, logits)) < 1e-6


def test_cross_entropy_is_stable_and_correct():
    logits = np.array([[1000.0, 0.0], [0.0, 0.0]])
    loss, _ = losses.softmax_cross_entropy(logits, np.array([0, 1]))
    assert loss == pytest.approx(np.log(2) / 2)
    np.testing.assert_allclose(losses.softmax(logits).sum(-1), 1.0)


def test_mse_gradient_and_mask():
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((3, 4, 2)), rng.standard_normal((3, 4, 2))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0]], bool)
    loss, d = losses.mean_squared_error(pred, target, mask)
    assert loss == pytest.approx(np.mean((pred - target)[mask] ** 2))
    f = lambda: losses.mean_squared_error(pred, target, mask)[0]
    assert gradcheck.relative_error(d, gradcheck.numeric_gradient(f, pred)) < 1e-6


def test_loss_input_errors():
    with pytest.raises(ValueError, match="targets must have shape"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), np.zeros(3, int))
    with pytest.raises(ValueError, match="0..2"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="integer"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="masked out"):
        losses.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1]), mask=np.zeros(2, bool))
    with pytest.raises(ValueError, match="same shape"):
        losses.mean_squared_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_clip_grad_norm_caps_the_length_and_keeps_the_direction():
    layer = Dense(2, 2)
    layer.grads = {"W": np.full((2, 2), 3.0), "b": np.full(2, 4.0)}
    before = optim.clip_grad_norm([layer], 1.0)
    assert before == pytest.approx(np.sqrt(4 * 9 + 2 * 16))
    assert optim.global_norm([layer]) == pytest.approx(1.0)
    assert layer.grads["W"][0, 0] / layer.grads["b"][0] == pytest.approx(3 / 4)


def test_optimizers_minimize_a_quadratic():
    for make in (lambda l: optim.SGD(l, lr=0.1), lambda l: optim.SGD(l, lr=0.05, momentum=0.9),
                 lambda l: optim.Adam(l, lr=0.1)):
        layer = Dense(1, 1, seed=0)
        layer.params["W"][:] = 5.0
        opt = make([layer])
        for _ in range(300):
            layer.grads = {"W": 2 * layer.params["W"], "b": 2 * (layer.params["b"] - 1)}
            opt.step()
        assert abs(layer.params["W"][0, 0]) < 1e-2 and layer.params["b"][0] == pytest.approx(1, abs=1e-2)


def test_optimizer_errors():
    with pytest.raises(RuntimeError, match="call backward"):
        optim.SGD([Dense(1, 1)]).step()
    with pytest.raises(ValueError, match="lr"):
        optim.Adam([Dense(1, 1)], lr=0)
    with pytest.raises(ValueError, match="not a layer"):
        optim.SGD([object()])
    with pytest.raises(ValueError, match=r"a list of layers \(e.g. model.layers\), got int"):
        optim.Adam(3)


def test_optimizers_take_a_model_as_its_layers():
    from rnnlib import models

    model = models.SequenceClassifier.build("rnn", 2, [3], 2, seed=0)
    assert optim.Adam(model).layers == model.layers == optim.SGD(model.layers).layers


def test_tasks_shapes_and_answers():
    x, y = tasks.next_sample(3, 20, seed=0)
    assert x.shape == y.shape == (3, 20, 1)
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    x, y = tasks.recall(8, gap=5, n_symbols=3, seed=0)
    assert x.shape == (8, 7, 4) and y.shape == (8,)
    np.testing.assert_array_equal(x[:, 0, :3].argmax(1), y)
    assert np.all(x[:, -1, -1] == 1) and np.all(x[:, :-1, :3].sum(-1) == 1) and np.all(x[:, -1, :3] == 0)
    x, y = tasks.adding(5, 10, seed=0)
    assert np.all(x[:, :, 1].sum(1) == 2)
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(1))
    with pytest.raises(ValueError, match="gap"):
        tasks.recall(2, gap=-1)
