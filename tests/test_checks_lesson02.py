"""The exercise checks of lesson 02 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib.checks import ExerciseError, lesson02
from helpers import stub


def stft_magnitude(y, n_fft, hop, win_length, *, window="periodic", pad="constant", align="centre",
                   power=1, layout="time"):
    """The lesson's solution, with switches for the typical mistakes."""
    n = np.arange(win_length)
    w = np.sin(np.pi * n / win_length) ** 2 if window == "periodic" else np.hanning(win_length)
    left = (n_fft - win_length) // 2 if align == "centre" else 0
    w = np.pad(w, (left, n_fft - win_length - left))
    padded = np.pad(np.asarray(y, dtype=np.float64), n_fft // 2, mode=pad)
    n_frames = 1 + len(y) // hop if layout != "frames" else len(y) // hop
    S = np.empty((n_frames, n_fft // 2 + 1))
    for t in range(n_frames):
        S[t] = np.abs(np.fft.rfft(padded[t * hop: t * hop + n_fft] * w)) ** power
    return S.T if layout == "freq" else S


def mel_filterbank(sr, n_fft, n_mels, fmin=0.0, fmax=None, *, points=None, peak=1.0):
    fmax = sr / 2 if fmax is None else fmax
    to_mel = lambda f: 2595 * np.log10(1 + np.asarray(f) / 700)
    edges = 700 * (10 ** (np.linspace(to_mel(fmin), to_mel(fmax), points or n_mels + 2) / 2595) - 1)
    if points:
        edges = np.concatenate([edges, np.full(n_mels + 2 - points, edges[-1] + 1)])
    freqs = np.arange(n_fft // 2 + 1) * sr / n_fft
    W = np.zeros((n_mels, freqs.size))
    for b in range(n_mels):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        W[b] = np.maximum(0, np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)))
    return peak * W


def standardize_split(train, test, *, fit="train", floor=True, pool=True):
    fitted = {"train": train, "all": list(train) + list(test)}[fit]
    frames = np.concatenate(fitted)
    mean = frames.mean(axis=0) if pool else np.mean([s.mean(axis=0) for s in fitted], axis=0)
    std = np.maximum(frames.std(axis=0), 1e-5) if floor else frames.std(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return [(s - mean) / std for s in train], [(s - mean) / std for s in test]


def test_lesson02_accepts_right_answers(capsys):
    lesson02.stft_magnitude(stft_magnitude)
    lesson02.mel_filterbank(mel_filterbank)
    lesson02.standardize_split(standardize_split)
    assert capsys.readouterr().out.count("✅") == 3


def test_lesson02_says_not_done_yet(capsys):
    lesson02.stft_magnitude(stub)
    lesson02.mel_filterbank(stub)
    lesson02.standardize_split(stub)
    assert capsys.readouterr().out.count("not done yet") == 3


@pytest.mark.parametrize("mistake, message", [
    (dict(window="symmetric"), "symmetric"),
    (dict(pad="reflect"), "zeros"),
    (dict(align="left"), "centres it"),
    (dict(power=2), "power"),
    (dict(layout="freq"), "transpose"),
    (dict(layout="frames"), "1 \\+ N // hop"),
])
def test_stft_magnitude_explains_typical_mistakes(mistake, message):
    with pytest.raises(ExerciseError, match=message):
        lesson02.stft_magnitude(lambda *args: stft_magnitude(*args, **mistake))


def test_stft_magnitude_reports_a_learners_crash_and_a_missing_return():
    with pytest.raises(ExerciseError, match="forget `return`"):
        lesson02.stft_magnitude(lambda *args: None)
    with pytest.raises(ExerciseError, match="raised ValueError"):
        lesson02.stft_magnitude(lambda y, n_fft, hop, w: np.fft.rfft(y.reshape(-1, n_fft)))


@pytest.mark.parametrize("mistake, message", [
    (dict(peak=2.0), "between 0 and 1"),
    (dict(points=None, peak=0.5), "differ"),
])
def test_mel_filterbank_explains_typical_mistakes(mistake, message):
    with pytest.raises(ExerciseError, match=message):
        lesson02.mel_filterbank(lambda *args: mel_filterbank(*args, **mistake))


def test_mel_filterbank_recognizes_librosas_defaults():
    import librosa

    slaney = lambda sr, n_fft, n_mels, fmin, fmax: librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin,
                                                                      fmax=fmax)
    with pytest.raises(ExerciseError, match="equal area|Slaney"):
        lesson02.mel_filterbank(slaney)
    slaney_scale = lambda sr, n_fft, n_mels, fmin, fmax: librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, norm=None)
    with pytest.raises(ExerciseError, match="Slaney"):
        lesson02.mel_filterbank(slaney_scale)
    with pytest.raises(ExerciseError, match="transposed"):
        lesson02.mel_filterbank(lambda *args: mel_filterbank(*args).T)


@pytest.mark.parametrize("mistake, message", [
    (dict(fit="all"), "leak"),
    (dict(pool=False), "np.concatenate"),
    (dict(floor=False), "divided by 0"),
])
def test_standardize_split_explains_typical_mistakes(mistake, message):
    with pytest.raises(ExerciseError, match=message):
        lesson02.standardize_split(lambda tr, te: standardize_split(tr, te, **mistake))


def test_standardize_split_catches_per_sequence_scaling_and_a_wrong_shape():
    own = lambda seqs: [(s - s.mean(0)) / np.maximum(s.std(0), 1e-5) for s in seqs]
    with pytest.raises(ExerciseError, match="its own statistics"):
        lesson02.standardize_split(lambda tr, te: (own(tr), own(te)))
    with pytest.raises(ExerciseError, match="expected a pair"):
        lesson02.standardize_split(lambda tr, te: standardize_split(tr, te)[1])
