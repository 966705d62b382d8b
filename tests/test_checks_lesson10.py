"""The exercise checks of lesson 10 accept right answers and explain wrong ones."""
import numpy as np
import pytest

from rnnlib import audio, losses, optim, repair, train
from rnnlib.checks import ExerciseError, lesson10
from helpers import stub


# rnnlib's own functions under other names: the checks refuse an answer that calls them by name, as a learner's would.
course_snr = repair.snr_db



def test_right_answers_pass(capsys):
    lesson10.teacher_forced_step(train.teacher_forced_step)
    lesson10.generate(train.generate)
    lesson10.snr_db(repair.snr_db)
    assert capsys.readouterr().out.count("✅") == 3


def test_stubs_are_not_done_yet(capsys):
    for check in (lesson10.teacher_forced_step, lesson10.generate, lesson10.snr_db):
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
        lesson10.teacher_forced_step(lambda *a: step(*a, **slip))


def test_a_step_that_builds_its_pairs_itself_passes(capsys):
    lesson10.teacher_forced_step(step)
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
        lesson10.generate(forgets_state)
    with pytest.raises(ExerciseError, match="after reading the whole prompt"):
        lesson10.generate(lambda rnn, readout, prompt, n: np.zeros(n))


def test_wrong_snr_is_explained():
    def twenty_log(ref, est):
        return 2 * course_snr(ref, est)

    def no_errors(ref, est):
        ref, est = np.asarray(ref), np.asarray(est)
        with np.errstate(all="ignore"):
            return float(10 * np.log10(np.sum(ref**2) / np.sum((ref - est[:ref.size]) ** 2)))

    with pytest.raises(ExerciseError, match="10 log10"):
        lesson10.snr_db(twenty_log)
    with pytest.raises(ExerciseError, match="raise a ValueError"):
        lesson10.snr_db(no_errors)


MU = 255


def mu_encode(y, *, rounding=np.round, signed=True):
    F = np.log1p(MU * np.abs(y)) / np.log1p(MU)
    F = np.sign(y) * F if signed else F
    return rounding((F + 1) / 2 * MU).astype(int)


def mu_decode(q):
    F = 2 * np.asarray(q) / MU - 1
    return np.sign(F) * ((1 + MU) ** np.abs(F) - 1) / MU


def test_mu_law_accepts_a_right_pair_and_names_the_usual_slips(capsys):
    lesson10.mu_law(mu_encode, mu_decode)
    assert "✅" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="nearest level"):
        lesson10.mu_law(lambda y: mu_encode(y, rounding=np.floor), mu_decode)
    with pytest.raises(ExerciseError, match="sign is lost"):
        lesson10.mu_law(lambda y: mu_encode(y, signed=False), mu_decode)
    with pytest.raises(ExerciseError, match="Undo the steps in reverse"):
        lesson10.mu_law(mu_encode, lambda q: 2 * np.asarray(q) / MU - 1)
    assert lesson10.mu_law_functions(mu_encode, mu_decode) == (mu_encode, mu_decode)
    assert lesson10.mu_law_functions(lambda y: None, mu_decode)[0] is not mu_encode


def test_the_lesson_goes_on_with_yours_or_the_reference(capsys):
    assert lesson10.step_function(stub) is train.teacher_forced_step
    assert lesson10.generator_function(stub) is train.generate
    assert capsys.readouterr().out.count("not finished yet") == 2
    assert lesson10.step_function(step) is step
    assert "uses your own teacher_forced_step" in capsys.readouterr().out
    assert lesson10.mu_law_functions(stub, stub) == (audio.mu_law_encode, audio.mu_law_decode)
    assert lesson10.mu_law_functions(mu_encode, mu_decode) == (mu_encode, mu_decode)
