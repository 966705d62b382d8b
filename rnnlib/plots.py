"""The figures the lessons draw, so a notebook cell stays one readable line.

Every function draws on ``ax`` if given (else a new figure) and returns the axes.
Matrices are time-major, as everywhere in rnnlib: ``(T, D)``.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import audio
from . import features as _features

__all__ = ["axes_or_new", "waveform", "samples", "spectrogram", "unrolled_rnn", "lstm_cell", "bptt_arrows",
           "class_probabilities", "confusion_matrix", "per_class_recall", "aliasing", "window_tradeoff",
           "impulse_memory", "learning_rates", "gradient_norms", "gap_fills", "mahalanobis_picture"]


def axes_or_new(ax, figsize=(9, 2.6)):
    """``ax`` if given, else the axes of a new figure of ``figsize``: how every drawing function starts."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def waveform(y, sr: int, *, ax=None, title: str | None = None, start: float = 0.0, **line_kw):
    """Plot ``y: (N,)`` against time in seconds (``start`` shifts the time axis)."""
    ax = axes_or_new(ax)
    t = start + np.arange(len(y)) / sr
    ax.plot(t, y, lw=line_kw.pop("lw", 0.8), **line_kw)
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(t[0], t[-1] if len(t) > 1 else t[0] + 1 / sr))
    if title:
        ax.set_title(title)
    return ax


def samples(y, sr: int, *, ax=None, start: float = 0.0, label: str | None = None, color="C1"):
    """Draw the individual samples of ``y: (N,)`` as stems: what a computer actually stores."""
    ax = axes_or_new(ax)
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
    ax = axes_or_new(ax, figsize=(9, 3))
    S_db = np.asarray(S_db)
    T, F = S_db.shape
    hop_s = _features.make_config(config, **overrides).hop_length(sr) / sr
    # Bands and coefficients are counted: row k is drawn centred on k, with whole-number ticks.
    bottom, top = (0, sr / 2) if y_axis == "hz" else (-0.5, F - 0.5)
    img = ax.imshow(S_db.T, origin="lower", aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax,
                    extent=(0, T * hop_s, bottom, top), interpolation="nearest")
    ax.set(xlabel="time (s)", ylabel={"hz": "frequency (Hz)", "mel": "mel band", "coef": "coefficient"}[y_axis])
    if y_axis != "hz":
        from matplotlib.ticker import MaxNLocator
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(img, ax=ax, label="dB" if y_axis != "coef" else "value", pad=0.01)
    return ax


