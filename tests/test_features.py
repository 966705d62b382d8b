import numpy as np
import pytest

from rnnlib import audio, features


def test_default_shapes_at_8khz():
    y = audio.sine(500, 1.0, 8000)
    cfg = features.DEFAULT
    assert (cfg.win_length(8000), cfg.hop_length(8000), cfg.fft_size(8000)) == (200, 80, 256)
    assert features.spectrogram_db(y, 8000).shape == (101, 129)
    assert features.mel_spectrogram_db(y, 8000).shape == (101, 40)
    X = features.mfcc(y, 8000)
    assert X.shape == (101, 60) and X.dtype == np.float32 and cfg.n_features == 60


def test_spectrogram_peak_is_at_the_tone():
    y = audio.sine(1000, 1.0, 8000)
    S = features.spectrogram_db(y, 8000)
    assert features.fft_frequencies(8000)[S[50].argmax()] == pytest.approx(1000, abs=31.25)


def test_overrides_and_their_validation():
    y = audio.sine(500, 0.5, 8000)
    assert features.mfcc(y, 8000, n_mfcc=13, deltas=0).shape[1] == 13
    assert features.spectrogram_db(y, 8000, win_ms=64).shape[1] == 257
    with pytest.raises(ValueError, match="Unknown feature setting"):
        features.mfcc(y, 8000, window_ms=20)
    with pytest.raises(ValueError, match="deltas"):
        features.mfcc(y, 8000, deltas=3)
    with pytest.raises(ValueError, match="n_fft"):
        features.spectrogram_db(y, 8000, n_fft=64)


@pytest.mark.filterwarnings("ignore:n_fft=256 is too large")
def test_very_short_signals_still_get_deltas():
    X = features.mfcc(audio.sine(500, 0.02, 8000), 8000)
    assert X.shape == (3, 60) and np.all(np.isfinite(X))


def test_features_reject_bad_signals():
    with pytest.raises(ValueError, match="empty"):
        features.mfcc(np.zeros(0, np.float32), 8000)
    with pytest.raises(ValueError, match="1-D"):
        features.mfcc(np.zeros((2, 800), np.float32), 8000)
    with pytest.raises(ValueError, match="sample rate"):
        features.mfcc(np.zeros(800, np.float32), 0)


def test_config_round_trips_through_a_dict():
    cfg = features.make_config(n_mfcc=13, win_ms=30.0)
    assert features.FeatureConfig.from_dict(cfg.to_dict()) == cfg


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = [rng.normal(5.0, 2.0, size=(n, 3)) for n in (10, 20, 30)]
    test = [rng.normal(50.0, 1.0, size=(7, 3))]
    scaler = features.Standardizer().fit(train)
    joined = np.concatenate(train)
    np.testing.assert_allclose(scaler.mean, joined.mean(0), rtol=1e-5)
    out = scaler.transform(test)
    assert isinstance(out, list) and out[0].mean() > 10  # test data is *not* re-centred
    assert np.allclose(np.concatenate(scaler.transform(train)).mean(0), 0, atol=1e-5)
    back = features.Standardizer.from_dict(scaler.to_dict())
    np.testing.assert_array_equal(back.transform(test[0]), out[0])


def test_standardizer_errors():
    with pytest.raises(ValueError, match="not been fitted"):
        features.Standardizer().transform(np.zeros((2, 3)))
    scaler = features.Standardizer().fit([np.ones((4, 3))])
    assert np.all(scaler.std > 0)  # a constant feature does not divide by zero
    with pytest.raises(ValueError, match="fitted on 3"):
        scaler.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"\(T, D\)"):
        features.Standardizer().fit([np.zeros(5)])
    with pytest.raises(ValueError, match=r"same feature width D, got widths \[3, 4\]"):
        features.Standardizer().fit([np.zeros((5, 3)), np.zeros((2, 4))])


def test_standardizer_fits_a_generator_like_a_list():
    rng = np.random.default_rng(1)
    train = [rng.normal(size=(n, 3)) for n in (4, 9)]
    from_list = features.Standardizer().fit(train)
    from_generator = features.Standardizer().fit(s for s in train)
    np.testing.assert_array_equal(from_generator.mean, from_list.mean)
    np.testing.assert_array_equal(from_generator.std, from_list.std)


def test_pad_sequences_pads_and_masks():
    seqs = [np.ones((2, 3)), 2 * np.ones((4, 3)), 3 * np.ones((1, 3))]
    x, mask = features.pad_sequences(seqs)
    assert x.shape == (3, 4, 3) and mask.shape == (3, 4) and mask.dtype == bool
    np.testing.assert_array_equal(mask.sum(1), [2, 4, 1])
    assert np.all(x[~mask] == 0) and np.all(x[0, :2] == 1)
    x_cut, mask_cut = features.pad_sequences(seqs, max_len=3)
    assert x_cut.shape == (3, 3, 3) and mask_cut[1].all()


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="empty list"):
        features.pad_sequences([])
    with pytest.raises(ValueError, match="widths"):
        features.pad_sequences([np.ones((2, 3)), np.ones((2, 4))])


def test_real_recording_features(fsdd_dir):
    y, sr = audio.load(fsdd_dir / "recordings" / "7_jackson_32.wav")
    X = features.mfcc(y, sr)
    assert X.shape == (1 + y.size // 80, 60)
