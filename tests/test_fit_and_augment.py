import numpy as np
import pytest

from rnnlib import audio, augment, inference, models, train


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
    batches = inference.length_buckets(lengths, 10, rng)
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
        runs.append((history, inference.predict_sequences(model, val[0])))
    history, probs = runs[0]
    assert history["val_loss"][history["best_epoch"]] == min(history["val_loss"])
    assert max(history["val_accuracy"]) > 0.8
    # the weights in the model are the best epoch's: their accuracy is that epoch's validation accuracy
    assert np.mean(probs.argmax(1) == val[1]) == pytest.approx(history["val_accuracy"][history["best_epoch"]])
    assert runs[0][0]["loss"] == runs[1][0]["loss"]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


def test_fit_can_end_with_the_average_of_the_last_epochs_weights():
    seqs, labels = _toy()
    weights = []

    def remember(model, *args, **kwargs):                  # train_epoch, keeping each epoch's weights
        out = train.train_epoch(model, *args, **kwargs)
        weights.append(model.layers[0].params["W_x"].copy())
        return out

    model = models.SequenceClassifier.build("gru", 2, [8], 3, pooling="mean", seed=0)
    history = train.fit(model, seqs, labels, validation=_toy(60, seed=1), epochs=5, batch_size=16, lr=0.02,
                        patience=None, progress=False, seed=3, epoch_fn=remember, average_last=3)
    assert history["averaged_epochs"] == 3 and len(weights) == 5
    np.testing.assert_allclose(model.layers[0].params["W_x"], np.mean(weights[-3:], axis=0), rtol=1e-6)
    with pytest.raises(ValueError, match="average_last"):
        train.fit(model, seqs, labels, epochs=1, progress=False, average_last=0)


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


# ---------------------------------------------------------------- noisy rooms (lesson 09)

def test_mix_reaches_the_requested_snr_with_any_noise():

    y = audio.sine(300, 0.5)
    noise = audio.white_noise(0.1, seed=3)                     # shorter than y: it is repeated
    for snr in (20, 5, 0, -5):
        mixed = augment.mix(y, noise, snr)
        assert mixed.shape == y.shape
        assert 20 * np.log10(audio.rms(y) / audio.rms(mixed - y)) == pytest.approx(snr, abs=1e-3)


def test_mix_errors_say_what_to_do():

    y = audio.sine(300, 0.1)
    with pytest.raises(ValueError, match="number of decibels"):
        augment.mix(y, y, "loud")
    with pytest.raises(ValueError, match="finite"):
        augment.mix(y, y, float("nan"))
    with pytest.raises(ValueError, match="non-silent"):
        augment.mix(y, np.zeros(10, np.float32), 10)


def test_babble_overlaps_several_talkers_at_equal_loudness():

    talkers = [audio.sine(f, 0.2) * a for f, a in ((200, 0.1), (310, 0.9), (450, 0.5), (620, 0.3))]
    b = augment.babble(talkers, 4000, n_talkers=3, seed=0)
    assert b.shape == (4000,) and b.dtype == np.float32
    assert np.array_equal(b, augment.babble(talkers, 4000, n_talkers=3, seed=0))
    with pytest.raises(ValueError, match="n_talkers must be between 1 and the 4"):
        augment.babble(talkers, 100, n_talkers=5)
    with pytest.raises(ValueError, match="positive whole number"):
        augment.babble(talkers, 0)


def test_room_impulse_response_decays_60_db_in_rt60():
    from rnnlib import augment
    rt60, sr = 0.5, 8000
    h = augment.room_impulse_response(rt60, sr, seed=0)
    assert h.shape == (4000,) and np.isclose(np.sum(h**2), 1.0)
    # Schroeder's backward integration: the energy still to come, in dB; fit its slope between -5 and -35 dB
    decay = 10 * np.log10(np.cumsum((h[1:] ** 2)[::-1])[::-1] / np.sum(h[1:] ** 2))
    t = np.arange(1, h.size) / sr
    fit = (decay < -5) & (decay > -35)
    slope = np.polyfit(t[fit], decay[fit], 1)[0]
    assert -60 / slope == pytest.approx(rt60, rel=0.1)
    with pytest.raises(ValueError, match="rt60 must be a positive number"):
        augment.room_impulse_response(-1)


def test_reverberate_rings_on_and_keeps_the_peak():

    y = audio.sine(300, 0.2)
    wet = augment.reverberate(y, augment.room_impulse_response(0.3, seed=1))
    assert wet.shape == (y.size + 2400 - 1,)
    assert np.isclose(np.abs(wet).max(), np.abs(y).max())
    assert audio.rms(wet[y.size:]) > 0.01                     # the room keeps ringing


def test_noisy_copy_draws_every_kind_of_room():

    y = audio.sine(300, 0.2)
    rng = np.random.default_rng(0)
    lengths = {augment.noisy_copy(y, rng, talkers=[audio.sine(500, 0.3)]).size for _ in range(30)}
    assert y.size in lengths and any(n > y.size for n in lengths)   # noise keeps the length; a room adds a tail


def test_corrupt_builds_a_test_room_and_rejects_unknown_ones():
    waves = [audio.sine(f, 0.2) for f in (200, 300, 400, 500, 600)]
    speakers = ["a", "b", "c", "d", "e"]
    for kind, level in (("white", 5), ("babble", 0), ("room", 0.3)):
        out = augment.corrupt(waves, speakers, kind, level, seed=0)
        assert len(out) == 5 and all(len(o) >= len(w) for o, w in zip(out, waves))
    noisy = augment.corrupt(waves, speakers, "babble", 0, seed=0)[0]
    assert 20 * np.log10(audio.rms(waves[0]) / audio.rms(noisy - waves[0])) == pytest.approx(0, abs=1e-3)
    with pytest.raises(ValueError, match='"white", "babble" or "room"'):
        augment.corrupt(waves, speakers, "reverb", 0.5)


def test_labelled_copies_keep_every_label_with_its_own_recording():
    """Each copy carries the label of the recording it was made from (lesson 09 and benchmarks/imbalance.py).

    Recording k is a tone at frequency k; a copy at speed s sounds at s · k, a copy in a room at k. So the
    loudest frequency of every copy names the recording it came from, whatever order the copies are in.
    """
    base = {0: 250.0, 1: 800.0, 2: 2200.0}
    labels = np.array([2, 0, 1, 0, 2])
    waves = [audio.sine(base[label], 0.3) for label in labels]
    speeds = (0.8, 0.9, 1.1, 1.2)
    copies, copy_labels = augment.labelled_copies(waves, labels, np.random.default_rng(0), speeds=speeds, rooms=2)
    assert len(copies) == len(copy_labels) == len(waves) * (len(speeds) + 2)
    for y, label in zip(copies, copy_labels):
        spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
        loudest = np.argmax(spectrum) * audio.SAMPLE_RATE / y.size
        assert 0.75 * base[label] < loudest < 1.25 * base[label], (label, loudest)
    assert np.bincount(copy_labels).tolist() == [12, 6, 12]
    with pytest.raises(ValueError, match="one label per waveform"):
        augment.labelled_copies(waves, labels[:2], np.random.default_rng(0))
