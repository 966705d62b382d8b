"""Interactive demos: a knob the learner turns to see an idea move.

Each function returns an ``ipywidgets`` widget; display it by leaving it last in a cell.
The drawing each widget does is a plain function too (``draw_*``), so a lesson can also show a
few fixed settings side by side as a static figure that reads well on GitHub.
"""
from __future__ import annotations

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

from . import audio, features, plots


def draw_aliasing(tone_hz: float, sr: int, *, duration: float = 0.01, axes=None):
    """Plot a ``tone_hz`` sine, its samples at ``sr``, and the slower tone those samples also fit."""
    ax = axes if axes is not None else plt.subplots(figsize=(9, 2.8), layout="constrained")[1]
    fine_sr = 200_000
    t_fine = np.arange(int(duration * fine_sr)) / fine_sr
    t_samp = np.arange(int(duration * sr) + 1) / sr
    apparent = audio.alias_frequency(tone_hz, sr)
    ax.plot(t_fine * 1000, np.sin(2 * np.pi * tone_hz * t_fine), color="C0", lw=1, label=f"true tone {tone_hz:g} Hz")
    if apparent != tone_hz:
        # Folding about a multiple of sr can flip the sign of the sine: match it through the samples.
        sign = 1.0 if (tone_hz % sr) <= sr / 2 else -1.0
        ax.plot(t_fine * 1000, sign * np.sin(2 * np.pi * apparent * t_fine), "--", color="C3", lw=1.2,
                label=f"what the samples say: {apparent:g} Hz")
    ax.plot(t_samp * 1000, np.sin(2 * np.pi * tone_hz * t_samp), "o", color="C1", ms=5, label=f"samples at {sr} Hz")
    verdict = "aliased!" if apparent != tone_hz else "faithful"
    ax.set(xlabel="time (ms)", ylabel="amplitude", ylim=(-1.3, 1.6),
           title=f"sr = {sr} Hz, Nyquist = {sr / 2:g} Hz: {verdict}")
    ax.legend(loc="upper right", ncol=3, fontsize=8, frameon=False)
    return ax


def aliasing_demo(tone_hz: float = 1000.0):
    """Sliders for the tone and the sample rate: watch a tone fold down once ``sr < 2 f``."""
    def show(tone_hz, sr):
        draw_aliasing(tone_hz, sr)
        plt.show()

    return W.interactive(
        show,
        tone_hz=W.FloatSlider(value=tone_hz, min=100, max=4000, step=50, description="tone (Hz)",
                              continuous_update=False),
        sr=W.IntSlider(value=8000, min=500, max=8000, step=100, description="sr (Hz)", continuous_update=False),
    )


def window_test_signal(sr: int = audio.SAMPLE_RATE) -> np.ndarray:
    """One second that no single window length shows perfectly: two close tones, then two close clicks.

    1000 Hz and 1060 Hz play together for the first half (a *long* window tells them apart); clicks
    at 0.70 s and 0.72 s follow (a *short* window tells them apart). Returns ``(sr,)`` float32.
    """
    y = 0.3 * audio.sine(1000, 1.0, sr) + 0.3 * audio.sine(1060, 1.0, sr)
    y[sr // 2:] = 0.0
    for t in (0.70, 0.72):
        y[int(t * sr)] = 1.0
    return y


def draw_window_tradeoff(win_ms: float, y=None, sr: int = audio.SAMPLE_RATE, *, ax=None, colorbar=True):
    """The spectrogram of ``y`` (default :func:`window_test_signal`) with a ``win_ms`` window, zoomed in."""
    y = window_test_signal(sr) if y is None else y
    S = features.spectrogram_db(y, sr, win_ms=win_ms, hop_ms=2.0, n_fft=max(2048, features.make_config(
        win_ms=win_ms).fft_size(sr)))
    ax = plots.spectrogram(S, sr, ax=ax, hop_ms=2.0, colorbar=colorbar,
                           title=f"window {win_ms:g} ms: Δt ≈ {win_ms:g} ms, Δf ≈ {1000 / win_ms:.0f} Hz")
    ax.set(ylim=(600, 1500), xlim=(0.3, 0.85))
    return ax


def window_demo():
    """A slider for the STFT window length: short windows resolve the clicks, long ones the tones."""
    def show(win_ms):
        draw_window_tradeoff(win_ms)
        plt.show()

    return W.interactive(show, win_ms=W.FloatSlider(value=25, min=4, max=100, step=2, description="window (ms)",
                                                    continuous_update=False))
