"""Teach a recognizer a new voice from a few recordings: one of each digit is enough to start (lesson 08).

A recognizer trained on a handful of voices hears a new voice worse than the ones it knows, and doubts it more
("I'm not sure"). The missing ingredient is the voice itself, and its owner can provide it. :func:`adapt` does
what lesson 08 explains:

1. **copies of the new recordings**: each one at five speeds (0.8 … 1.2) and, for each speed, once more in a
   random noisy or reverberant room (:func:`rnnlib.augment.noisy_copy`): ten versions of every recording, so the
   model learns the voice rather than the one take;
2. **a short fine-tune** of every layer on those copies (each seen ``repeats`` times per epoch) mixed with
   ``replay`` recordings of the voices it already knows, so nothing is forgotten, with the recipe's masks,
   Adam at a small learning rate, a few epochs;
3. **a new "unsure" detector**: the class means and the covariance refitted on the model's new states of the
   replay recordings *and* of the new voice's copies (so the new voice counts as known), and its threshold
   calibrated on the same validation recordings, at the same share, as the recognizer's own detector.

The recognizer given is left as it was; the adapted one is a new :class:`~rnnlib.recognizer.Recognizer` with the
same pipeline, saved to one ``.npz`` like any other. ``benchmarks/enrollment.py`` measures it, leaving each FSDD
voice out in turn.
"""
from __future__ import annotations

import copy
import time

import numpy as np

from . import audio, augment, inference, optim, train
from ._validate import as_signal
from .digits import Recipe, spec_masks
from .novelty import NoveltyDetector

__all__ = ["SPEEDS", "copies_of", "replay_sample", "adapt"]

SPEEDS = (0.8, 0.9, 1.0, 1.1, 1.2)


def copies_of(recognizer, waveforms, labels, *, rng, speeds=SPEEDS) -> tuple[list[np.ndarray], np.ndarray]:
    """Standardized features of ``2 · len(speeds)`` versions of each ``(y, sr)`` recording: at each speed, as
    it is and once in a random room. Returns ``(seqs, labels)``: ``(T_i, D)`` arrays and ``(len(seqs),)`` ints."""
    seqs, out = [], []
    for (y, sr), label in zip(waveforms, labels):
        y = as_signal(y, "an enrollment recording")
        if sr != recognizer.sample_rate:
            y = audio.resample(y, sr, recognizer.sample_rate)
        for factor in speeds:
            fast = y if factor == 1.0 else augment.speed(y, factor, recognizer.sample_rate)
            for version in (fast, augment.noisy_copy(fast, rng, sr=recognizer.sample_rate)):
                seqs.append(recognizer.features(version, recognizer.sample_rate))
                out.append(label)
    return seqs, np.asarray(out, dtype=np.int64)


def replay_sample(recordings, *, per_digit: int = 30, exclude=(), seed: int = 0) -> list:
    """``per_digit`` recordings of every digit from ``recordings`` (its training recordings), drawn with ``seed``,
    leaving out those whose file names are in ``exclude`` (its validation recordings)."""
    exclude = set(exclude)
    rng = np.random.default_rng(seed)
    chosen = []
    for digit in sorted({r.digit for r in recordings}):
        pool = [r for r in recordings if r.digit == digit and r.path.name not in exclude]
        chosen += [pool[i] for i in sorted(rng.choice(len(pool), min(per_digit, len(pool)), replace=False))]
    return chosen


def adapt(recognizer, waveforms, labels, *, replay, calibration, epochs: int = 8, lr: float = 1e-3,
          repeats: int = 3, seed: int = 0, progress=None):
    """A copy of ``recognizer`` that knows a new voice.

    waveforms: the new voice's recordings, ``(y, sr)`` pairs, with ``labels`` (class indices, e.g. the digits);
    every class should have at least one. replay: :class:`~rnnlib.datasets.Recording` s of the voices it knows
    (it trained on them); a few hundred, every digit among them, are plenty. calibration: Recordings of real
    digits it never trained on (its validation recordings, ``recognizer.novelty.calibrated_on``), 20 or more.
    progress: optional ``f(message)`` told what is happening. Returns ``(adapted recognizer, seconds)``.
    """
    waveforms, labels = list(waveforms), np.asarray(labels)
    if len(waveforms) == 0 or len(waveforms) != len(labels):
        raise ValueError(f"Give one label per recording and at least one recording; got {len(waveforms)} "
                         f"recordings and {len(labels)} labels.")
    if recognizer.novelty is None or recognizer.novelty.flag_share is None:
        raise ValueError("This recognizer has no calibrated 'unsure' detector to adapt: train it with "
                         "rnnlib.digits.train_recognizer (and 20 or more validation recordings) first.")
    calibration = list(calibration)
    if len(calibration) < 20:
        raise ValueError(f"{len(calibration)} calibration recordings are too few: give the 20 or more validation "
                         "recordings the recognizer was calibrated on.")
    say = progress or (lambda message: None)
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    adapted = copy.deepcopy(recognizer)
    say("making ten versions of each recording")
    new_seqs, new_labels = copies_of(adapted, waveforms, labels, rng=rng)
    replay_waves = [audio.load(r.path, adapted.sample_rate) for r in replay]
    replay_labels = np.array([r.digit for r in replay])
    replay_seqs = [adapted.features(y, sr) for y, sr in replay_waves]
    seqs = replay_seqs + new_seqs * repeats
    train_labels = np.concatenate([replay_labels, np.tile(new_labels, repeats)])
    optimizer = optim.Adam(adapted.model.layers, lr=lr)
    batches_rng, mask = np.random.default_rng([seed, 1]), spec_masks(Recipe())
    for epoch in range(epochs):
        say(f"learning the voice: epoch {epoch + 1} of {epochs}")
        train.train_epoch(adapted.model, optimizer, seqs, train_labels, batch_size=32, rng=batches_rng, clip=1.0,
                          augment=mask)
    say("learning when to be unsure")
    old = recognizer.novelty
    replay_states, _ = adapted.states_and_probabilities(replay_waves, all_layers=old.all_layers)
    new_states, _ = inference.states_and_probabilities(adapted.model, new_seqs, all_layers=old.all_layers)
    detector = NoveltyDetector.fit(np.concatenate([replay_states, new_states]),
                                   np.concatenate([replay_labels, new_labels]), len(adapted.labels),
                                   all_layers=old.all_layers)
    states, _ = adapted.states_and_probabilities([audio.load(r.path, adapted.sample_rate) for r in calibration],
                                                 all_layers=old.all_layers)
    detector.calibrate(states, flag_share=old.flag_share, names=[r.path.name for r in calibration])
    adapted.novelty = detector
    return adapted, time.perf_counter() - start

