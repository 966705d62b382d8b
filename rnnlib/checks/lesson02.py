"""Checks for lesson 02, From waveform to features."""
from __future__ import annotations

import numpy as np

from .. import features
from ._core import ExerciseError, check_function, check_value, exercise, passed


@exercise("n_frames")
def n_frames(fn) -> None:
    """Exercise 1: ``fn(n_samples, hop)`` is the number of frames of a centred STFT."""
    cases = [(8000, 80), (4000, 80), (79, 80), (80, 80), (1, 80), (5151, 100)]
    check_function(fn, lambda n, hop: 1 + n // hop, cases, what="n_frames",
                   hint="With centred frames there is one at t = 0 and one every hop samples after it: 1 + n // hop.")
    passed("Right: a centred STFT has 1 + n_samples // hop frames, whatever the window length.")


@exercise("bin_frequency")
def bin_frequency(fn) -> None:
    """Exercise 2: ``fn(k, sr, n_fft)`` is the centre frequency in Hz of STFT bin ``k``."""
    cases = [(0, 8000, 256), (1, 8000, 256), (128, 8000, 256), (10, 16000, 512), (3, 8000, 2048)]
    check_function(fn, lambda k, sr, n_fft: k * sr / n_fft, cases, what="bin_frequency",
                   hint="The n_fft bins share the sr Hz of one full turn: each bin is sr / n_fft Hz wide.")
    passed("Right: bins are sr / n_fft apart, so bin n_fft/2 sits exactly at Nyquist.")


@exercise("hz_to_mel")
def hz_to_mel(fn) -> None:
    """Exercise 3: ``fn(f)`` converts Hz to mel with the HTK formula ``2595 log10(1 + f/700)``."""
    cases = [0.0, 700.0, 1000.0, 4000.0, np.array([100.0, 200.0, 3000.0])]
    check_function(fn, lambda f: 2595 * np.log10(1 + np.asarray(f) / 700), cases, what="hz_to_mel", rtol=1e-6,
                   hint="Use np.log10 (not math.log10) so arrays work too.")
    passed("Right: 1000 Hz ≈ 1000 mel; above that the scale compresses, as our hearing does.")


@exercise("standardized_test")
def standardized_test(test_scaled, train, test) -> None:
    """Exercise 4: ``test_scaled`` is ``test`` standardized with statistics fitted on ``train`` only."""
    expected = features.Standardizer().fit(train).transform(test)
    if not isinstance(test_scaled, list) or len(test_scaled) != len(test):
        raise ExerciseError(f"Expected a list of {len(test)} standardized test sequences, got "
                            f"{type(test_scaled).__name__}.")
    peeked = features.Standardizer().fit(list(train) + list(test)).transform(test)
    for i, (got, want, leak) in enumerate(zip(test_scaled, expected, peeked)):
        if np.shape(got) == np.shape(leak) and np.allclose(got, leak, atol=1e-5) and not np.allclose(got, want, atol=1e-5):
            raise ExerciseError("Your statistics include the test sequences: fit on train only, then transform test.")
        check_value(got, want, what=f"Test sequence {i}", rtol=1e-4, atol=1e-4,
                    hint="Fit a Standardizer on the training list, then .transform the test list.")
    passed("Right: the test set was scaled with training statistics only, as it will be for a new recording.")