def unrolled_rnn(steps: int = 4, *, ax=None):
    """Draw an RNN unrolled over ``steps`` time steps: the same cell, the same weights, at every step."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    ax = axes_or_new(ax, figsize=(2.3 * steps + 1.5, 3.4))

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
        box(x, 2, f"$\\hat y_{t}$", "#d9f2d0")
        arrow(x, 0.3, x, 0.7, "$W_{xh}$", dx=0.3)
        arrow(x, 1.3, x, 1.7, "$W_{hy}$", dx=0.3)
        arrow(x - 1.6 + 0.45, 1, x - 0.45, 1, "$W_{hh}$", dy=0.12)
    ax.text(1.6 * (steps + 0.7), 1, "…", fontsize=16, va="center")
    ax.set(xlim=(-0.6, 1.6 * (steps + 1)), ylim=(-0.5, 2.5), aspect="equal")
    ax.axis("off")
    ax.set_title("one cell, unrolled in time: the same weights at every step", fontsize=10)
    return ax


def lstm_cell(*, ax=None):
    """Draw one LSTM step: the cell state runs along the top, gated by ×f and +i·g; h is read through o."""
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    ax = axes_or_new(ax, figsize=(9, 4.2))

    def arrow(p, q, color="0.25", lw=1.2):
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=11, lw=lw, color=color))

    def gate(x, y, text, color):
        ax.add_patch(FancyBboxPatch((x - 0.3, y - 0.22), 0.6, 0.44, boxstyle="round,pad=0.04", fc=color, ec="0.3"))
        ax.text(x, y, text, ha="center", va="center", fontsize=11)

    def op(x, y, text):
        ax.add_patch(Circle((x, y), 0.2, fc="white", ec="0.3"))
        ax.text(x, y, text, ha="center", va="center", fontsize=12)

    cell_y, gate_y, in_y = 3.0, 1.2, 0.0
    # the cell state highway
    arrow((-0.6, cell_y), (1.3, cell_y), "C3", 2.2)
    op(1.5, cell_y, "×")
    arrow((1.7, cell_y), (3.3, cell_y), "C3", 2.2)
    op(3.5, cell_y, "+")
    arrow((3.7, cell_y), (7.4, cell_y), "C3", 2.2)
    ax.text(-0.7, cell_y + 0.25, "$c_{t-1}$", fontsize=12, color="C3")
    ax.text(7.0, cell_y + 0.25, "$c_t$", fontsize=12, color="C3")
    # the gates, all reading [x_t, h_{t-1}]
    gates = [(1.5, "f: $\\sigma$", "#ffd6d6"), (2.7, "i: $\\sigma$", "#d6e6ff"), (3.9, "g: tanh", "#e3d6ff"),
             (5.1, "o: $\\sigma$", "#d6f5d6")]
    ax.plot([-0.6, 5.1], [in_y + 0.3, in_y + 0.3], color="0.4", lw=1.2)
    ax.text(-0.7, in_y - 0.15, "$x_t,\\ h_{t-1}$", fontsize=12)
    for x, label, color in gates:
        arrow((x, in_y + 0.3), (x, gate_y - 0.25))
        gate(x, gate_y, label, color)
    arrow((1.5, gate_y + 0.25), (1.5, cell_y - 0.2))                 # forget gate scales the old cell
    op(3.3, 2.1, "×")
    arrow((2.7, gate_y + 0.25), (3.15, 1.95))
    arrow((3.9, gate_y + 0.25), (3.45, 1.95))
    arrow((3.3, 2.3), (3.45, cell_y - 0.2))                          # i·g is written into the cell
    # output: h_t = o · tanh(c_t)
    gate(6.3, 2.1, "tanh", "#f2f2f2")
    arrow((6.3, cell_y), (6.3, 2.35))
    op(6.3, gate_y, "×")
    arrow((6.3, 1.85), (6.3, gate_y + 0.2))
    arrow((5.1 + 0.3, gate_y), (6.1, gate_y))
    arrow((6.5, gate_y), (7.4, gate_y), "C0", 2.0)
    ax.text(7.0, gate_y + 0.2, "$h_t$", fontsize=12, color="C0")
    ax.text(2.2, 3.45, "the cell state: changed only by × f and + i·g", fontsize=9, color="C3")
    ax.set(xlim=(-1.0, 7.8), ylim=(-0.5, 3.8), aspect="equal")
    ax.axis("off")
    ax.set_title("one LSTM step", fontsize=10)
    return ax


def bptt_arrows(steps: int = 3, *, ax=None):
    """Draw backpropagation through time on an unrolled RNN: forward arrows in grey, backward in red.

    Each loss ``ℓ_t`` sends ``g_t = ∂ℓ_t/∂h_t`` down to ``h_t``; each state sends its gradient back to the
    previous state through ``w_h``; every step adds its share to the gradients of the shared weights.
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    ax = axes_or_new(ax, figsize=(2.6 * steps + 2.2, 4.6))
    red, grey = "C3", "0.55"

    def box(x, y, text, color, w=0.8):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - 0.25), w, 0.5, boxstyle="round,pad=0.05", fc=color,
                                    ec="0.3", lw=1))
        ax.text(x, y, text, ha="center", va="center", fontsize=11)

    def arrow(p, q, color, *, label=None, at=None, ls="-", rad=0.0, lw=1.3, fontsize=9):
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=12, lw=lw, color=color, ls=ls,
                                     connectionstyle=f"arc3,rad={rad}"))
        if label:
            ax.text(*at, label, fontsize=fontsize, color=color, ha="center", va="center")

    gap = 2.2
    box(0, 1.4, "$h_0$", "0.92")
    for t in range(1, steps + 1):
        x = gap * t
        box(x, 0, f"$x_{t}$", "#cfe8ff")
        box(x, 1.4, f"$h_{t}$", "#ffe3b3")
        box(x, 2.8, f"$\\ell_{t}$", "#f2f2f2")
        arrow((x - 0.15, 0.3), (x - 0.15, 1.1), grey)                                 # forward: x_t -> h_t
        arrow((x - 0.15, 1.7), (x - 0.15, 2.5), grey)                                 # forward: h_t -> loss
        arrow((x - gap + 0.45, 1.48), (x - 0.45, 1.48), grey)                         # forward: h_{t-1} -> h_t
        arrow((x + 0.15, 2.5), (x + 0.15, 1.7), red, label=f"$g_{t}$", at=(x + 0.42, 2.1))  # backward: now
        arrow((x - 0.45, 1.28), (x - gap + 0.45, 1.28), red, label=f"$\\delta a_{t}\\, w_h$",
              at=(x - gap / 2, 1.02))                                                 # backward: later
        arrow((x + 0.42, 1.15), (x + 0.75, -0.85), red, ls="--", lw=1.0)              # its share of the weights
    ax.add_patch(FancyBboxPatch((gap * 0.6, -1.35), gap * steps, 0.5, boxstyle="round,pad=0.05", fc="#fde2e2",
                                ec=red, lw=1))
    ax.text(gap * (0.6 + steps / 2), -1.1, "shared weights $w_x, w_h, b$: every step adds its share, "
            "$\\partial L/\\partial w_h = \\sum_t \\delta a_t\\, h_{t-1}$", ha="center", va="center", fontsize=9.5)
    ax.text(gap * (steps + 1) / 2, 3.45,
            "grey: forward, step by step.   red: backward, from the last step to the first",
            ha="center", fontsize=10)
    ax.set(xlim=(-0.7, gap * (steps + 1)), ylim=(-1.6, 3.7), aspect="equal")
    ax.axis("off")
    return ax


