"""The exercise checks of lesson 07 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib import features, inference, losses, optim, train
from rnnlib.checks import ExerciseError, lesson07
from helpers import stub


readout_head = lesson07._head_reference        # the check's own reference is a right answer



def train_one_epoch(model, optimizer, seqs, labels, *, batch_size, rng, clip=1.0, augment=None,
                    class_weights=None, on_batch=None, use_augment=True, use_weights=True, use_clip=True,
                    count_batches=True, weigh_by_size=True):
    """The lesson's loop, as a learner writes it; the use_/count_/weigh_ switches make the usual slips."""
    labels = np.asarray(labels)
    total_loss = hits = 0.0
    batch_means = []
    for rows in inference.length_buckets([len(s) for s in seqs], batch_size, rng):
        batch = [augment(seqs[i], rng) if augment is not None and use_augment else seqs[i] for i in rows]
        x, mask = features.pad_sequences(batch, dtype=model.readout.dtype)
        logits = model.forward(x, mask)
        loss, dlogits = losses.softmax_cross_entropy(logits, labels[rows],
                                                     class_weights=class_weights if use_weights else None)
        model.backward(dlogits)
        if clip and use_clip:
            optim.clip_grad_norm(model.layers, clip)
        optimizer.step()
        total_loss += loss * len(rows)
        hits += float(np.sum(logits.argmax(axis=1) == labels[rows]))
        batch_means.append(loss)
        if on_batch is not None and count_batches:
            on_batch()
    if not weigh_by_size:
        return float(np.mean(batch_means)), hits / len(seqs)
    return total_loss / len(seqs), hits / len(seqs)


def test_right_answers_pass(capsys):
    lesson07.readout_head(readout_head)
    lesson07.train_one_epoch(train_one_epoch)
    assert capsys.readouterr().out.count("✅") == 2


def test_stubs_are_not_done_yet(capsys):
    lesson07.readout_head(stub)
    lesson07.train_one_epoch(stub)
    assert capsys.readouterr().out.count("not done yet") == 2


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
        train_one_epoch(model, optimizer, seqs, labels, **kwargs)
        return train_one_epoch(model, optimizer, seqs, labels, **kwargs)

    def no_step(model, optimizer, seqs, labels, *, batch_size, rng, **kwargs):
        class Frozen:
            def step(self):
                pass
        return train_one_epoch(model, Frozen(), seqs, labels, batch_size=batch_size, rng=rng, **kwargs)

    with pytest.raises(ExerciseError, match="exactly once"):
        lesson07.train_one_epoch(twice)
    with pytest.raises(ExerciseError, match="did not change"):
        lesson07.train_one_epoch(no_step)


@pytest.mark.parametrize("slip, message", [
    ({"use_augment": False}, "augment was called 0 times"),
    ({"count_batches": False}, "on_batch\\(\\) was called 0 times"),
    ({"use_weights": False}, "class weights"),
    ({"use_clip": False}, "clip=0.01 changed nothing"),
    ({"weigh_by_size": False}, "Weight each batch's mean by its size"),
])
def test_every_option_of_the_epoch_is_checked(slip, message):
    with pytest.raises(ExerciseError, match=message):
        lesson07.train_one_epoch(lambda *a, **k: train_one_epoch(*a, **k, **slip))


def test_an_epoch_that_calls_rnnlibs_own_loop_is_refused():
    with pytest.raises(ExerciseError, match="calls rnnlib.train.train_epoch, which does what this exercise asks"):
        lesson07.train_one_epoch(lambda *a, **k: train.train_epoch(*a, **k))


def test_epoch_function_falls_back_to_the_reference(capsys):
    assert lesson07.epoch_function(stub) is train.train_epoch
    assert "not finished yet" in capsys.readouterr().out
    assert lesson07.epoch_function(train_one_epoch) is train_one_epoch
