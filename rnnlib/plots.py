"""The figures the lessons draw, so a notebook cell stays one readable line.

Every function draws on ``ax`` if given (else a new figure) and returns the axes.
Matrices are time-major, as everywhere in rnnlib: ``(T, D)``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import features as _features


def _axes(ax, figsize=(9, 2.6)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def waveform(y, sr: int, *, ax=None, title: str | None = None, start: float = 0.0, **line_kw):
    """Plot ``y: (N,)`` against time in seconds (``start`` shifts the time axis)."""
    ax = _axes(ax)
    t = start + np.arange(len(y)) / sr
    ax.plot(t, y, lw=line_kw.pop("lw", 0.8), **line_kw)
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(t[0], t[-1] if len(t) > 1 else t[0] + 1 / sr))
    if title:
        ax.set_title(title)
    return ax


def samples(y, sr: int, *, ax=None, start: float = 0.0, label: str | None = None, color="C1"):
    """Draw the individual samples of ``y: (N,)`` as stems: what a computer actually stores."""
    ax = _axes(ax)
    t = start + np.arange(len(y)) / sr
    markers, stems, base = ax.stem(t, y, linefmt=color, markerfmt="o", basefmt=" ", label=label)
    plt.setp(markers, markersize=4, color=color)
    plt.setp(stems, linewidth=0.8)
    ax.set(xlabel="time (s)", ylabel="amplitude")
    return ax


def spectrogram(S_db, sr: int, *, config=None, ax=None, title=None, y_axis: str = "hz",
                colorbar: bool = True, **overrides):
    """Show a ``(T, F)`` dB matrix as an image: time across, frequency (or band/coefficient) up.

    y_axis: ``"hz"`` for STFT bins, ``"mel"`` for mel bands, ``"coef"`` for MFCC/feature index.
    """
    ax = _axes(ax, figsize=(9, 3))
    S_db = np.asarray(S_db)
    T, F = S_db.shape
    hop_s = _features.make_config(config, **overrides).hop_length(sr) / sr
    top = {"hz": sr / 2, "mel": F, "coef": F}[y_axis]
    img = ax.imshow(S_db.T, origin="lower", aspect="auto", cmap="magma",
                    extent=(0, T * hop_s, 0, top), interpolation="nearest")
    ax.set(xlabel="time (s)", ylabel={"hz": "frequency (Hz)", "mel": "mel band", "coef": "coefficient"}[y_axis])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(img, ax=ax, label="dB" if y_axis != "coef" else "value", pad=0.01)
    return ax