def class_probabilities(labels, probabilities, *, ax=None, title: str | None = None):
    """A bar for each class's probability, on a 0–1 axis, the most probable bar highlighted."""
    ax = axes_or_new(ax, figsize=(6, 2.4))
    probabilities = np.asarray(probabilities, dtype=float)
    colors = ["C1" if k == probabilities.argmax() else "C0" for k in range(len(probabilities))]
    ax.bar([str(label) for label in labels], probabilities, color=colors)
    ax.set(xlabel="class", ylabel="probability", ylim=(0, 1))
    if title:
        ax.set_title(title)
    return ax


def confusion_matrix(counts, *, ax=None, title: str = "confusion matrix", labels=None):
    """Counts ``(C, C)`` as a heat map: row = the class said, column = the class heard; off-diagonal counts in red."""
    counts = np.asarray(counts)
    ax = axes_or_new(ax, figsize=(4.5, 4))
    ax.imshow(counts, cmap="Blues")
    for (i, j), n in np.ndenumerate(counts):
        if n:
            ax.text(j, i, n, ha="center", va="center", fontsize=8, color="white" if i == j else "C3")
    ticks = range(len(counts))
    ax.set(xlabel="heard", ylabel="said", xticks=ticks, yticks=ticks, title=title)
    if labels is not None:
        ax.set_xticklabels(labels)
        ax.set_yticklabels(labels)
    return ax


def per_class_recall(recalls: dict, *, ax=None, highlight=(), title: str = "recall per class"):
    """Grouped bars: for each name in ``recalls`` (name → ``(C,)`` recall), one bar per class; ``highlight`` shades
    classes."""
    ax = axes_or_new(ax, figsize=(9, 2.8))
    n_classes = len(next(iter(recalls.values())))
    width = 0.8 / len(recalls)
    for c in highlight:
        ax.axvspan(c - 0.45, c + 0.45, color="0.92", zorder=0)
    for k, (name, recall) in enumerate(recalls.items()):
        ax.bar(np.arange(n_classes) - 0.4 + width * (k + 0.5), recall, width, label=name)
    ax.set(xlabel="class", ylabel="recall", ylim=(0, 1.05), xticks=range(n_classes), title=title)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))   # beside, not over, the bars
    return ax


# ----------------------------------------------------------------------------- the lessons' experiment figures
# Each draws what an experiment of :mod:`rnnlib.experiments` measures (imported when the figure is drawn, so a
# lesson that only plots waveforms does not load the training code).

