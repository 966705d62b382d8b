import numpy as np
import pytest

from rnnlib import experiments, gradcheck, inference, models, optim, tasks, train
from rnnlib.layers import GRU, LSTM, RNN, Dense


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("pooling", ["last", "mean"])
def test_classifier_gradients_through_the_stack(kind, pooling):
    rng = np.random.default_rng(0)
    model = models.SequenceClassifier.build(kind, 3, [4, 5], 3, pooling=pooling, seed=1, dtype=np.float64)
    x = rng.standard_normal((4, 6, 3))
    mask = np.arange(6)[None] < np.array([6, 3, 1, 5])[:, None]
    y = np.array([0, 2, 1, 2])

    def loss():
        return model.loss(x, y, mask)[0]

    _, dlogits = model.loss(x, y, mask)
    model.backward(dlogits)
    arrays = {f"{i}.{k}": v for i, layer in enumerate(model.layers) for k, v in layer.params.items()}
    analytic = {f"{i}.{k}": layer.grads[k] for i, layer in enumerate(model.layers) for k in layer.params}
    errors = gradcheck.check_gradients(loss, arrays, analytic)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("pooling", ["last", "mean"])
def test_padding_does_not_change_predictions(pooling):
    rng = np.random.default_rng(1)
    model = models.SequenceClassifier.build("lstm", 3, [8, 8], 4, pooling=pooling, seed=0)
    seqs = [rng.standard_normal((n, 3)).astype(np.float32) for n in (5, 9, 2)]
    alone = np.concatenate([model.predict_proba(s[None]) for s in seqs])
    x = np.zeros((3, 12, 3), np.float32)
    mask = np.zeros((3, 12), bool)
    for b, s in enumerate(seqs):
        x[b, :len(s)], mask[b, :len(s)] = s, True
    np.testing.assert_allclose(model.predict_proba(x, mask), alone, atol=1e-6)


def test_build_and_validation():
    model = models.SequenceClassifier.build("lstm", 60, [64, 64], 10, seed=0)
    assert model.n_params == 4 * (60 * 64 + 64 * 64 + 64) + 4 * (64 * 64 + 64 * 64 + 64) + 64 * 10 + 10
    assert len(model.layers) == 3 and model.n_classes == 10 and model.input_size == 60
    with pytest.raises(ValueError, match="kind"):
        models.SequenceClassifier.build("transformer", 3, [4], 2)
    with pytest.raises(ValueError, match="expects 5 inputs"):
        models.SequenceClassifier([RNN(3, 4), GRU(5, 4)], Dense(4, 2))
    with pytest.raises(ValueError, match="readout"):
        models.SequenceClassifier([RNN(3, 4)], Dense(5, 2))
    with pytest.raises(ValueError, match="pooling"):
        models.SequenceClassifier([RNN(3, 4)], Dense(4, 2), pooling="max")


def test_fit_classifier_learns_a_short_memory_task():
    x, y = tasks.recall(600, 3, n_symbols=4, seed=0)
    model = models.SequenceClassifier.build("lstm", x.shape[2], [16], 4, seed=0)
    history = train.fit_classifier(model, x.astype(np.float32), y, optimizer=optim.Adam(model.layers, lr=0.02),
                                   steps=150, clip=1.0)
    assert history["loss"][-1] < history["loss"][0] / 4
    x_test, y_test = tasks.recall(300, 3, n_symbols=4, seed=1)
    assert inference.accuracy(model, x_test.astype(np.float32), y_test) > 0.9


def test_recall_accuracy_keep_bias_is_for_gates_only():
    with pytest.raises(ValueError, match="gated"):
        experiments.recall_accuracy("rnn", 2, steps=1, keep_bias=2.0)


@pytest.mark.parametrize("cls", [RNN, LSTM, GRU])
def test_state_gradients_match_a_split_run(cls):
    """dstates[:, k] is dL/dh_k: equal to running the rest of the sequence from h_k and asking for dh0."""
    rng = np.random.default_rng(2)
    B, T, D, H, k = 2, 7, 3, 4, 3
    layer = cls(D, H, seed=0)
    x, R = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, H))
    layer.forward(x)
    layer.backward(R)
    full = layer.dstates[:, k].copy()
    head = cls(D, H, seed=0)
    head.forward(x[:, :k + 1])
    states = {"h0": head.last_state}
    if cls is LSTM:
        states["c0"] = head.last_cell
    tail = cls(D, H, seed=0)
    tail.forward(x[:, k + 1:], **states)
    tail.backward(R[:, k + 1:])
    np.testing.assert_allclose(full, R[:, k] + tail.dh0, atol=1e-12)


def test_embed_is_what_the_readout_reads():
    import numpy as np

    from rnnlib import models

    rng = np.random.default_rng(0)
    model = models.SequenceClassifier.build("gru", 3, [5], 4, pooling="mean", seed=0, dtype=np.float64)
    x, mask = rng.standard_normal((2, 6, 3)), np.arange(6)[None] < np.array([[6], [3]])
    z = model.embed(x, mask)
    assert z.shape == (2, 5)
    np.testing.assert_allclose(z @ model.readout.params["W"] + model.readout.params["b"], model.forward(x, mask))
