"""Checks for lesson 01, Sound as numbers."""
from __future__ import annotations

import warnings

import numpy as np

from .. import audio, datasets
from ._core import ExerciseError, NotDoneYet, call, check_function, exercise, passed

__all__ = ["reference_speech_bounds", "alias_frequency", "mix_at_snr", "speech_bounds"]


@exercise("alias_frequency", not_by=('rnnlib.audio.alias_frequency',))
def alias_frequency(fn) -> None:
    """Exercise 1: ``fn(freq, sr)`` returns the frequency a sampled tone appears to have."""
    cases = [(440, 8000), (3999, 8000), (4000, 8000), (5000, 8000), (7000, 8000), (8000, 8000),
             (9000, 8000), (12500, 8000), (300, 1000), (1750, 1000)]
    check_function(fn, audio.alias_frequency, cases, what="alias_frequency",
                   hint="Tones whose frequencies differ by a whole multiple of sr give identical samples, and a "
                        "tone between sr/2 and sr is heard reflected below sr/2.")
    passed("Right: every tone folds into [0, sr/2]. 5000 Hz at 8 kHz is heard at 3000 Hz.")


# ---------------------------------------------------------------- exercise 2: a voice-activity detector

def reference_speech_bounds(y, sr, frame_ms=20, threshold_db=-35):
    """The start and end in seconds of the frames whose RMS level is above ``threshold_db``, or None."""
    y = np.asarray(y, dtype=np.float64)
    n = int(round(frame_ms / 1000 * sr))
    loud = [i for i, start in enumerate(range(0, len(y), n))
            if audio.amplitude_to_db(np.sqrt(np.mean(y[start:start + n] ** 2))) > threshold_db]
    if not loud:
        return None
    return loud[0] * n / sr, min((loud[-1] + 1) * n, len(y)) / sr


def _pieces(sr, parts):
    """A test signal from ``(seconds, what)`` pieces: what is 0 (silence), a float (a 300 Hz tone of that
    amplitude), ``("noise", rms)`` or ``("click", height)`` (one sample)."""
    out, rng = [], np.random.default_rng(7)
    for seconds, what in parts:
        n = int(round(seconds * sr))
        if isinstance(what, tuple) and what[0] == "click":
            out.append(np.full(1, what[1]))
        elif isinstance(what, tuple):
            out.append(what[1] * rng.standard_normal(n))
        else:
            out.append(what * np.sin(2 * np.pi * 300 * np.arange(n) / sr))
    return np.concatenate(out)


def _describe(parts):
    words = []
    for seconds, what in parts:
        if isinstance(what, tuple) and what[0] == "click":
            words.append(f"a one-sample click of height {what[1]:g}")
        elif isinstance(what, tuple):
            words.append(f"{seconds:g} s of noise (RMS {what[1]:g})")
        elif what == 0:
            words.append(f"{seconds:g} s of silence")
        else:
            words.append(f"{seconds:g} s of a 300 Hz tone of amplitude {what:g}")
    return ", then ".join(words)


def _speech_cases():
    """(description, y, sr, frame_ms, threshold_db) for signals whose answer is known by construction."""
    specs = [
        (8000, 20, -35, [(0.24, 0), (0.5, 0.3), (0.26, 0)]),
        (16000, 10, -35, [(0.1234, 0), (0.3, 0.5), (0.2, 0)]),            # the tone starts inside a frame
        (8000, 20, -35, [(0.5, ("noise", 0.001)), (0.301, 0.2)]),        # speech to the very last sample
        (8000, 25, -35, [(0.05, 0), (0, ("click", 0.1)), (0.2, 0), (0.3, 0.3), (0.1, 0)]),   # a click, then the tone
        (11025, 20, -20, [(0.2, ("noise", 0.03)), (0.4, 0.3), (0.2, ("noise", 0.03))]),
        (8000, 20, -10, [(0.2, 0), (0.5, 0.3), (0.2, 0)]),               # never above -10 dB: None
        (8000, 20, -35, [(0.5, 0)]),                                      # digital silence: None, no crash
    ]
    for sr, frame_ms, threshold_db, parts in specs:
        yield (f"{_describe(parts)} (sr={sr}, frame_ms={frame_ms}, threshold_db={threshold_db})",
               _pieces(sr, parts), sr, frame_ms, threshold_db)


