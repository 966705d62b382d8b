import numpy as np
import pytest

from rnnlib import audio


def test_sine_has_requested_frequency_and_length():
    y = audio.sine(440, 0.5, 8000)
    assert y.shape == (4000,) and y.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(y))
    assert np.argmax(spectrum) * 8000 / y.size == pytest.approx(440)


def test_chirp_sweeps_from_f0_to_f1():
    y = audio.chirp(100, 3000, 1.0, 8000)
    first, last = y[:800], y[-800:]
    freq = lambda seg: np.argmax(np.abs(np.fft.rfft(seg))) * 8000 / seg.size
    assert freq(first) < 500 and freq(last) > 2500


def test_save_then_load_round_trip(tmp_path):
    y = audio.sine(300, 0.2, 8000, amplitude=0.5)
    path = audio.save(tmp_path / "tone.wav", y, 8000)
    back, sr = audio.load(path)
    assert sr == 8000 and back.dtype == np.float32
    np.testing.assert_allclose(back, y, atol=1 / 32768 + 1e-6)


def test_load_resamples_and_mixes_down_stereo(tmp_path):
    import soundfile as sf

    stereo = np.stack([audio.sine(440, 0.5, 16000), np.zeros(8000, np.float32)], axis=1)
    sf.write(tmp_path / "st.wav", stereo, 16000)
    y, sr = audio.load(tmp_path / "st.wav")
    assert sr == 8000 and y.shape == (4000,)
    assert np.abs(y).max() == pytest.approx(0.5, abs=0.02)
    native, native_sr = audio.load(tmp_path / "st.wav", sr=None)
    assert native_sr == 16000 and native.shape == (8000,)


def test_load_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="No audio file"):
        audio.load(tmp_path / "missing.wav")
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(ValueError, match="Could not read"):
        audio.load(tmp_path / "text.wav")
    with pytest.raises(ValueError, match="folder"):
        audio.load(tmp_path)


def test_alias_frequency_folds_into_nyquist_band():
    assert audio.alias_frequency(1000, 8000) == 1000
    assert audio.alias_frequency(5000, 8000) == 3000
    assert audio.alias_frequency(8000, 8000) == 0
    assert audio.alias_frequency(9000, 8000) == 1000
    # The samples really are identical to those of the alias (up to sign).
    t = np.arange(64) / 8000
    np.testing.assert_allclose(np.sin(2 * np.pi * 5000 * t), -np.sin(2 * np.pi * 3000 * t), atol=1e-9)


def test_resample_removes_what_the_new_rate_cannot_hold():
    y = audio.sine(3000, 1.0, 8000)
    down = audio.resample(y, 8000, 4000)
    assert down.size == 4000 and audio.rms(down[400:-400]) < 1e-3
    assert audio.rms(y[::2]) > 0.5  # naive decimation aliases instead


def test_quantize_levels_and_snr_rule():
    y = audio.sine(440, 1.0, 8000, amplitude=0.999).astype(np.float64)
    q = audio.quantize(y, 3)
    assert len(np.unique(q)) <= 8
    for bits in (8, 12):
        err = audio.quantize(y, bits) - y
        snr = 10 * np.log10(np.mean(y**2) / np.mean(err**2))
        assert snr == pytest.approx(6.02 * bits + 1.76, abs=1.0)


def test_add_noise_hits_the_requested_snr():
    y = audio.sine(440, 2.0, 8000, amplitude=0.5)
    noisy = audio.add_noise(y, 10.0, seed=0)
    noise = noisy - y
    assert 10 * np.log10(np.mean(y**2) / np.mean(noise**2)) == pytest.approx(10.0, abs=0.2)
    np.testing.assert_array_equal(noisy, audio.add_noise(y, 10.0, seed=0))


def test_amplitude_to_db():
    assert audio.amplitude_to_db(1.0) == 0.0
    assert audio.amplitude_to_db(0.1) == pytest.approx(-20.0)
    assert audio.amplitude_to_db(0.0) == -120.0


@pytest.mark.parametrize("bad, message", [
    (np.array([], dtype=np.float32), "empty"),
    (np.zeros((2, 10), dtype=np.float32), "1-D"),
    (np.array([1, 2, 3], dtype=np.int16), "pcm_to_float"),
    (np.array([0.0, np.nan]), "NaN"),
])
def test_signals_are_validated(bad, message):
    with pytest.raises(ValueError, match=message):
        audio.rms(bad)


@pytest.mark.parametrize("sr", [0, -8000, 8000.5, "fast"])
def test_sample_rate_is_validated(sr):
    with pytest.raises(ValueError, match="sample rate"):
        audio.sine(440, 1.0, sr)


def test_pcm_to_float():
    np.testing.assert_allclose(audio.pcm_to_float(np.array([0, 16384, -32768], dtype=np.int16)), [0, 0.5, -1])
    with pytest.raises(ValueError):
        audio.pcm_to_float(np.array([0.5]))


def test_set_loudness_reaches_the_level_and_leaves_silence_alone():
    y = 0.01 * audio.sine(300, 0.5, 8000)
    assert audio.amplitude_to_db(audio.rms(audio.set_loudness(y, -20.0))) == pytest.approx(-20.0, abs=1e-4)
    silence = np.zeros(100, np.float32)
    np.testing.assert_array_equal(audio.set_loudness(silence, -20.0), silence)


def test_mu_law_spends_its_levels_near_zero_and_decodes_back():
    y = np.linspace(-1, 1, 20001)
    q = audio.mu_law_encode(y)
    assert q.dtype.kind == "i" and q.min() == 0 and q.max() == 255 and np.all(np.diff(q) >= 0)
    back = audio.mu_law_decode(q)
    err = np.abs(back - y)
    assert err[np.abs(y) < 0.01].max() < 5e-4 < 0.01 < err.max() < 0.03    # fine steps near 0, coarse near ±1
    np.testing.assert_array_equal(audio.mu_law_encode(audio.mu_law_decode(np.arange(256))), np.arange(256))
    assert audio.mu_law_encode(np.array([2.0, -3.0])).tolist() == [255, 0]   # clipped to [-1, 1] first


def test_mu_law_says_what_it_takes():
    with pytest.raises(ValueError, match="whole numbers from 0 to 255"):
        audio.mu_law_decode(np.array([0, 256]))
    with pytest.raises(ValueError, match="whole numbers from 0 to 255"):
        audio.mu_law_decode(np.array([0.5]))
    with pytest.raises(ValueError, match="mu must be a whole number"):
        audio.mu_law_encode(np.zeros(3), mu=0)
