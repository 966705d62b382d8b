"""The exercise checks accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib import audio
from rnnlib.checks import ExerciseError, lesson01, lesson02


def test_lesson01_accepts_right_answers(capsys):
    lesson01.sample_count(5200)
    lesson01.alias_frequency(lambda f, sr: min(f % sr, sr - f % sr))
    lesson01.peak_db(lambda y: 20 * np.log10(np.max(np.abs(y))))
    lesson01.quantization_snr(lambda y, b: 10 * np.log10(np.mean(y**2) / np.mean((audio.quantize(y, b) - y) ** 2)))
    assert capsys.readouterr().out.count("✅") == 4


def test_lesson01_explains_wrong_answers():
    with pytest.raises(ExerciseError, match="not given an answer"):
        lesson01.sample_count(None)
    with pytest.raises(ExerciseError, match="expected 5200"):
        lesson01.sample_count(520)
    with pytest.raises(ExerciseError, match="with 5000, 8000"):
        lesson01.alias_frequency(lambda f, sr: f)  # forgets to fold
    with pytest.raises(ExerciseError, match="forget `return`"):
        lesson01.peak_db(lambda y: None)
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
        lesson01.peak_db(lambda y: 1 / 0)
    with pytest.raises(ExerciseError):
        lesson01.peak_db(lambda y: 20 * np.log10(np.max(y)))  # ignores negative peaks


def test_lesson02_accepts_right_answers_and_catches_leakage(capsys):
    lesson02.n_frames(lambda n, hop: 1 + n // hop)
    lesson02.bin_frequency(lambda k, sr, n: k * sr / n)
    lesson02.hz_to_mel(lambda f: 2595 * np.log10(1 + np.asarray(f) / 700))
    rng = np.random.default_rng(1)
    train = [rng.normal(0, 1, (5, 2)) for _ in range(3)]
    test = [rng.normal(3, 1, (4, 2)) for _ in range(2)]
    from rnnlib.features import Standardizer
    lesson02.standardized_test(Standardizer().fit(train).transform(test), train, test)
    assert capsys.readouterr().out.count("✅") == 4
    with pytest.raises(ExerciseError, match="include the test"):
        lesson02.standardized_test(Standardizer().fit(train + test).transform(test), train, test)
    with pytest.raises(ExerciseError, match="with 8000, 80"):
        lesson02.n_frames(lambda n, hop: n // hop)


def test_lesson03_and_04_accept_right_answers(capsys):
    from rnnlib.checks import lesson03, lesson04

    step = lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b)

    def forward(x, Wx, Wh, b):
        h, out = np.zeros((x.shape[0], Wh.shape[0])), []
        for t in range(x.shape[1]):
            h = step(x[:, t], h, Wx, Wh, b)
            out.append(h)
        return np.stack(out, axis=1)

    lesson03.rnn_step(step)
    lesson03.n_params(lambda D, H, O: D * H + H * H + H + H * O + O)
    lesson03.rnn_forward(forward)
    lesson03.last_state_index(np.array([26, 23]), [27, 24])
    lesson04.tanh_grad(lambda h: 1 - h**2)
    lesson04.readout_grad(lambda h, dy: np.einsum("bth,bto->ho", h, dy))
    lesson04.centred_difference(lambda f, x, e: (f(x + e) - f(x - e)) / (2 * e))
    lesson04.hidden_grad(lambda dy, Why, da, Whh: dy @ Why.T + da @ Whh.T)
    assert capsys.readouterr().out.count("✅") == 8
    with pytest.raises(ExerciseError, match="x_t comes first"):
        lesson03.rnn_step(lambda x, h, Wx, Wh, b: np.tanh(Wx.T @ x.T).T)
    with pytest.raises(ExerciseError, match="Add both"):
        lesson04.hidden_grad(lambda dy, Why, da, Whh: dy @ Why.T)


def test_lesson05_and_06_accept_right_answers(capsys):
    from rnnlib.checks import lesson05, lesson06

    sig = lambda a: 1 / (1 + np.exp(-a))

    def lstm_step(x, h, c, Wx, Wh, b):
        H = h.shape[1]
        a = x @ Wx + h @ Wh + b
        c = sig(a[:, H:2 * H]) * c + sig(a[:, :H]) * np.tanh(a[:, 2 * H:3 * H])
        return sig(a[:, 3 * H:]) * np.tanh(c), c

    def gru_step(x, h, Wx, Wh, bx, bh):
        H = h.shape[1]
        ax, ah = x @ Wx + bx, h @ Wh + bh
        r, z = sig(ax[:, :H] + ah[:, :H]), sig(ax[:, H:2 * H] + ah[:, H:2 * H])
        n = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
        return (1 - z) * n + z * h

    def steps_until(factor, threshold):
        k = 0
        while factor ** k >= threshold:
            k += 1
        return k

    def clip(grads, max_norm):
        total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        return {k: g * min(1.0, max_norm / total) for k, g in grads.items()}

    lesson05.gradient_after(lambda f, k: f**k)
    lesson05.steps_until(steps_until)
    lesson05.spectral_radius(lambda W: np.max(np.abs(np.linalg.eigvals(W))))
    lesson05.clip_by_global_norm(clip)
    lesson06.lstm_step(lstm_step)
    lesson06.gru_step(gru_step)
    lesson06.n_params(lambda k, D, H: {"rnn": 1, "lstm": 4, "gru": 3}[k] * (D * H + H * H + (2 if k == "gru" else 1) * H))
    lesson06.cell_gradient(lambda f, k: np.asarray(f) ** k)
    assert capsys.readouterr().out.count("✅") == 8
    with pytest.raises(ExerciseError, match="one scale for all"):
        lesson05.clip_by_global_norm(lambda g, m: {k: v / max(1, np.linalg.norm(v) / m) for k, v in g.items()})
