"""Lesson 11's tools: DTW (against librosa's), and the recognizer in Keras and torch.nn (same probabilities,
autograd's gradients equal to the hand-written ones). The framework tests skip without the optional extra."""
import numpy as np
import pytest

from rnnlib import features, frameworks, interop, losses, models
from rnnlib.dtw import TemplateMatcher, dtw_distance, dtw_distances, dtw_path

NO_FRAMEWORK = frameworks.missing()
needs_framework = pytest.mark.skipif(NO_FRAMEWORK is not None, reason=f"skipped: {NO_FRAMEWORK}")


def test_dtw_equals_librosa_and_the_batched_version_equals_the_plain_one():
    import librosa

    rng = np.random.default_rng(0)
    a = rng.standard_normal((17, 5))
    templates = [rng.standard_normal((n, 5)) for n in (9, 23, 17, 1)]
    for b in templates:
        D, _ = librosa.sequence.dtw(X=a.T, Y=b.T, metric="euclidean")
        assert dtw_distance(a, b) == pytest.approx(D[-1, -1] / (len(a) + len(b)), rel=1e-12)
    np.testing.assert_allclose(dtw_distances(a, templates), [dtw_distance(a, b) for b in templates], rtol=1e-10)
    assert dtw_distance(a, a) == 0.0
    stretched = np.repeat(a, 2, axis=0)                 # the same "word", twice as slow: still a perfect match
    assert dtw_distance(a, stretched) == pytest.approx(0.0, abs=1e-12)
    D, steps = librosa.sequence.dtw(X=a.T, Y=templates[0].T, metric="euclidean")
    distance, path = dtw_path(a, templates[0])
    assert path[0] == (0, 0) and path[-1] == (len(a) - 1, len(templates[0]) - 1)
    assert sum(np.linalg.norm(a[i] - templates[0][j]) for i, j in path) == pytest.approx(D[-1, -1], rel=1e-12)
    with pytest.raises(ValueError, match="same D"):
        dtw_distance(a, np.zeros((3, 4)))


def test_template_matcher_finds_the_nearest_template():
    rng = np.random.default_rng(1)
    shapes = [np.sin(np.linspace(0, k + 1, 30))[:, None] * np.ones(3) for k in range(3)]
    seqs = [np.repeat(s, rng.integers(1, 3), axis=0) + 0.05 * rng.standard_normal((1, 3)) for s in shapes * 4]
    labels = [0, 1, 2] * 4
    matcher = TemplateMatcher().fit(seqs[:6], labels[:6], per_group=2)
    np.testing.assert_array_equal(matcher.predict(seqs[6:]), labels[6:])
    with pytest.raises(RuntimeError, match="before fit"):
        TemplateMatcher().predict(seqs)


def test_without_the_extra_the_message_says_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_torch(name, *args, **kwargs):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_torch)
    with pytest.raises(ImportError, match="requirements-framework.txt"):
        frameworks.torch()


def _batch(D=6, seed=0):
    rng = np.random.default_rng(seed)
    seqs = [rng.standard_normal((t, D)).astype(np.float32) for t in (7, 3, 5, 1)]
    return features.pad_sequences(seqs)


@needs_framework
@pytest.mark.parametrize("kind, pooling", [("lstm", "last"), ("lstm", "mean"), ("gru", "last"), ("gru", "mean")])
def test_keras_and_torch_give_rnnlibs_probabilities(kind, pooling):
    model = models.SequenceClassifier.build(kind, 6, [8, 5], 4, pooling=pooling, seed=3)
    for layer in model.layers:                              # non-zero biases, so their layout is tested too
        for key, value in layer.params.items():
            if key.startswith("b"):
                value[...] = np.random.default_rng(len(key)).standard_normal(value.shape) * 0.3
    x, mask = _batch()
    ours = model.predict_proba(x, mask)
    keras_probs = frameworks.keras_classifier(model).predict(x, verbose=0)
    np.testing.assert_allclose(keras_probs, ours, atol=1e-5)
    T = frameworks.torch()
    with T.no_grad():
        logits = frameworks.torch_classifier(model)(T.from_numpy(x), T.from_numpy(mask))
    np.testing.assert_allclose(T.softmax(logits, dim=1).numpy(), ours, atol=1e-5)


@needs_framework
def test_autograd_gradients_equal_the_hand_written_ones():
    T = frameworks.torch()
    model = models.SequenceClassifier.build("lstm", 6, [8, 5], 4, pooling="mean", seed=0, dtype=np.float64)
    x, mask = _batch()
    x = x.astype(np.float64)
    labels = np.array([0, 3, 1, 2])
    _, dlogits = losses.softmax_cross_entropy(model.forward(x, mask), labels)
    model.backward(dlogits)
    net = frameworks.torch_classifier(model).double()
    loss = T.nn.functional.cross_entropy(net(T.from_numpy(x), T.from_numpy(mask)), T.from_numpy(labels))
    loss.backward()
    for module, layer in zip([*net.recurrent, net.readout], model.layers):
        expected = interop.to_torch(layer)                  # the names torch uses
        grads = dict(module.named_parameters())
        g = layer.grads
        if type(layer).__name__ == "LSTM":      # torch adds its two biases, so each gets the gradient of rnnlib's b
            ours = {"weight_ih_l0": g["W_x"].T, "weight_hh_l0": g["W_h"].T, "bias_ih_l0": g["b"], "bias_hh_l0": g["b"]}
        else:
            ours = {"weight": g["W"].T, "bias": g["b"]}
        assert set(ours) == set(expected)
        for key, value in ours.items():
            np.testing.assert_allclose(grads[key].grad.numpy(), value, rtol=1e-6, atol=1e-10)
