"""The exercise checks of lesson 09 accept right answers and explain wrong ones."""
import numpy as np
import pytest

from rnnlib import losses, optim, repair, train
from rnnlib.checks import ExerciseError, lesson09


# rnnlib's own functions under other names: the checks refuse an answer that calls them by name, as a learner's would.
course_snr = repair.snr_db


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


def step(rnn, readout, optimizer, waves, clip=1.0, *, shift=1, use_clip=True, use_step=True):
    """The lesson's teacher-forced step; the switches make the usual slips."""
    x, y = waves[:, :-1, None], waves[:, 1:, None]
    if shift == 0:
        x, y = waves[:, :, None], waves[:, :, None]
    elif shift == -1:
        x, y = y, x
    pred = readout.forward(rnn.forward(x))
    loss, d = losses.mean_squared_error(pred, y)
    rnn.backward(readout.backward(d))
    if clip and use_clip:
        optim.clip_grad_norm([rnn, readout], clip)
    if use_step:
        optimizer.step()
    return loss


@pytest.mark.parametrize("slip, message", [
    ({"use_clip": False}, "clip it"), ({"use_step": False}, "did not change"),
    ({"shift": 0}, "targets are the inputs themselves"), ({"shift": -1}, "predicts the previous sample"),
])
def test_wrong_steps_are_explained(slip, message):
    with pytest.raises(ExerciseError, match=message):
        lesson09.teacher_forced_step(lambda *a: step(*a, **slip))


def test_a_step_that_builds_its_pairs_itself_passes(capsys):
    lesson09.teacher_forced_step(step)
    assert "✅" in capsys.readouterr().out


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
        return 2 * course_snr(ref, est)

    def no_errors(ref, est):
        ref, est = np.asarray(ref), np.asarray(est)
        with np.errstate(all="ignore"):
            return float(10 * np.log10(np.sum(ref**2) / np.sum((ref - est[:ref.size]) ** 2)))

    with pytest.raises(ExerciseError, match="10 log10"):
        lesson09.snr_db(twenty_log)
    with pytest.raises(ExerciseError, match="raise a ValueError"):
        lesson09.snr_db(no_errors)
