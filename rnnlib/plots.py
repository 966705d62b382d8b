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
                colorbar: bool = True, cmap: str = "magma", vmin=None, vmax=None, **overrides):
    """Show a ``(T, F)`` dB matrix as an image: time across, frequency (or band/coefficient) up.

    y_axis: ``"hz"`` for STFT bins, ``"mel"`` for mel bands, ``"coef"`` for MFCC/feature index.
    cmap, vmin, vmax: as for ``imshow`` (e.g. ``cmap="RdBu_r", vmin=-1, vmax=1`` for tanh states).
    """
    ax = _axes(ax, figsize=(9, 3))
    S_db = np.asarray(S_db)
    T, F = S_db.shape
    hop_s = _features.make_config(config, **overrides).hop_length(sr) / sr
    top = {"hz": sr / 2, "mel": F, "coef": F}[y_axis]
    img = ax.imshow(S_db.T, origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                    extent=(0, T * hop_s, 0, top), interpolation="nearest")
    ax.set(xlabel="time (s)", ylabel={"hz": "frequency (Hz)", "mel": "mel band", "coef": "coefficient"}[y_axis])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(img, ax=ax, label="dB" if y_axis != "coef" else "value", pad=0.01)
    return ax


def unrolled_rnn(steps: int = 4, *, ax=None):
    """Draw an RNN unrolled over ``steps`` time steps: the same cell, the same weights, at every step."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    ax = _axes(ax, figsize=(2.3 * steps + 1.5, 3.4))

    def box(x, y, text, color):
        ax.add_patch(FancyBboxPatch((x - 0.38, y - 0.25), 0.76, 0.5, boxstyle="round,pad=0.05",
                                    fc=color, ec="0.3", lw=1))
        ax.text(x, y, text, ha="center", va="center", fontsize=11)

    def arrow(x0, y0, x1, y1, label=None, dx=0.0, dy=0.0):
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12, lw=1.2, color="0.25"))
        if label:
            ax.text((x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy, label, fontsize=9, color="C3", ha="center")

    box(0, 1, "$h_0$", "0.92")
    for t in range(1, steps + 1):
        x = 1.6 * t
        box(x, 0, f"$x_{t}$", "#cfe8ff")
        box(x, 1, f"$h_{t}$", "#ffe3b3")
        box(x, 2, f"$y_{t}$", "#d9f2d0")
        arrow(x, 0.3, x, 0.7, "$W_{xh}$", dx=0.3)
        arrow(x, 1.3, x, 1.7, "$W_{hy}$", dx=0.3)
        arrow(x - 1.6 + 0.45, 1, x - 0.45, 1, "$W_{hh}$", dy=0.12)
    ax.text(1.6 * (steps + 0.7), 1, "…", fontsize=16, va="center")
    ax.set(xlim=(-0.6, 1.6 * (steps + 1)), ylim=(-0.5, 2.5), aspect="equal")
    ax.axis("off")
    ax.set_title("one cell, unrolled in time: the same weights at every step", fontsize=10)
    return ax
