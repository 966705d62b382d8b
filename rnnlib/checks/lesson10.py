"""Checks for lesson 10, Generating and repairing sound."""
from __future__ import annotations

import numpy as np

from .. import audio, optim, repair, tasks, train
from ..layers import GRU, Dense
from ._core import ExerciseError, NotDoneYet, call, exercise, not_attempted, passed, quietly, yours_or_reference

__all__ = ["step_function", "generator_function", "generate", "snr_db", "teacher_forced_step", "mu_law",
           "mu_law_functions"]


def _pair(seed):
    return GRU(1, 6, seed=seed), Dense(6, 1, seed=seed + 1)


def _shifted_step(rnn, readout, optimizer, waves, clip, *, shift=1):
    """A teacher-forced step with a wrong shift (0: targets are the inputs; -1: predicting the past)."""
    waves = np.asarray(waves, dtype=rnn.dtype)
    x, y = (waves[:, :, None], waves[:, :, None]) if shift == 0 else (waves[:, 1:, None], waves[:, :-1, None])
    return train.sequence_step(rnn, readout, optimizer, x, y, clip=clip)


@exercise("teacher_forced_step", not_by=('rnnlib.train.teacher_forced_step',))
def teacher_forced_step(fn) -> None:
    """Exercise 1: ``fn(rnn, readout, optimizer, waves, clip)`` builds the shifted inputs and targets from
    ``waves: (B, N)``, does one teacher-forced MSE step and returns the loss."""
    for seed, clip, scale in ((90, 1.0, 1.0), (91, 0.05, 3.0), (92, None, 1.0)):
        waves = tasks.voiced_waves(4, 31, seed=seed) * scale
        ours, theirs = _pair(seed), _pair(seed)
        what = f"teacher_forced_step on waves of shape {waves.shape} with clip={clip}"
        got = call(fn, (theirs[0], theirs[1], optim.SGD(list(theirs), lr=0.1), waves.copy(), clip), what)
        if not_attempted(got):
            raise NotDoneYet
        want = train.teacher_forced_step(ours[0], ours[1], optim.SGD(list(ours), lr=0.1), waves, clip)
        if got is None:
            raise ExerciseError(f"{what}: it returned None; return the loss (a number) so training can be watched.")
        if not np.isclose(float(got), want, rtol=1e-6):
            slips = [(0, "Your targets are the inputs themselves: a model that copies its input scores perfectly and "
                         "learns nothing. The target at step t is the *next* sample, t + 1."),
                     (-1, "Your model predicts the previous sample from the next one: the inputs are samples "
                          "0 … N-2 and the targets 1 … N-1.")]
            def slip_loss(shift):
                pair = _pair(seed)
                return _shifted_step(*pair, optim.SGD(list(pair), lr=0.1), waves, clip, shift=shift)

            hint = next((h for shift, h in slips if np.isclose(float(got), slip_loss(shift), rtol=1e-6)),
                "The loss is the mean squared error of the predictions readout(rnn(x)) against y, *before* the step, "
                "with x the samples 0 … N-2 and y the samples 1 … N-1, each shaped (B, N-1, 1).")
            raise ExerciseError(f"{what}: the loss should be {want:.6f}; got {float(got):.6f}. {hint}")
        for before, mine, yours in zip(_pair(seed), ours, theirs):
            for name in mine.params:
                if np.array_equal(yours.params[name], before.params[name]):
                    raise ExerciseError(f"{what}: {type(yours).__name__}.{name} did not change. After the backward "
                                        "pass, call optimizer.step().")
                if not np.allclose(yours.params[name], mine.params[name], rtol=1e-6, atol=1e-9):
                    hint = (" The gradient was too large: clip it with optim.clip_grad_norm([rnn, readout], clip) "
                            "before the step." if clip and clip < 1 else
                            " Check the chain: rnn.backward(readout.backward(dpred)), then the step.")
                    raise ExerciseError(f"{what}: after your step, {type(yours).__name__}.{name} differs from one "
                                        f"correct step.{hint}")
    passed("Right: the true past in, the next sample as the target, MSE, backward through time, clip, step: "
           "teacher forcing.")


def step_function(yours):
    """The training step the lesson trains with: yours if it passes the check, else
    ``rnnlib.train.teacher_forced_step``."""
    return yours_or_reference(yours, train.teacher_forced_step, teacher_forced_step, "teacher_forced_step")


