import numpy as np
import pytest

from rnnlib import layers, optim, tasks, train


def _model(seed=0):
    rnn, readout = layers.RNN(1, 8, seed=seed), layers.Dense(8, 1, seed=seed)
    return rnn, readout, optim.SGD([rnn, readout], lr=0.1)


def test_fit_lowers_the_loss_below_the_baseline():
    x, y = tasks.next_sample(16, 40, seed=0)
    rnn, readout, sgd = _model()
    history = train.fit_sequence_regressor(rnn, readout, x, y, optimizer=sgd, steps=200)
    assert len(history["loss"]) == 200 and history["diverged_at"] is None
    assert history["loss"][-1] < np.mean((y - x) ** 2)


def test_truncated_bptt_makes_one_update_per_chunk_and_is_deterministic():
    x, y = tasks.next_sample(4, 50, seed=1)
    runs = []
    for _ in range(2):
        rnn, readout, sgd = _model()
        runs.append(train.fit_sequence_regressor(rnn, readout, x, y, optimizer=sgd, steps=7, chunk=10)["loss"])
    assert len(runs[0]) == 7 and runs[0] == runs[1]


def test_divergence_is_reported_not_raised():
    x, y = tasks.next_sample(8, 30, seed=0)
    rnn, readout = layers.RNN(1, 8, seed=0), layers.Dense(8, 1, seed=0)
    history = train.fit_sequence_regressor(rnn, readout, x, y, optimizer=optim.SGD([rnn, readout], lr=50.0),
                                           steps=500)
    assert history["diverged_at"] is not None and len(history["loss"]) == history["diverged_at"]


def test_clipping_caps_every_step():
    x, y = tasks.next_sample(8, 30, seed=0)
    rnn, readout, sgd = _model()
    history = train.fit_sequence_regressor(rnn, readout, x, y, optimizer=sgd, steps=5, clip=1e-3)
    assert all(n > 1e-3 for n in history["grad_norm"])  # recorded before clipping


def test_bad_arguments():
    rnn, readout, sgd = _model()
    with pytest.raises(ValueError, match="same B and T"):
        train.fit_sequence_regressor(rnn, readout, np.zeros((2, 5, 1)), np.zeros((2, 4, 1)), optimizer=sgd, steps=1)
    with pytest.raises(ValueError, match="chunk"):
        train.fit_sequence_regressor(rnn, readout, np.zeros((2, 5, 1)), np.zeros((2, 5, 1)), optimizer=sgd,
                                     steps=1, chunk=9)


def test_a_sampling_generator_learns_classes_and_keeps_its_level():
    from rnnlib import audio, layers, optim, tasks
    waves = tasks.voiced_waves(16, 61, seed=0)
    classes = audio.mu_law_encode(waves)
    rnn, readout = layers.GRU(1, 8, seed=0), layers.Dense(8, 256, seed=1)
    optimizer = optim.Adam([rnn, readout], lr=1e-2)
    losses_seen = [train.sampled_step(rnn, readout, optimizer, classes, audio.mu_law_decode) for _ in range(30)]
    assert losses_seen[-1] < losses_seen[0] < np.log(256) + 0.5            # from guessing among 256 to learning
    kwargs = dict(encode=audio.mu_law_encode, decode=audio.mu_law_decode)
    a = train.generate_by_sampling(rnn, readout, waves[0, :40], 50, rng=3, **kwargs)
    b = train.generate_by_sampling(rnn, readout, waves[0, :40], 50, rng=3, **kwargs)
    assert a.shape == (50,) and np.array_equal(a, b) and np.abs(a).max() <= 1      # seeded: the same draw again
    assert not np.array_equal(a, train.generate_by_sampling(rnn, readout, waves[0, :40], 50, rng=4, **kwargs))
    with pytest.raises(ValueError, match="temperature"):
        train.generate_by_sampling(rnn, readout, waves[0, :40], 5, temperature=0, **kwargs)
