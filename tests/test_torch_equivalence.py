"""The hand-written layers, losses and optimizers equal PyTorch autograd (float64, 1e-8).

Skipped cleanly where torch is not installed; CI installs torch==2.13.0 so these run there.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402

from helpers import layer_with_biases, padded_batch  # noqa: E402
from rnnlib import interop, losses, optim  # noqa: E402
from rnnlib.layers import RNN, Dense  # noqa: E402

ATOL = 1e-8


def _t(a, grad=False):
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def _close(ours, theirs):
    np.testing.assert_allclose(ours, theirs.detach().numpy() if hasattr(theirs, "detach") else theirs,
                               atol=ATOL, rtol=0)


def _torch_rnn(layer):
    D, H = layer.params["W_xh"].shape
    module = torch.nn.RNN(D, H, batch_first=True).double()
    module.load_state_dict({k: torch.from_numpy(v) for k, v in interop.rnn_to_torch(layer.params).items()})
    return module


@pytest.mark.parametrize("B, T, D, H", [(1, 1, 2, 3), (4, 9, 3, 5), (2, 30, 6, 8)])
def test_rnn_equals_torch(B, T, D, H):
    rng = np.random.default_rng(T)
    layer = RNN(D, H, seed=3)
    layer.params["b_h"][:] = rng.normal(0, 0.5, H)
    x, h0, dout = rng.standard_normal((B, T, D)), rng.standard_normal((B, H)), rng.standard_normal((B, T, H))
    ours = layer.forward(x, h0=h0)
    dx = layer.backward(dout)

    module = _torch_rnn(layer)
    xt, h0t = _t(x, True), _t(h0[None], True)
    out, _ = module(xt, h0t)
    (out * _t(dout)).sum().backward()
    _close(ours, out)
    _close(dx, xt.grad)
    _close(layer.dh0, h0t.grad[0])
    grads = interop.rnn_from_torch({k: p.grad for k, p in module.named_parameters()})
    for name in ("W_xh", "W_hh"):
        _close(layer.grads[name], grads[name])
    _close(layer.grads["b_h"], module.bias_ih_l0.grad)  # d/d b_ih = d/d b_hh = d/d b_h


@pytest.mark.parametrize("shape", [(5, 3), (2, 7, 3)])
def test_dense_equals_torch(shape):
    rng = np.random.default_rng(1)
    layer = Dense(3, 4, seed=0)
    layer.params["b"][:] = rng.normal(size=4)
    x, dout = rng.standard_normal(shape), rng.standard_normal(shape[:-1] + (4,))
    ours, dx = layer.forward(x), None
    dx = layer.backward(dout)
    module = torch.nn.Linear(3, 4).double()
    module.load_state_dict({k: torch.from_numpy(v) for k, v in interop.dense_to_torch(layer.params).items()})
    xt = _t(x, True)
    out = module(xt)
    (out * _t(dout)).sum().backward()
    _close(ours, out)
    _close(dx, xt.grad)
    grads = interop.dense_from_torch({k: p.grad for k, p in module.named_parameters()})
    _close(layer.grads["W"], grads["W"])
    _close(layer.grads["b"], grads["b"])


@pytest.mark.parametrize("with_mask, with_weights", [(False, False), (True, True)])
def test_cross_entropy_equals_torch(with_mask, with_weights):
    rng = np.random.default_rng(2)
    logits, targets = rng.standard_normal((3, 6, 5)) * 4, rng.integers(0, 5, size=(3, 6))
    mask = rng.random((3, 6)) > 0.4 if with_mask else None
    weights = rng.uniform(0.5, 2, 5) if with_weights else None
    loss, d = losses.softmax_cross_entropy(logits, targets, mask, weights)
    lt = _t(logits, True)
    torch_targets = torch.from_numpy(np.where(mask, targets, -100) if with_mask else targets)
    ref = F.cross_entropy(lt.reshape(-1, 5), torch_targets.reshape(-1),
                          weight=None if weights is None else _t(weights), ignore_index=-100)
    ref.backward()
    assert loss == pytest.approx(ref.item(), abs=ATOL)
    _close(d, lt.grad)


def test_mse_equals_torch():
    rng = np.random.default_rng(3)
    pred, target = rng.standard_normal((4, 5, 2)), rng.standard_normal((4, 5, 2))
    loss, d = losses.mean_squared_error(pred, target)
    pt = _t(pred, True)
    ref = F.mse_loss(pt, _t(target))
    ref.backward()
    assert loss == pytest.approx(ref.item(), abs=ATOL)
    _close(d, pt.grad)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "adam"])
def test_optimizer_steps_equal_torch(kind):
    rng = np.random.default_rng(4)
    layer = Dense(3, 2, seed=0)
    module = torch.nn.Linear(3, 2).double()
    module.load_state_dict({k: torch.from_numpy(v) for k, v in interop.dense_to_torch(layer.params).items()})
    ours = {"sgd": lambda: optim.SGD([layer], lr=0.1), "momentum": lambda: optim.SGD([layer], lr=0.1, momentum=0.9),
            "adam": lambda: optim.Adam([layer], lr=0.01)}[kind]()
    theirs = {"sgd": lambda: torch.optim.SGD(module.parameters(), lr=0.1),
              "momentum": lambda: torch.optim.SGD(module.parameters(), lr=0.1, momentum=0.9, dampening=0),
              "adam": lambda: torch.optim.Adam(module.parameters(), lr=0.01)}[kind]()
    for step in range(5):
        x, dout = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
        layer.forward(x)
        layer.backward(dout)
        ours.step()
        theirs.zero_grad()
        (module(_t(x)) * _t(dout)).sum().backward()
        theirs.step()
    params = interop.dense_from_torch(module.state_dict())
    _close(layer.params["W"], params["W"])
    _close(layer.params["b"], params["b"])


# ---------------------------------------------------------------- LSTM and GRU, through rnnlib.interop

from rnnlib.layers import GRU, LSTM  # noqa: E402


def _torch_module(layer):
    D, H = layer.input_size, layer.hidden_size
    module = getattr(torch.nn, type(layer).__name__)(D, H, batch_first=True).double()
    module.load_state_dict({k: torch.from_numpy(v) for k, v in interop.to_torch(layer).items()})
    return module


def _gated(cls, D, H, rng):
    return layer_with_biases(cls, D, H, rng, seed=2, scale=0.5)


@pytest.mark.parametrize("cls", [LSTM, GRU])
@pytest.mark.parametrize("B, T, D, H", [(1, 1, 2, 3), (4, 9, 3, 5), (2, 30, 6, 8)])
def test_gated_layers_equal_torch(cls, B, T, D, H):
    rng = np.random.default_rng(T + B)
    layer = _gated(cls, D, H, rng)
    x, h0, c0 = rng.standard_normal((B, T, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    dout = rng.standard_normal((B, T, H))
    kwargs = {"h0": h0, "c0": c0} if cls is LSTM else {"h0": h0}
    ours = layer.forward(x, **kwargs)
    dx = layer.backward(dout)

    module = _torch_module(layer)
    xt, h0t, c0t = _t(x, True), _t(h0[None], True), _t(c0[None], True)
    out, _ = module(xt, (h0t, c0t) if cls is LSTM else h0t)
    (out * _t(dout)).sum().backward()
    _close(ours, out)
    _close(dx, xt.grad)
    _close(layer.dh0, h0t.grad[0])
    if cls is LSTM:
        _close(layer.dc0, c0t.grad[0])
    theirs = {k: p.grad for k, p in module.named_parameters()}
    expected = (interop.lstm_from_torch if cls is LSTM else interop.gru_from_torch)(theirs)
    for name in ("W_x", "W_h"):
        _close(layer.grads[name], expected[name])
    if cls is LSTM:
        _close(layer.grads["b"], module.bias_ih_l0.grad)  # d/d b_ih = d/d b_hh = d/d b
    else:
        _close(layer.grads["b_x"], expected["b_x"])
        _close(layer.grads["b_h"], expected["b_h"])


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_masked_layers_equal_torch_packed_sequences(cls):
    """Padding with a mask equals PyTorch's packed sequences: outputs, final states and every gradient."""
    rng = np.random.default_rng(7)
    D, H = 3, 5
    layer = _gated(cls, D, H, rng)
    x, mask, dout = padded_batch(rng, [8, 5, 1, 3], D, H)
    dlast = rng.standard_normal((4, H))
    ours = layer.forward(x, mask=mask)
    dx = layer.backward(dout, dlast=dlast)

    module = _torch_module(layer)
    xt = _t(x, True)
    lengths = torch.from_numpy(mask.sum(1))
    packed = torch.nn.utils.rnn.pack_padded_sequence(xt, lengths, batch_first=True, enforce_sorted=False)
    out_packed, state = module(packed)
    h_n = state[0] if cls is LSTM else state
    out, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=True, total_length=x.shape[1])
    ((out * _t(dout)).sum() + (h_n[0] * _t(dlast)).sum()).backward()
    _close(ours, out)
    _close(layer.last_state, h_n[0])
    if cls is LSTM:
        _close(layer.last_cell, state[1][0])
    _close(dx, xt.grad)
    grads = {k: p.grad for k, p in module.named_parameters()}
    mapped = {RNN: interop.rnn_from_torch, LSTM: interop.lstm_from_torch, GRU: interop.gru_from_torch}[cls](grads)
    for name, value in mapped.items():
        if cls is not GRU and name in ("b", "b_h"):
            value = grads["bias_ih_l0"]  # torch's two biases each get the one bias's gradient (mapping adds them)
        _close(layer.grads[name], value)