def aliasing(tone_hz: float, sr: int, *, duration: float = 0.01, axes=None):
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
    if apparent != tone_hz:
        verdict = "aliased!"
    elif 2 * tone_hz == sr:
        # sin(2π (sr/2) n/sr) = sin(π n) = 0 at every sample: the tone's phase decides what survives.
        verdict = "at the Nyquist limit, every sample is zero"
    else:
        verdict = "faithful"
    ax.set(xlabel="time (ms)", ylabel="amplitude", ylim=(-1.3, 1.6),
           title=f"sr = {sr} Hz, Nyquist = {sr / 2:g} Hz: {verdict}")
    ax.legend(loc="upper right", ncol=3, fontsize=8, frameon=False)
    return ax


def window_tradeoff(win_ms: float, y=None, sr: int = audio.SAMPLE_RATE, *, ax=None, colorbar=True):
    """The spectrogram of ``y: (N,)`` (default :func:`rnnlib.experiments.window_test_signal`) with a ``win_ms``
    window, zoomed in; the title says how far apart two tones, and two clicks, must be to show as two."""
    from . import experiments

    y = experiments.window_test_signal(sr) if y is None else y
    S = _features.spectrogram_db(y, sr, win_ms=win_ms, hop_ms=2.0, n_fft=max(2048, _features.make_config(
        win_ms=win_ms).fft_size(sr)))
    # A Hann window of T_w seconds shows two tones as two when they are about 2 / T_w apart (lesson 02).
    title = f"{win_ms:g} ms window: separates tones\n≥ {2000 / win_ms:.0f} Hz apart, clicks ≥ {win_ms:g} ms apart"
    ax = spectrogram(S, sr, ax=ax, hop_ms=2.0, colorbar=colorbar, title=title)
    ax.set(ylim=(600, 1500), xlim=(0.3, 0.85))
    return ax


def impulse_memory(radii, *, ax=None, steps: int = 60):
    """Plot :func:`rnnlib.experiments.impulse_memory` for each spectral radius in ``radii``, on one log axis."""
    from . import experiments

    ax = axes_or_new(ax, figsize=(8, 3))
    for r in radii:
        ax.semilogy(np.maximum(experiments.impulse_memory(r, steps=steps), 1e-12), label=f"radius {r:g}")
    ax.set(xlabel="steps after the impulse", ylabel="‖h_t‖ (log scale)", ylim=(1e-8, 30),
           title="what is left of one input, step after step")
    ax.legend(fontsize=8, frameon=False)
    return ax


def learning_rates(lrs, *, ax=None, steps: int = 150):
    """Loss curves of :func:`rnnlib.experiments.sgd_loss_curve` for several learning rates, on one log axis."""
    from . import experiments

    ax = axes_or_new(ax, figsize=(8, 3))
    for lr in lrs:
        history = experiments.sgd_loss_curve(lr, steps=steps)
        loss = np.asarray(history["loss"])
        off_chart = np.flatnonzero(loss > 10)                          # the axis stops at 10
        note = "" if not off_chart.size else f": off the chart from step {off_chart[0]}"
        if history["diverged_at"] is not None:
            note += f", inf or nan at step {history['diverged_at']} (diverged)"
        ax.semilogy(np.minimum(loss, 100.0), label=f"lr = {lr:g}{note}")
    ax.set(xlabel="SGD step", ylabel="training loss (MSE)", ylim=(1e-3, 10), title="the size of a step matters")
    ax.legend(fontsize=8, frameon=False)
    return ax


def gradient_norms(radii, kind: str = "rnn", *, ax=None, steps: int = 100):
    """Plot :func:`rnnlib.experiments.gradient_norms` against the distance from the loss, one line per radius."""
    from . import experiments

    ax = axes_or_new(ax, figsize=(8, 3))
    for r in radii:
        ax.semilogy(np.maximum(experiments.gradient_norms(kind, r, steps=steps), 1e-30), label=f"radius {r:g}")
    what = "‖∂L/∂c_t‖" if kind == "lstm" else "‖∂L/∂h_t‖"
    ax.set(xlabel="steps back from the loss", ylabel=f"{what} (log scale)", ylim=(1e-20, 1e12),
           title=f"{kind.upper()}: how much gradient reaches each step")
    ax.legend(fontsize=8, frameon=False, ncol=2)
    return ax


