"""The exercise checks of lesson 09 accept right answers and explain wrong ones."""
import numpy as np
import pytest

from rnnlib import losses, repair, train
from rnnlib.checks import ExerciseError, lesson09


def stub(*args, **kwargs):
    raise NotImplementedError()


def test_right_answers_pass(capsys):
    lesson09.teacher_forced_step(train.teacher_forced_step)
    lesson09.generate(train.generate)
    lesson09.snr_db(repair.snr_db)
    assert capsys.readouterr().out.count("✅") == 3


def test_stubs_are_not_done_yet(capsys):
    for check in (lesson09.teacher_forced_step, lesson09.generate, lesson09.snr_db):
        check(stub)
    assert capsys.readouterr().out.count("not done yet") == 3


def test_wrong_steps_are_explained():
    def no_clip(rnn, readout, optimizer, x, y, clip=1.0):
        return train.teacher_forced_step(rnn, readout, optimizer, x, y, None)

    def no_step(rnn, readout, optimizer, x, y, clip=1.0):
        pred = readout.forward(rnn.forward(x))
        loss, d = losses.mean_squared_error(pred, y)
        rnn.backward(readout.backward(d))
        return loss

    with pytest.raises(ExerciseError, match="clip it"):
        lesson09.teacher_forced_step(no_clip)
    with pytest.raises(ExerciseError, match="did not change"):
        lesson09.teacher_forced_step(no_step)


def test_wrong_generation_is_explained():
    def forgets_state(rnn, readout, prompt, n_steps):
        out = rnn.forward(np.asarray(prompt)[None, :, None])
        sample, generated = readout.forward(out[:, -1]), []
        for _ in range(n_steps):
            generated.append(float(sample[0, 0]))
            sample = readout.forward(rnn.forward(sample[:, None, :])[:, 0])
        return np.array(generated)

    with pytest.raises(ExerciseError, match="carry the state"):
        lesson09.generate(forgets_state)
    with pytest.raises(ExerciseError, match="after reading the whole prompt"):
        lesson09.generate(lambda rnn, readout, prompt, n: np.zeros(n))


def test_wrong_snr_is_explained():
    def twenty_log(ref, est):
        return 2 * repair.snr_db(ref, est)

    def no_errors(ref, est):
        ref, est = np.asarray(ref), np.asarray(est)
        with np.errstate(all="ignore"):
            return float(10 * np.log10(np.sum(ref**2) / np.sum((ref - est[:ref.size]) ** 2)))

    with pytest.raises(ExerciseError, match="10 log10"):
        lesson09.snr_db(twenty_log)
    with pytest.raises(ExerciseError, match="raise a ValueError"):
        lesson09.snr_db(no_errors)
