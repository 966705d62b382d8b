"""Packet-loss concealment (lesson 10): the measures, the classic methods and the RNN gap filler."""
import numpy as np
import pytest

from rnnlib import audio, gradcheck, models, repair, train


def test_snr_db_scores():
    ref = audio.sine(200, 0.05)
    assert repair.snr_db(ref, np.zeros_like(ref)) == pytest.approx(0.0)
    assert repair.snr_db(ref, ref) == float("inf")
    assert repair.snr_db(ref, 0.9 * ref) == pytest.approx(20.0)           # error 0.1·ref: 20 dB
    assert repair.snr_db(ref, -ref) == pytest.approx(10 * np.log10(1 / 4))  # the wrong sign is worse than silence
    with pytest.raises(ValueError, match="same length"):
        repair.snr_db(ref, ref[:-1])
    with pytest.raises(ValueError, match="reference is silent"):
        repair.snr_db(np.zeros(10), np.ones(10))


def test_log_spectral_distance_ignores_phase_but_not_pitch():
    t = np.arange(320) / 8000
    ref = np.sin(2 * np.pi * 200 * t)
    shifted = np.sin(2 * np.pi * 200 * t + 2.0)
    assert repair.log_spectral_distance(ref, ref) == 0.0
    assert repair.log_spectral_distance(ref, shifted) < 3.0      # the same spectrum...
    assert repair.snr_db(ref, shifted) < 0.0                     # ...out of phase: worse than silence in SNR
    assert repair.log_spectral_distance(ref, np.sin(2 * np.pi * 330 * t)) > 10
    assert repair.log_spectral_distance(ref, np.zeros_like(ref)) > repair.log_spectral_distance(ref, shifted)


def test_classic_concealers_on_signals_they_suit():
    t = np.arange(2000) / 8000
    y = np.sin(2 * np.pi * 250 * t)               # period 32 samples
    start, gap = 1200, 320
    repeated = repair.conceal(y, start, gap, repair.repeat_previous, context=400)
    assert repair.snr_db(y[start:start + gap], repeated[start:start + gap]) > 200   # 320 samples = 10 periods
    for concealer in (repair.lpc_extrapolate, repair.both_sides(repair.lpc_extrapolate)):
        filled = repair.conceal(y, start, gap, concealer, context=400)
        assert repair.snr_db(y[start:start + gap], filled[start:start + gap]) > 30
        assert np.array_equal(filled[:start], y[:start]) and np.array_equal(filled[start + gap:], y[start + gap:])
    silent = repair.conceal(y, start, gap, repair.silence, context=400)
    assert not silent[start:start + gap].any()


def test_pitch_methods_continue_a_voice_that_plain_lpc_lets_die():
    """A voiced sound with a pitch period of 70 samples (114 Hz): a harmonic sum, and pulses through a resonance."""
    from scipy.signal import lfilter

    n, period, start, gap = np.arange(3000), 70, 1200, 640            # an 80 ms gap
    harmonic = sum(np.sin(2 * np.pi * k * n / period + k) / k for k in range(1, 6))
    assert repair.pitch_period(harmonic[:start]) == period
    filled = repair.conceal(harmonic, start, gap, repair.pitch_repeat, context=640)[start:start + gap]
    truth = harmonic[start:start + gap]
    assert repair.snr_db(truth[:80], filled[:80]) > 100               # the first 10 ms: the last period, exactly
    level = [audio.rms(filled[k:k + 80]) for k in range(80, 480, 80)]
    assert all(a > b for a, b in zip(level, level[1:]))               # then fading, 20% per 10 ms...
    assert not filled[480:].any()                                     # ...to silence from 60 ms

    pulses = np.zeros(n.size)
    pulses[::period] = 1.0
    voice = lfilter([1.0], [1.0, -1.3, 0.8], pulses)                  # a glottal pulse train through a resonance
    truth = voice[start:start + gap]
    excited = repair.conceal(voice, start, gap, repair.lpc_pitch_excited, context=640)[start:start + gap]
    ringing = repair.conceal(voice, start, gap, repair.lpc_extrapolate, context=640)[start:start + gap]
    assert repair.snr_db(truth[:80], excited[:80]) > 100
    assert np.sum(ringing[80:160] ** 2) < 1e-6 * np.sum(truth[80:160] ** 2)   # no excitation: dead after 10 ms
    with pytest.raises(ValueError, match="too few to find a pitch period"):
        repair.pitch_period(np.ones(100))


def test_conceal_errors_say_what_to_do():
    y = audio.sine(200, 0.1)                     # 800 samples
    with pytest.raises(ValueError, match="does not fit in a recording of 800"):
        repair.conceal(y, 0, 900, repair.silence, context=10)
    with pytest.raises(ValueError, match="start must be in 0..480"):
        repair.conceal(y, 500, 320, repair.silence, context=10)
    with pytest.raises(ValueError, match="must return \\(320,\\)"):
        repair.conceal(y, 100, 320, lambda left, right, n: np.zeros(n - 1), context=10)
    with pytest.raises(ValueError, match="positive whole number"):
        repair.conceal(y, 100, 0, repair.silence, context=10)