def gap_fills(y, start: int, gap: int, concealers: dict, *, sr: int = audio.SAMPLE_RATE, context: int = 640,
              axes=None):
    """The original around a gap and each concealer's fill, each in its own panel with its SNR (lesson 10).

    y: ``(N,)``; the gap is samples ``start … start + gap - 1``; concealers: name → ``f(left, right, n)``.
    """
    from . import repair

    if axes is None:
        _, axes = plt.subplots(len(concealers), 1, figsize=(12, 0.55 * len(concealers)), sharex=True, sharey=True,
                               layout="constrained")
    lo, hi = max(0, start - gap), min(len(y), start + 2 * gap)
    t = np.arange(lo, hi) / sr * 1000
    truth = y[start:start + gap]
    for ax, (name, concealer) in zip(np.atleast_1d(axes), concealers.items()):
        filled = repair.conceal(y, start, gap, concealer, context=context)
        ax.plot(t, y[lo:hi], color="0.6", lw=1, label="original")
        ax.plot(t[start - lo:start - lo + gap], filled[start:start + gap], color="C3", lw=1.2)
        ax.axvspan(start / sr * 1000, (start + gap) / sr * 1000, color="C3", alpha=0.08)
        ax.set_title(f"{name}: {repair.snr_db(truth, filled[start:start + gap]):.1f} dB", fontsize=9, loc="left")
        ax.set_yticks([])
    np.atleast_1d(axes)[-1].set_xlabel("time (ms)")
    return axes


def mahalanobis_picture(*, ax=None, seed: int = 0):
    """Lesson 08's 2-D picture of the Mahalanobis distance: two digit-like clouds that share one tilted spread,
    the lines of equal Mahalanobis distance around each (ellipses, d² = 1, 4, 9), and two new points that the
    ordinary (Euclidean) distance ranks the other way round. Returns the axes."""
    ax = axes_or_new(ax, figsize=(6.2, 4.2))
    rng = np.random.default_rng(seed)
    cov = np.array([[1.0, 0.8], [0.8, 1.0]]) * 0.6                          # one spread, shared, tilted
    means = np.array([[-1.6, 0.0], [1.6, 0.0]])
    chol = np.linalg.cholesky(cov)
    precision = np.linalg.inv(cov)
    for k, (mean, colour) in enumerate(zip(means, ("C0", "C2"))):
        cloud = mean + rng.standard_normal((120, 2)) @ chol.T
        ax.scatter(*cloud.T, s=8, color=colour, alpha=0.5, label=f"training states of digit {'AB'[k]}")
    grid = np.stack(np.meshgrid(np.linspace(-5, 5, 300), np.linspace(-4, 4, 240)), axis=-1)   # (240, 300, 2)
    for mean, colour in zip(means, ("C0", "C2")):
        diff = grid - mean
        d2 = np.einsum("...i,ij,...j->...", diff, precision, diff)
        ax.contour(grid[..., 0], grid[..., 1], d2, levels=[1, 4, 9], colors=colour, linewidths=0.9)
    across, along = np.array([1.0, -1.0]) / np.sqrt(2), np.array([1.0, 1.0]) / np.sqrt(2)
    points = {"point 1": means[0] + 1.3 * across, "point 2": means[0] + 2.4 * along}   # 1: across the spread; 2: along
    for name, p in points.items():
        d2 = float((p - means[0]) @ precision @ (p - means[0]))
        euclid = float(np.linalg.norm(p - means[0]))
        ax.plot(*p, "k*", ms=11)
        ax.annotate(f"{name}: {euclid:.1f} from A's centre, d² = {d2:.0f}", p, textcoords="offset points",
                    xytext=(8, -12 if name == "point 1" else 6), fontsize=8)
    ax.set(xlim=(-5, 5), ylim=(-4, 4), aspect="equal", xlabel="state, unit 1", ylabel="state, unit 2",
           title="lines of equal Mahalanobis distance: d² = 1, 4, 9")
    ax.legend(loc="lower right", fontsize=8)
    return ax
