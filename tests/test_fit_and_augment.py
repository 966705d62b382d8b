import numpy as np
import pytest

from rnnlib import audio, augment, models, train


def _toy(n=160, seed=0):
    """Class k is a sequence whose first feature ramps with slope k: lengths vary from 3 to 14."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    seqs = []
    for k in labels:
        T = int(rng.integers(3, 15))
        s = rng.normal(0, 0.3, size=(T, 2)).astype(np.float32)
        s[:, 0] += (k - 1) * np.linspace(0, 1, T)
        seqs.append(s)
    return seqs, labels


def test_length_buckets_cover_every_index_once_and_group_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 100, size=103)
    batches = train.length_buckets(lengths, 10, rng)
    assert sorted(np.concatenate(batches).tolist()) == list(range(103))
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    assert spread < 15


def test_fit_learns_restores_the_best_weights_and_is_reproducible():
    seqs, labels = _toy()
    val = _toy(60, seed=1)
    runs = []
    for _ in range(2):
        model = models.SequenceClassifier.build("gru", 2, [8], 3, pooling="mean", seed=0)
        history = train.fit(model, seqs, labels, validation=val, epochs=6, batch_size=16, lr=0.02, patience=2,
                            progress=False, seed=3)
        runs.append((history, train.predict_sequences(model, val[0])))
    history, probs = runs[0]
    assert history["val_loss"][history["best_epoch"]] == min(history["val_loss"])
    assert max(history["val_accuracy"]) > 0.8
    # the weights in the model are the best epoch's: their accuracy is that epoch's validation accuracy
    assert np.mean(probs.argmax(1) == val[1]) == pytest.approx(history["val_accuracy"][history["best_epoch"]])
    assert runs[0][0]["loss"] == runs[1][0]["loss"]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_fit_validates_labels():
    seqs, labels = _toy(10)
    model = models.SequenceClassifier.build("rnn", 2, [4], 3)
    with pytest.raises(ValueError, match="one label per sequence"):
        train.fit(model, seqs, labels[:5], progress=False)
    with pytest.raises(ValueError, match="0..2"):
        train.fit(model, seqs, labels + 5, progress=False)


def test_speed_changes_duration_and_pitch():
    y = audio.sine(500, 1.0, 8000)
    fast = augment.speed(y, 1.25)
    assert len(fast) == pytest.approx(8000 / 1.25, abs=2)
    peak = np.argmax(np.abs(np.fft.rfft(fast))) * 8000 / len(fast)
    assert peak == pytest.approx(625, abs=5)


def test_spec_mask_masks_coefficients_in_every_delta_block():
    rng = np.random.default_rng(0)
    x = np.ones((50, 60), np.float32)
    masked = augment.spec_mask(x, rng=rng, time_masks=0, freq_masks=1, max_freq=4, n_coeffs=20)
    zero_cols = np.flatnonzero(masked.sum(0) == 0)
    assert zero_cols.size in (0, 3, 6, 9, 12)
    assert set((zero_cols % 20).tolist()) == set((zero_cols[zero_cols < 20]).tolist())
    assert np.all(x == 1)  # the input is not modified
