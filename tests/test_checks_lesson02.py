"""The exercise checks of lesson 02 accept the reference solutions and explain wrong answers."""
import numpy as np
import pytest

from rnnlib import audio
from rnnlib.checks import ExerciseError, lesson02


def test_lesson02_accepts_right_answers_and_catches_leakage(capsys):
    lesson02.n_frames(lambda n, hop: 1 + n // hop)
    lesson02.bin_frequency(lambda k, sr, n: k * sr / n)
    lesson02.hz_to_mel(lambda f: 2595 * np.log10(1 + np.asarray(f) / 700))
    rng = np.random.default_rng(1)
    train = [rng.normal(0, 1, (5, 2)) for _ in range(3)]
    test = [rng.normal(3, 1, (4, 2)) for _ in range(2)]
    from rnnlib.features import Standardizer
    lesson02.standardized_test(Standardizer().fit(train).transform(test), train, test)
    assert capsys.readouterr().out.count("✅") == 4
    with pytest.raises(ExerciseError, match="include the test"):
        lesson02.standardized_test(Standardizer().fit(train + test).transform(test), train, test)
    with pytest.raises(ExerciseError, match="with 8000, 80"):
        lesson02.n_frames(lambda n, hop: n // hop)
