"""The exercise checks of lessons 03 and 04 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib.checks import ExerciseError


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
