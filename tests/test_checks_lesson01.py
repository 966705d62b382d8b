"""The exercise checks of lesson 01 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib import audio
from rnnlib.checks import ExerciseError, lesson01
from helpers import stub


def speech_bounds(y, sr, frame_ms=20, threshold_db=-35, *, level="rms", floor=True, unit="s", end="end"):
    """The lesson's solution, with switches for the typical mistakes."""
    n = int(round(frame_ms / 1000 * sr))
    loud = []
    for i, start in enumerate(range(0, len(y), n)):
        frame = np.asarray(y[start:start + n], dtype=np.float64)
        value = np.sqrt(np.mean(frame**2)) if level == "rms" else np.max(np.abs(frame))
        db = audio.amplitude_to_db(value) if floor else 20 * np.log10(value)
        if db > threshold_db:
            loud.append(i)
    if not loud:
        return None
    last = loud[-1] + 1 if end == "end" else loud[-1]
    scale = sr if unit == "s" else 1
    return loud[0] * n / scale, min(last * n, len(y)) / scale


def mix_at_snr(clean, noise, snr_db, *, factor=10, tile=True, raise_silent=True):
    clean, noise = np.asarray(clean, dtype=np.float64), np.asarray(noise, dtype=np.float64)
    if tile:
        noise = np.tile(noise, -(-clean.size // noise.size))
    noise = noise[:clean.size]
    p_noise = np.mean(noise**2)
    if p_noise == 0 and raise_silent:
        raise ValueError("The noise is silent.")
    with np.errstate(divide="ignore", invalid="ignore"):
        gain = np.sqrt(np.mean(clean**2) / (p_noise * 10 ** (snr_db / factor)))
        return clean + gain * noise


def test_lesson01_accepts_right_answers(capsys, fsdd_dir):
    lesson01.alias_frequency(lambda f, sr: min(f % sr, sr - f % sr))
    lesson01.speech_bounds(speech_bounds)
    lesson01.mix_at_snr(mix_at_snr)
    out = capsys.readouterr().out
    assert out.count("✅") == 3
    assert "real recordings" in out


def test_lesson01_says_not_done_yet(capsys):
    for check in (lesson01.alias_frequency, lesson01.speech_bounds, lesson01.mix_at_snr):
        check(stub)
    assert capsys.readouterr().out.count("not done yet") == 3


def test_alias_frequency_explains_a_missing_fold():
    with pytest.raises(ExerciseError, match="with 5000, 8000"):
        lesson01.alias_frequency(lambda f, sr: f)


@pytest.mark.parametrize("mistake, message", [
    (dict(level="peak"), "RMS"),
    (dict(unit="samples"), "sample indices"),
    (dict(end="start"), "one frame early"),
    (dict(floor=False), "log10"),
])
def test_speech_bounds_explains_typical_mistakes(mistake, message):
    with pytest.raises(ExerciseError, match=message):
        lesson01.speech_bounds(lambda *args: speech_bounds(*args, **mistake))


def test_speech_bounds_wants_none_for_silence_only_and_a_pair_otherwise():
    with pytest.raises(ExerciseError, match="expected None"):
        lesson01.speech_bounds(lambda y, sr, ms, th: speech_bounds(y, sr, ms, th) or (0.0, 0.0))
    with pytest.raises(ExerciseError, match="forget `return`"):
        lesson01.speech_bounds(lambda *args: None)


@pytest.mark.parametrize("mistake, message", [
    (dict(factor=20), "factor of 2"),
    (dict(tile=False), "shape"),
    (dict(raise_silent=False), "ValueError"),
])
def test_mix_at_snr_explains_typical_mistakes(mistake, message):
    with pytest.raises(ExerciseError, match=message):
        lesson01.mix_at_snr(lambda c, n, s: mix_at_snr(c, n, s, **mistake))


def test_mix_at_snr_wants_the_given_noise():
    rng = np.random.default_rng(0)
    with pytest.raises(ExerciseError, match="noise times one gain"):
        lesson01.mix_at_snr(lambda c, n, s: mix_at_snr(c, rng.standard_normal(c.size), s))
