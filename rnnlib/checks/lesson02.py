"""Checks for lesson 02, From waveform to features."""
from __future__ import annotations

import warnings

import numpy as np

from .. import audio
from ._core import ExerciseError, call, exercise, passed

__all__ = ["mel_filterbank", "standardize_split", "stft_magnitude"]


# ---------------------------------------------------------------- exercise 1: the STFT by hand

def _librosa_stft_magnitude(y, n_fft, hop, win_length):
    """``np.abs(librosa.stft(...))``, time-major: what the exercise is compared with."""
    import librosa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # librosa warns when n_fft exceeds a short signal
        S = librosa.stft(np.asarray(y, dtype=np.float64), n_fft=n_fft, hop_length=hop, win_length=win_length,
                         window="hann", center=True)
    return np.abs(S).T


def _variant_stft(y, n_fft, hop, win_length, *, window="periodic", pad="constant", align="centre", power=1):
    """The STFT with one of the usual slips, to recognize it in a learner's answer."""
    y = np.asarray(y, dtype=np.float64)
    n = np.arange(win_length)
    w = {"periodic": np.sin(np.pi * n / win_length) ** 2, "symmetric": np.hanning(win_length),
         "none": np.ones(win_length)}[window]
    left = (n_fft - win_length) // 2 if align == "centre" else 0
    w = np.pad(w, (left, n_fft - win_length - left))
    padded = np.pad(y, n_fft // 2, mode=pad)
    frames = np.stack([padded[t * hop: t * hop + n_fft] for t in range(1 + len(y) // hop)])
    return np.abs(np.fft.rfft(frames * w, axis=1)) ** power


_SLIPS = [
    (dict(window="symmetric"), "The values are those of a *symmetric* Hann window (np.hanning, whose last sample "
                               "is 0 again). librosa's Hann is periodic: w[n] = sin²(π n / N) for n = 0..N-1."),
    (dict(pad="reflect"), "The values are those of a signal padded with its mirror image (mode 'reflect'). "
                          "librosa 0.11 pads with zeros by default (pad_mode='constant')."),
    (dict(align="left"), "The window sits at the start of each n_fft frame; librosa centres it: "
                         "(n_fft - win_length) // 2 zeros before it, the rest after."),
    (dict(window="none"), "The values are those of frames that were never windowed: multiply each frame by the "
                          "Hann window before the FFT."),
    (dict(power=2), "These are squared magnitudes (power). The exercise asks for the magnitude |X|: no square."),
]


def _stft_cases():
    rng = np.random.default_rng(20)
    chirp = audio.chirp(100, 3500, 0.3, 8000, amplitude=0.8).astype(np.float64)
    return [
        ("white noise of 1000 samples", rng.standard_normal(1000), 256, 80, 200),
        ("a 0.3 s chirp (2400 samples)", chirp, 512, 128, 512),
        ("white noise of 777 samples", rng.standard_normal(777), 64, 16, 41),
        ("white noise of 1001 samples", rng.standard_normal(1001), 256, 100, 256),
        ("a short signal of 100 samples", rng.uniform(-1, 1, 100), 128, 32, 128),
    ]


@exercise("stft_magnitude", not_by=('librosa.stft', 'rnnlib.features.spectrogram_db',))
def stft_magnitude(fn) -> None:
    """Exercise 1: ``fn(y, n_fft, hop, win_length)`` is ``np.abs(librosa.stft(...)).T``: ``(T, n_fft // 2 + 1)``."""
    for description, y, n_fft, hop, win_length in _stft_cases():
        what = f"stft_magnitude on {description} with n_fft={n_fft}, hop={hop}, win_length={win_length}"
        got = call(fn, (y.copy(), n_fft, hop, win_length), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: did you forget `return`?")
        expected = _librosa_stft_magnitude(y, n_fft, hop, win_length)
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise ExerciseError(f"{what}: expected an array of shape {expected.shape}, got "
                                f"{type(got).__name__}.") from None
        T, F = expected.shape
        if got.shape != expected.shape:
            if got.shape == (F, T):
                hint = "That is (frequency, time): return it time-major, one row per frame (transpose it)."
            elif got.ndim == 2 and got.shape[1] == F:
                hint = (f"A centred STFT of N = {len(y)} samples has 1 + N // hop = {T} frames: pad n_fft // 2 "
                        "samples at both ends, and start a frame every hop samples.")
            elif got.ndim == 2 and got.shape[0] == T:
                hint = (f"Each frame gives n_fft // 2 + 1 = {F} frequency bins, from 0 Hz to the Nyquist "
                        "frequency (the one-sided FFT of n_fft samples).")
            else:
                hint = "Rows are frames (time), columns are frequency bins."
            raise ExerciseError(f"{what}: expected shape (T, n_fft // 2 + 1) = {expected.shape}, got "
                                f"{got.shape}. {hint}")
        scale = np.abs(expected).max()
        if np.allclose(got, expected, rtol=1e-6, atol=1e-8 * scale):
            continue
        for slip, hint in _SLIPS:
            if np.allclose(got, _variant_stft(y, n_fft, hop, win_length, **slip), rtol=1e-6, atol=1e-8 * scale):
                raise ExerciseError(f"{what}: the shape is right but the values differ from librosa's. {hint}")
        t, k = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
        raise ExerciseError(
            f"{what}: the shape is right, but frame {t}, bin {k} is {got[t, k]:.6g} where librosa gives "
            f"{expected[t, k]:.6g}. Frame t covers samples t·hop − n_fft/2 … t·hop + n_fft/2 of the signal "
            "(zeros outside it), times the periodic Hann window centred in the frame.")
    passed("Right: your spectrogram matches librosa.stft on 5 signals, including an odd window and a signal "
           "shorter than one FFT.")


# ---------------------------------------------------------------- exercise 2: a mel filterbank by hand

def _librosa_mel(sr, n_fft, n_mels, fmin, fmax, *, htk=True, norm=None):
    import librosa

    return librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm,
                               dtype=np.float64)


@exercise("mel_filterbank", not_by=('librosa.filters.mel', 'rnnlib.features.mel_filterbank',))
def mel_filterbank(fn) -> None:
    """Exercise 2: ``fn(sr, n_fft, n_mels, fmin, fmax)`` is ``librosa.filters.mel(..., htk=True, norm=None)``."""
    cases = [(8000, 256, 40, 20.0, 4000.0), (16000, 512, 26, 0.0, 8000.0), (8000, 256, 10, 300.0, 3400.0),
             (22050, 1024, 64, 0.0, None)]
    for sr, n_fft, n_mels, fmin, fmax in cases:
        what = f"mel_filterbank(sr={sr}, n_fft={n_fft}, n_mels={n_mels}, fmin={fmin:g}, fmax={fmax})"
        got = call(fn, (sr, n_fft, n_mels, fmin, fmax), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: did you forget `return`?")
        top = sr / 2 if fmax is None else fmax
        expected = _librosa_mel(sr, n_fft, n_mels, fmin, top)
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            raise ExerciseError(f"{what}: expected an array of shape {expected.shape}, got "
                                f"{type(got).__name__}.") from None
        if got.shape != expected.shape:
            hint = (" That is transposed: one row per mel band." if got.shape == expected.shape[::-1] else
                    f" One row per mel band ({n_mels}), one column per FFT bin (n_fft // 2 + 1 = "
                    f"{n_fft // 2 + 1}).")
            raise ExerciseError(f"{what}: expected shape {expected.shape}, got {got.shape}.{hint}")
        if np.allclose(got, expected, rtol=1e-5, atol=1e-7):
            continue
        if np.allclose(got, _librosa_mel(sr, n_fft, n_mels, fmin, top, htk=False), rtol=1e-5, atol=1e-7):
            hint = ("These are the triangles of librosa's default (Slaney) mel scale. Space the band edges "
                    "evenly with the HTK formula m(f) = 2595·log10(1 + f/700).")
        elif np.allclose(got, _librosa_mel(sr, n_fft, n_mels, fmin, top, norm="slaney"), rtol=1e-5, atol=1e-7):
            hint = "Your triangles are scaled to equal area; here each one peaks at 1 (norm=None)."
        elif np.allclose(got, _librosa_mel(sr, n_fft, n_mels, fmin, top, htk=False, norm="slaney"), rtol=1e-5,
                         atol=1e-7):
            hint = ("This is librosa's default filterbank (what features.mel_filterbank uses): the Slaney mel "
                    "scale and triangles scaled to equal area. Here: the HTK formula, and peaks of 1.")
        elif np.abs(got).max() > 1 + 1e-6 or got.min() < -1e-9:
            hint = "Every weight lies between 0 and 1: a triangle rises from 0 to 1 and falls back to 0."
        else:
            b, k = np.unravel_index(np.argmax(np.abs(got - expected)), expected.shape)
            hint = (f"Band {b}, bin {k} ({k * sr / n_fft:g} Hz) has weight {got[b, k]:.6g}, expected "
                    f"{expected[b, k]:.6g}. {n_mels} triangles need n_mels + 2 = {n_mels + 2} edge frequencies, "
                    "evenly spaced in mel from fmin to fmax; band b rises from edge b to edge b + 1 and falls "
                    "to edge b + 2.")
        raise ExerciseError(f"{what}: the shape is right but the weights differ from librosa's. {hint}")
    passed("Right: your filterbank equals librosa.filters.mel(..., htk=True, norm=None) for 4 settings, "
           "from 10 to 64 bands.")


# ---------------------------------------------------------------- exercise 3: standardization without leakage

def _scaled(seqs, mean, std):
    return [(np.asarray(s, dtype=np.float64) - mean) / std for s in seqs]


def _standardize_variants(train, test):
    """The right answer and the usual slips, each as (train_scaled, test_scaled)."""
    def stats(frames):
        return frames.mean(axis=0), np.maximum(frames.std(axis=0), 1e-5)

    right = stats(np.concatenate(train))
    leak = stats(np.concatenate(list(train) + list(test)))
    mean_of_means = np.mean([s.mean(axis=0) for s in train], axis=0)
    return {
        "right": (_scaled(train, *right), _scaled(test, *right)),
        "leak": (_scaled(train, *leak), _scaled(test, *leak)),
        "own": ([(s - s.mean(0)) / np.maximum(s.std(0), 1e-5) for s in train],
                [(s - s.mean(0)) / np.maximum(s.std(0), 1e-5) for s in test]),
        "means": (_scaled(train, mean_of_means, right[1]), _scaled(test, mean_of_means, right[1])),
    }


def _sequences(x, n) -> bool:
    try:
        return len(x) == n and all(np.ndim(s) == 2 for s in x)
    except TypeError:
        return False


def _outline(x) -> str:
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)}: " + ", ".join(
            f"shape {np.shape(e)}" if not isinstance(e, (tuple, list)) else f"a list of {len(e)}" for e in x[:4])
    return type(x).__name__


def _same(got, want) -> bool:
    try:
        return len(got) == len(want) and all(np.shape(g) == np.shape(w) and np.allclose(g, w, rtol=1e-4, atol=1e-4)
                                             for g, w in zip(got, want))
    except (TypeError, ValueError):
        return False


@exercise("standardize_split", not_by=('rnnlib.features.Standardizer',))
def standardize_split(fn) -> None:
    """Exercise 3: ``fn(train_seqs, test_seqs)`` returns both lists standardized with training statistics only."""
    rng = np.random.default_rng(2)
    lengths = [(5, 30, 12), (40, 7, 19, 3)]
    for n_case, train_lengths in enumerate(lengths):
        D = 3 + n_case
        train = [rng.normal([10, -3] + [0.5] * (D - 2), [4, 1] + [2] * (D - 2), (T, D)) for T in train_lengths]
        test = [rng.normal([14, -1] + [1.5] * (D - 2), [5, 1] + [2] * (D - 2), (T, D)) for T in (9, 21)]
        if n_case == 1:
            for s in train:
                s[:, -1] = 0.0        # a feature that never moves in training: its std is 0
        what = (f"standardize_split on {len(train)} training sequences of lengths {list(train_lengths)} and 2 test "
                f"sequences, D={D}" + (", the last feature always 0 in training" if n_case == 1 else ""))
        got = call(fn, ([s.copy() for s in train], [s.copy() for s in test]), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: did you forget `return`?")
        if not (isinstance(got, (tuple, list)) and len(got) == 2 and _sequences(got[0], len(train))
                and _sequences(got[1], len(test))):
            raise ExerciseError(f"{what}: expected a pair (train_scaled, test_scaled): a list of {len(train)} arrays "
                                f"and a list of {len(test)}, each (T, {D}); got {_outline(got)}.")
        variants = _standardize_variants(train, test)
        got_train, got_test = got
        if _same(got_train, variants["right"][0]) and _same(got_test, variants["right"][1]):
            continue
        for name, hint in [
            ("leak", "Your statistics include the test sequences: that is the leak. Fit on the training frames only, "
                     "then use the same mean and std for both lists."),
            ("own", "Each sequence was scaled with its own statistics. Use one mean and one std per feature, "
                    "from the training frames, for every sequence."),
            ("means", "Your mean averages the sequences' means, so a 3-frame sequence counts as much as a 40-frame "
                      "one. Pool all the training frames first (np.concatenate), then average."),
        ]:
            if _same(got_train, variants[name][0]) and _same(got_test, variants[name][1]):
                raise ExerciseError(f"{what}: {hint}")
        try:
            finite = all(np.all(np.isfinite(np.asarray(s, dtype=np.float64))) for s in list(got_train) + list(got_test))
        except (TypeError, ValueError):
            finite = True
        if not finite:
            raise ExerciseError(f"{what}: the result holds nan or inf. A feature whose training std is 0 must not "
                                "be divided by 0: use max(std, 1e-5).")
        which, want, mine = ("test", variants["right"][1], got_test) if _same(got_train, variants["right"][0]) else \
            ("training", variants["right"][0], got_train)
        raise ExerciseError(f"{what}: the scaled {which} sequences differ from those of features.Standardizer fitted "
                            f"on the training list. Expected the first one to start {np.asarray(want[0])[0]}, got "
                            f"{np.asarray(mine[0])[0] if len(mine) else mine}.")
    passed("Right: one mean and one std per feature, from the training frames only, applied to both lists; "
           "a feature that never moves in training no longer divides by zero.")