def generator_function(yours):
    """The generation loop the lesson uses: yours if it passes the check, else ``rnnlib.train.generate``."""
    return yours_or_reference(yours, train.generate, generate, "generate")


def _fresh(seed):
    rnn, readout = _pair(seed)
    readout.params["b"][:] = 0.1
    return rnn, readout


@exercise("generate", not_by=('rnnlib.train.generate',))
def generate(fn) -> None:
    """Exercise 2: ``fn(rnn, readout, prompt, n_steps)`` runs free: each prediction becomes the next input."""
    for seed, P, n in ((93, 12, 20), (94, 1, 5), (95, 40, 60)):
        prompt = tasks.voiced(1, P + 1, seed=seed)[0][0, :P, 0]
        what = f"generate(rnn, readout, a prompt of {P} samples, {n})"
        got = call(fn, (*_fresh(seed), prompt.copy(), n), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: return the {n} generated samples.")
        got = np.asarray(got, dtype=float)
        got = got.reshape(-1) if got.size == n else got
        if got.shape != (n,):
            raise ExerciseError(f"{what}: return {n} samples, shape ({n},); got shape {got.shape}.")
        want = train.generate(*_fresh(seed), prompt, n)
        if np.allclose(got, want, rtol=1e-6, atol=1e-9):
            continue
        if np.isclose(got[0], want[0], rtol=1e-6, atol=1e-9):
            raise ExerciseError(f"{what}: the first sample is right ({want[0]:.5f}), then yours goes astray (sample 2: "
                                f"expected {want[1]:.5f}, got {got[1]:.5f}). Feed each prediction back as the next "
                                "input, and carry the state: rnn.forward(sample, h0=h), then h = rnn.last_state.")
        raise ExerciseError(f"{what}: expected samples starting {np.round(want[:3], 5)}, got {np.round(got[:3], 5)}. "
                            "The first generated sample is the prediction after reading the whole prompt.")
    passed("Right: the model now runs on its own predictions, with nothing true to correct it.")


@exercise("mu_law_encode and mu_law_decode", not_by=("rnnlib.audio.mu_law_encode", "rnnlib.audio.mu_law_decode"))
def mu_law(encode, decode) -> None:
    """Exercise 3: ``encode(y)`` → classes 0 … 255 by the μ-law curve (mu = 255), ``decode(q)`` → samples back."""
    rng = np.random.default_rng(93)
    y = np.concatenate([[-1.0, -0.5, -0.01, 0.0, 0.001, 0.02, 0.3, 1.0], rng.uniform(-1, 1, 40),
                        rng.normal(0, 0.02, 40).clip(-1, 1)])
    got = call(encode, (y.copy(),), f"mu_law_encode of {len(y)} samples")
    if not_attempted(got):
        raise NotDoneYet
    want = audio.mu_law_encode(y)
    got = np.asarray(got)
    base = "mu_law_encode"
    if got.shape != want.shape:
        raise ExerciseError(f"{base}: expected one class per sample, shape {want.shape}; got {got.shape}.")
    if not np.issubdtype(got.dtype, np.integer):
        if np.allclose(got, np.round(got)):
            got = got.astype(np.int64)
        else:
            raise ExerciseError(f"{base}: the classes must be whole numbers (0 … 255); round, then .astype(int).")
    if not np.array_equal(got, want):
        companded = np.sign(y) * np.log1p(255 * np.abs(y)) / np.log1p(255)
        k = int(np.flatnonzero(got != want)[0])
        if np.array_equal(got, np.floor((companded + 1) / 2 * 255).astype(int)):
            hint = "Round to the nearest level (np.round) rather than down (floor, or int())."
        elif got.min() < 0:
            hint = "The classes are numbered from 0: map F(y) in [-1, 1] to [0, 255] with (F + 1) / 2 · 255."
        elif np.array_equal(got, np.round((np.abs(companded) + 1) / 2 * 255).astype(int)):
            hint = "The sign is lost: F(y) = sign(y) · ln(1 + 255 |y|) / ln(256)."
        else:
            hint = "F(y) = sign(y) · ln(1 + 255 |y|) / ln(1 + 255), then round((F + 1) / 2 · 255)."
        raise ExerciseError(f"{base}: sample {y[k]:.4g} should be class {want[k]}, yours says {got[k]}. {hint}")
    classes = np.arange(256)
    back = call(decode, (classes.copy(),), "mu_law_decode of the classes 0 … 255")
    if not_attempted(back):
        raise NotDoneYet
    back = np.asarray(back, dtype=np.float64)
    want_back = audio.mu_law_decode(classes)
    if back.shape != want_back.shape:
        raise ExerciseError(f"mu_law_decode: expected one sample per class, shape {want_back.shape}; got {back.shape}.")
    if not np.allclose(back, want_back, rtol=1e-5, atol=1e-6):
        k = int(np.flatnonzero(~np.isclose(back, want_back, rtol=1e-5, atol=1e-6))[0])
        raise ExerciseError(f"mu_law_decode: class {k} should decode to {want_back[k]:.6g}, yours gives {back[k]:.6g}. "
                            "Undo the steps in reverse: F = 2q/255 - 1, then solve F = sign(y) ln(1 + 255|y|) / "
                            "ln(256) for |y|: |y| = (256^|F| - 1) / 255, with F's sign.")
    if not np.array_equal(np.asarray(call(encode, (back,), "mu_law_encode of your decoded samples")), classes):
        raise ExerciseError("mu_law_encode(mu_law_decode(q)) should give q back for every class.")
    passed("Right: 256 levels, fine near silence and coarse at the peaks, and decoding undoes encoding.")


def mu_law_functions(encode, decode):
    """The μ-law pair the lesson goes on with: yours if they pass, else :mod:`rnnlib.audio`'s."""
    if quietly(mu_law, encode, decode) is not None:
        print("Your mu_law_encode and mu_law_decode are not finished yet, so what follows uses the course's own. "
              "(Finish the exercise and run this cell again to use yours.)")
        return audio.mu_law_encode, audio.mu_law_decode
    print("What follows uses your own mu_law_encode and mu_law_decode.")
    return encode, decode


@exercise("snr_db", not_by=('rnnlib.repair.snr_db',))
def snr_db(fn) -> None:
    """Exercise 4: ``fn(reference, estimate)``: 10 log10(Σ ref² / Σ (ref − est)²), with clear errors."""
    rng = np.random.default_rng(96)
    ref = rng.standard_normal(50)
    cases = [(ref, np.zeros(50)), (ref, 0.9 * ref), (ref, ref + rng.standard_normal(50)), (ref, -ref),
             (np.array([0.0, 2.0, 0.0]), np.array([0.0, 1.0, 0.5]))]
    for reference, estimate in cases:
        what = f"snr_db({_short(reference)}, {_short(estimate)})"
        got = call(fn, (reference.copy(), estimate.copy()), what)
        want = repair.snr_db(reference, estimate)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: did you forget `return`?")
        if not np.isclose(float(got), want, rtol=1e-6, atol=1e-9):
            extra = (" That is 20 log10 of an energy ratio: energies are already squared, so use 10 log10."
                     if np.isclose(float(got), 2 * want, rtol=1e-6) else
                     " Silence as the estimate must score exactly 0 dB." if not np.any(estimate) else "")
            raise ExerciseError(f"{what}: expected {want:.4f} dB, got {float(got):.4f}.{extra}")
    got = call(fn, (ref.copy(), ref.copy()), "snr_db(x, x), a perfect estimate")
    if not (got is not None and np.isinf(float(got)) and float(got) > 0):
        raise ExerciseError(f"snr_db(x, x): a perfect estimate has no error at all; return float('inf') (no division "
                            f"by zero, no warning); got {got!r}.")
    for reference, estimate, why in ((ref, ref[:-1], "lengths differ (50 and 49)"),
                                     (np.zeros(5), np.ones(5), "the reference is silent: its energy is 0")):
        try:
            fn(reference, estimate)
        except NotImplementedError:
            raise NotDoneYet from None
        except ValueError:
            continue
        except Exception as err:
            raise ExerciseError(f"snr_db when {why}: raise a ValueError with a sentence that says so; you raised "
                                f"{type(err).__name__}: {err}") from err
        raise ExerciseError(f"snr_db when {why}: there is no meaningful answer, so raise a ValueError that says "
                            "what is wrong instead of returning a number.")
    passed("Right: 0 dB for silence, higher for closer, inf for perfect, and an error where no answer exists.")


def _short(a) -> str:
    a = np.asarray(a)
    return f"array of {a.size}" if a.size > 4 else np.array2string(a, precision=2)