def test_gaps_fall_in_speech():
    y = np.concatenate([np.zeros(1000), audio.sine(200, 0.2), np.zeros(1000)])      # speech only in the middle
    starts = repair.speech_gap_starts(y, 160, context=200, count=50, seed=0)
    # rms ≥ 0.3: ≥ 9% in the tone
    assert len(starts) == 50 and starts.min() >= 1000 - 160 + 14 and starts.max() <= 2600 - 14
    assert len(repair.speech_gap_starts(y[:300], 160, context=200, count=5)) == 0        # too short: none
    windows = repair.gap_windows([y, y[:300]], 160, context=200, per_recording=4, seed=1)
    assert windows.shape == (4, 560)
    assert np.allclose(np.maximum(np.abs(windows[:, :200]).max(1), np.abs(windows[:, 360:]).max(1)), 1.0)


def _small_filler(dtype=np.float64):
    return models.GapFiller(frame=3, hidden=4, context=2, seed=0, dtype=dtype)


def test_gap_filler_gradients_are_right():
    """Both readers and the readout, against numeric gradients in float64."""
    model = _small_filler()
    rng = np.random.default_rng(1)
    windows = rng.standard_normal((3, (2 * 2 + 3) * 3))
    for layer in model.layers:
        for name, p in layer.params.items():
            if name.startswith("b"):
                p[:] = rng.normal(0, 0.3, p.shape)
    loss, dpred = model.loss(windows, 3)
    model.backward(dpred)
    for layer in model.layers:
        for name, p in layer.params.items():
            numeric = gradcheck.numeric_gradient(lambda: model.loss(windows, 3)[0], p)
            assert gradcheck.relative_error(layer.grads[name], numeric) < 1e-6, (type(layer).__name__, name)


def test_gap_filler_never_sees_the_gap():
    model = _small_filler()
    rng = np.random.default_rng(2)
    windows = rng.standard_normal((2, 21))
    changed = windows.copy()
    changed[:, 6:15] += 5.0                                    # only the gap's samples differ
    x1, mask = model.inputs(windows, 3)
    x2, _ = model.inputs(changed, 3)
    assert np.array_equal(x1, x2) and mask[:, 2:5].all() and mask.sum() == 6
    with pytest.raises(ValueError, match=r"windows must be \(B, 21\)"):
        model.inputs(windows[:, :-1], 3)


def test_gap_filler_as_a_concealer_and_trained():
    model = models.GapFiller(frame=8, hidden=16, context=4, seed=0)
    t = np.arange(4000) / 8000
    waves = [np.sin(2 * np.pi * f * t + p) for f, p in ((180, 0), (220, 1), (260, 2), (300, 3))]
    windows = {2: repair.gap_windows(waves, 16, context=32, per_recording=60, seed=0)}
    history = train.fit_gap_filler(model, windows, epochs=15, progress=False, lr=1e-2)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    filled = model(waves[0][:1000], waves[0][1016:], 16)
    assert filled.shape == (16,)
    assert repair.snr_db(waves[0][1000:1016], filled) > 3
    assert model(np.zeros(5), np.zeros(3), 10).shape == (10,)      # short, silent context: zeros, no error



def test_gap_filler_equals_a_torch_bidirectional_gru():
    torch = pytest.importorskip("torch")
    from rnnlib import interop

    model = _small_filler()
    rng = np.random.default_rng(3)
    windows = rng.standard_normal((2, 21))
    x, mask = model.inputs(windows, 3)
    ours = model.forward(x)
    gru = torch.nn.GRU(4, 4, batch_first=True, bidirectional=True).double()
    state = {}
    for suffix, layer in (("", model.forward_gru), ("_reverse", model.backward_gru)):
        for k, v in interop.gru_to_torch(layer.params).items():
            state[k + suffix] = torch.from_numpy(np.asarray(v))
    gru.load_state_dict(state)
    dense = torch.nn.Linear(8, 3).double()
    dense.load_state_dict({k: torch.from_numpy(np.asarray(v))
                           for k, v in interop.dense_to_torch(model.readout.params).items()})
    xt = torch.tensor(x, requires_grad=True)
    theirs = dense(gru(xt)[0])
    np.testing.assert_allclose(ours, theirs.detach().numpy(), atol=1e-10)
    dout = rng.standard_normal(ours.shape)
    dx = model.backward(dout)
    (theirs * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(dx, xt.grad.numpy(), atol=1e-10)
    grads = interop.gru_from_torch({k.replace("_reverse", ""): p.grad for k, p in gru.named_parameters()
                                    if k.endswith("_reverse")})
    for name, g in model.backward_gru.grads.items():
        np.testing.assert_allclose(g, grads[name], atol=1e-10)
