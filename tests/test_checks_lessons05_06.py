"""The exercise checks of lessons 05 and 06 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib.checks import ExerciseError


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
