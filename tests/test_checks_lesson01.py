"""The exercise checks of lesson 01 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib import audio
from rnnlib.checks import ExerciseError, lesson01


def test_lesson01_accepts_right_answers(capsys):
    lesson01.sample_count(5200)
    lesson01.alias_frequency(lambda f, sr: min(f % sr, sr - f % sr))
    lesson01.peak_db(lambda y: 20 * np.log10(np.max(np.abs(y))))
    lesson01.quantization_snr(lambda y, b: 10 * np.log10(np.mean(y**2) / np.mean((audio.quantize(y, b) - y) ** 2)))
    assert capsys.readouterr().out.count("✅") == 4


def test_lesson01_explains_wrong_answers(capsys):
    lesson01.sample_count(None)
    assert "not done yet" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="expected 5200"):
        lesson01.sample_count(520)
    with pytest.raises(ExerciseError, match="with 5000, 8000"):
        lesson01.alias_frequency(lambda f, sr: f)  # forgets to fold
    with pytest.raises(ExerciseError, match="forget `return`"):
        lesson01.peak_db(lambda y: None)
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError"):
        lesson01.peak_db(lambda y: 1 / 0)
    with pytest.raises(ExerciseError):
        lesson01.peak_db(lambda y: 20 * np.log10(np.max(y)))  # ignores negative peaks