def _real_cases():
    """Two FSDD recordings, when this machine has the dataset (the lesson does)."""
    try:
        recordings = datasets.list_recordings(datasets.locate(download=False, progress=False),
                                              verify_checksums=False)
        picks = [datasets.find(recordings, digit=7, speaker="jackson", index=32),
                 datasets.find(recordings, digit=3, speaker="nicolas", index=20)]
    except (FileNotFoundError, ValueError):
        return []
    out = []
    for r in picks:
        y, sr = audio.load(r.path)
        out.append((f"the FSDD recording {r.path.name} (sr={sr}, frame_ms=20, threshold_db=-35)", y, sr, 20, -35))
    return out


def _call_quietly(fn, args, what):
    """Call the learner's function, turning NumPy's "divide by zero in log10" warning into a clear error."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = call(fn, args, what)
    for w in caught:
        if "divide by zero" in str(w.message) or "invalid value" in str(w.message):
            raise ExerciseError(f"{what}: NumPy warned '{w.message}'. A silent frame has RMS 0, and log10(0) "
                                "is -inf: floor the RMS before the logarithm (audio.amplitude_to_db floors at "
                                "-120 dB).")
    return got


@exercise("speech_bounds")
def speech_bounds(fn) -> None:
    """Exercise 2: ``fn(y, sr, frame_ms, threshold_db)`` returns ``(start_s, end_s)`` of the speech, or None."""
    cases = list(_speech_cases()) + _real_cases()
    for description, y, sr, frame_ms, threshold_db in cases:
        expected = reference_speech_bounds(y, sr, frame_ms, threshold_db)
        what = f"speech_bounds on {description}"
        got = _call_quietly(fn, (y, sr, frame_ms, threshold_db), what)
        n = int(round(frame_ms / 1000 * sr))
        if expected is None:
            if got is not None:
                raise ExerciseError(f"{what}: no frame is above the threshold, so expected None; got {got!r}.")
            continue
        if got is None:
            raise ExerciseError(f"{what}: expected {_pair(expected)} s, got None. (None is only for a signal "
                                "with no frame above the threshold; did you forget `return`?)")
        try:
            pair = np.asarray(got, dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            pair = np.array([])
        if pair.size != 2:
            raise ExerciseError(f"{what}: expected a pair (start, end) in seconds, got {got!r}.")
        if np.allclose(pair, expected, atol=1e-9):
            continue
        hint = ""
        if np.allclose(pair, np.array(expected) * sr, atol=1e-6):
            hint = " Those look like sample indices: divide by sr to get seconds."
        elif np.isclose(pair[0], expected[0]) and np.isclose(pair[1], expected[1] - n / sr):
            hint = " The end is one frame early: it is the *end* of the last loud frame, not its start."
        elif pair[0] < expected[0] - 1e-9:
            hint = (" Your start is early: is a frame judged by its RMS (the square root of the mean of the "
                    "squares)? A lone click is loud at its peak but quiet on average over a frame.")
        elif pair[1] > len(y) / sr + 1e-9:
            hint = " The end is past the end of the signal: the last frame may be shorter than the others."
        raise ExerciseError(f"{what}: expected {_pair(expected)} s, got {_pair(pair)} "
                            f"(frames of {n} samples).{hint}")
    passed("Right: silence, clicks and quiet noise are ignored, and your bounds agree with the reference "
           f"on {len(cases)} signals, real recordings included.")


def _pair(p) -> str:
    return f"({float(p[0]):.6g}, {float(p[1]):.6g})"


# ---------------------------------------------------------------- exercise 3: noise at a chosen SNR

def _fitted_noise(noise, n):
    noise = np.asarray(noise, dtype=np.float64)
    return np.tile(noise, -(-n // noise.size))[:n]


@exercise("mix_at_snr", not_by=('rnnlib.augment.mix',))
def mix_at_snr(fn) -> None:
    """Exercise 3: ``fn(clean, noise, snr_db)`` returns ``clean + g * noise`` whose SNR is ``snr_db``."""
    rng = np.random.default_rng(3)
    speechlike = audio.sine(220, 0.5, amplitude=0.4).astype(np.float64) * np.hanning(4000)
    cases = [
        ("a 440 Hz tone (0.25 s) with white noise of the same length", audio.sine(440, 0.25, amplitude=0.5),
         rng.standard_normal(2000), 20.0),
        ("a swelling 220 Hz tone (0.5 s) with a longer noise (1 s)", speechlike, 0.3 * rng.standard_normal(8000), 0.0),
        ("a 440 Hz tone (0.25 s) with a short noise (0.03 s, to repeat)", audio.sine(440, 0.25, amplitude=0.8),
         rng.uniform(-1, 1, 240), 7.5),
        ("a 1000 Hz tone (0.2 s) with noise louder than it", audio.sine(1000, 0.2, amplitude=0.1),
         rng.standard_normal(1600), -5.0),
    ]
    for description, clean, noise, snr in cases:
        what = f"mix_at_snr on {description}, snr_db={snr:g}"
        got = call(fn, (clean, noise, snr), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: did you forget `return`?")
        mix = np.asarray(got, dtype=np.float64)
        if mix.shape != clean.shape:
            raise ExerciseError(f"{what}: expected a mix of shape {clean.shape} (the clean signal's), got "
                                f"{mix.shape}. Repeat a short noise, and cut a long one, to len(clean).")
        added = mix - clean
        fitted = _fitted_noise(noise, clean.size)
        gain = float(added @ fitted / (fitted @ fitted))
        if not np.allclose(added, gain * fitted, atol=1e-5 * max(1.0, np.abs(added).max())):
            raise ExerciseError(f"{what}: mix - clean should be the noise times one gain: its first len(clean) "
                                "samples, after repeating it if it is shorter than clean. It is not.")
        measured = 10 * np.log10(np.mean(clean.astype(np.float64) ** 2) / np.mean(added**2))
        if abs(measured - snr) > 0.01:
            hint = ""
            if abs(measured - 2 * snr) < 0.05 or abs(measured - snr / 2) < 0.05:
                hint = (" Off by a factor of 2 in dB: power ratios use 10·log10, and scaling the noise by g "
                        "scales its power by g².")
            elif abs(measured + snr) < 0.05:
                hint = " The sign is flipped: a positive SNR means the noise is quieter than the signal."
            raise ExerciseError(f"{what}: the mix measures 10·log10(P_clean / P_noise) = {measured:.3f} dB, "
                                f"expected {snr:g} dB.{hint}")
    try:
        out = fn(audio.sine(440, 0.1), np.zeros(100), 10.0)
    except NotImplementedError:
        raise NotDoneYet from None
    except ValueError:
        pass
    except Exception as err:
        raise ExerciseError(f"mix_at_snr with a silent noise (all zeros): expected a ValueError saying so, got "
                            f"{type(err).__name__}: {err}") from err
    else:
        raise ExerciseError(f"mix_at_snr with a silent noise (all zeros): no gain reaches a finite SNR, so "
                            f"expected a ValueError; it returned {_summary(out)}.")
    passed("Right: every mix measures its target SNR, from -5 to 20 dB, with short and long noises.")


def _summary(x) -> str:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        return repr(x)
    if arr.ndim == 0:
        return repr(x)
    return f"an array of shape {arr.shape}" + (" holding nan or inf" if not np.all(np.isfinite(arr)) else "")
