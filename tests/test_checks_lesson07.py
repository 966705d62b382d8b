"""The exercise checks of lesson 07 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib import train
from rnnlib.checks import ExerciseError, lesson07


readout_head = lesson07._head_reference        # the check's own reference is a right answer


def stub(*args, **kwargs):
    raise NotImplementedError()


def test_right_answers_pass(capsys):
    lesson07.readout_head(readout_head)
    lesson07.train_one_epoch(train.train_epoch)
    lesson07.confusion_matrix(lambda t, p, n: np.histogram2d(t, p, bins=n, range=[[0, n], [0, n]])[0].astype(int))
    assert capsys.readouterr().out.count("✅") == 3


def test_stubs_are_not_done_yet(capsys):
    lesson07.readout_head(stub)
    lesson07.train_one_epoch(stub)
    lesson07.confusion_matrix(stub)
    assert capsys.readouterr().out.count("not done yet") == 3


def test_wrong_heads_are_explained():
    def over_all_steps(h, mask, W, b, labels):
        return readout_head(h, np.ones_like(mask), W, b, labels)

    def gradient_into_padding(h, mask, W, b, labels):
        loss, grads = readout_head(h, mask, W, b, labels)
        grads["h"] = grads["h"] + (~mask)[:, :, None] * 0.1
        return loss, grads

    def forgets_batch_mean(h, mask, W, b, labels):
        loss, grads = readout_head(h, mask, W, b, labels)
        return loss, {k: v * len(labels) for k, v in grads.items()}

    with pytest.raises(ExerciseError, match="padding included"):
        lesson07.readout_head(over_all_steps)
    with pytest.raises(ExerciseError, match="padded steps got a gradient"):
        lesson07.readout_head(gradient_into_padding)
    with pytest.raises(ExerciseError, match="numeric gradient"):
        lesson07.readout_head(forgets_batch_mean)


def test_wrong_epochs_are_explained():
    def twice(model, optimizer, seqs, labels, **kwargs):
        train.train_epoch(model, optimizer, seqs, labels, **kwargs)
        return train.train_epoch(model, optimizer, seqs, labels, **kwargs)

    def no_step(model, optimizer, seqs, labels, *, batch_size, rng, **kwargs):
        class Frozen:
            def step(self):
                pass
        return train.train_epoch(model, Frozen(), seqs, labels, batch_size=batch_size, rng=rng, **kwargs)

    with pytest.raises(ExerciseError, match="exactly once"):
        lesson07.train_one_epoch(twice)
    with pytest.raises(ExerciseError, match="did not change"):
        lesson07.train_one_epoch(no_step)


def test_epoch_function_falls_back_to_the_reference(capsys):
    assert lesson07.epoch_function(stub) is train.train_epoch
    assert "not finished yet" in capsys.readouterr().out
    assert lesson07.epoch_function(train.train_epoch) is train.train_epoch
