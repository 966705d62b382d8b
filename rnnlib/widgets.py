"""Interactive demos: a knob the learner turns to see an idea move.

Each function returns an ``ipywidgets`` widget; display it by leaving it last in a cell.
The drawing each widget does is a plain function too (``draw_*``), so a lesson can also show a
few fixed settings side by side as a static figure that reads well on GitHub.
"""
from __future__ import annotations

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

from . import audio, features, optim, plots, tasks, train
from .layers import GRU, LSTM, RNN, Dense
from .recognizer import Prediction


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


def impulse_memory(radius: float, *, hidden_size: int = 32, steps: int = 60, seed: int = 0) -> np.ndarray:
    """How long an RNN remembers one input: ``||h_t||`` after a single impulse at t = 0, then silence.

    ``W_hh`` is a random matrix rescaled to spectral radius ``radius`` (its largest |eigenvalue|).
    Returns ``(steps,)``.
    """
    layer = RNN(1, hidden_size, seed=seed)
    W = np.random.default_rng(seed).standard_normal((hidden_size, hidden_size))
    layer.params["W_hh"] = W * (radius / np.max(np.abs(np.linalg.eigvals(W))))
    layer.params["W_xh"][:] = 1.0
    x = np.zeros((1, steps, 1))
    x[0, 0, 0] = 1.0
    return np.linalg.norm(layer.forward(x)[0], axis=1)


def draw_impulse_memory(radii, *, ax=None, steps: int = 60):
    """Plot :func:`impulse_memory` for each spectral radius in ``radii`` on one log-scaled axis."""
    ax = plots.axes_or_new(ax, figsize=(8, 3))
    for r in radii:
        ax.semilogy(np.maximum(impulse_memory(r, steps=steps), 1e-12), label=f"radius {r:g}")
    ax.set(xlabel="steps after the impulse", ylabel="‖h_t‖ (log scale)", ylim=(1e-8, 30),
           title="what is left of one input, step after step")
    ax.legend(fontsize=8, frameon=False)
    return ax


def memory_demo():
    """A slider for the spectral radius of ``W_hh``: below 1 the memory of an input fades geometrically."""
    def show(radius):
        draw_impulse_memory([radius])
        plt.show()

    return W.interactive(show, radius=W.FloatSlider(value=0.9, min=0.1, max=1.5, step=0.05,
                                                    description="radius", continuous_update=False))


def sgd_loss_curve(lr: float, *, steps: int = 150, hidden_size: int = 16, seed: int = 0) -> dict:
    """Train a fresh RNN + readout on :func:`rnnlib.tasks.next_sample` with plain SGD; return the history."""
    x, y = tasks.next_sample(32, 60, seed=seed)
    rnn, readout = RNN(1, hidden_size, seed=seed), Dense(hidden_size, 1, seed=seed)
    return train.fit_sequence_regressor(rnn, readout, x, y, optimizer=optim.SGD([rnn, readout], lr=lr),
                                        steps=steps)


def draw_learning_rates(lrs, *, ax=None, steps: int = 150):
    """Loss curves of :func:`sgd_loss_curve` for several learning rates, on one log-scaled axis."""
    ax = plots.axes_or_new(ax, figsize=(8, 3))
    for lr in lrs:
        history = sgd_loss_curve(lr, steps=steps)
        loss = np.asarray(history["loss"])
        off_chart = np.flatnonzero(loss > 10)                          # the axis stops at 10
        note = "" if not off_chart.size else f": off the chart from step {off_chart[0]}"
        if history["diverged_at"] is not None:
            note += f", inf or nan at step {history['diverged_at']} (diverged)"
        ax.semilogy(np.minimum(loss, 100.0), label=f"lr = {lr:g}{note}")
    ax.set(xlabel="SGD step", ylabel="training loss (MSE)", ylim=(1e-3, 10), title="the size of a step matters")
    ax.legend(fontsize=8, frameon=False)
    return ax


def learning_rate_demo():
    """A slider for the SGD learning rate (log scale): too small crawls, too large diverges."""
    def show(lr):
        draw_learning_rates([lr])
        plt.show()

    return W.interactive(show, lr=W.FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.25,
                                                   description="lr", continuous_update=False))


def set_spectral_radius(W: np.ndarray, radius: float) -> np.ndarray:
    """``W`` rescaled so its largest |eigenvalue| is ``radius`` (each ``H × H`` gate block separately)."""
    H = W.shape[0]
    blocks = [W[:, k:k + H] for k in range(0, W.shape[1], H)]
    return np.concatenate([b * (radius / np.max(np.abs(np.linalg.eigvals(b)))) for b in blocks], axis=1)


def gradient_norms(kind: str = "rnn", radius: float = 1.0, *, steps: int = 100, hidden_size: int = 32,
                   batch: int = 16, seed: int = 0) -> np.ndarray:
    """How far a gradient travels back: mean ``‖∂L/∂h_t‖`` for a loss on the last state only.

    A fresh layer (``kind``: ``"rnn"``, ``"lstm"`` or ``"gru"``) reads ``steps`` random inputs, with its
    recurrent weights rescaled to spectral radius ``radius``. Returns ``(steps,)``: entry ``k`` is the
    norm ``k`` steps before the loss (for the LSTM, of the cell state's gradient ``∂L/∂c_t``).
    """
    rng = np.random.default_rng(seed)
    layer = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[kind](8, hidden_size, seed=seed)
    key = layer.recurrent_key
    layer.params[key] = set_spectral_radius(layer.params[key], radius)
    layer.forward(rng.standard_normal((batch, steps, 8)))
    dlast = rng.standard_normal((batch, hidden_size))
    dlast /= np.linalg.norm(dlast, axis=1, keepdims=True)
    layer.backward(np.zeros((batch, steps, hidden_size)), dlast=dlast)
    grads = layer.dcells if kind == "lstm" else layer.dstates
    return np.linalg.norm(grads, axis=2).mean(axis=0)[::-1]


def draw_gradient_norms(radii, kind: str = "rnn", *, ax=None, steps: int = 100):
    """Plot :func:`gradient_norms` against the distance from the loss, one line per spectral radius."""
    ax = plots.axes_or_new(ax, figsize=(8, 3))
    for r in radii:
        ax.semilogy(np.maximum(gradient_norms(kind, r, steps=steps), 1e-30), label=f"radius {r:g}")
    what = "‖∂L/∂c_t‖" if kind == "lstm" else "‖∂L/∂h_t‖"
    ax.set(xlabel="steps back from the loss", ylabel=f"{what} (log scale)", ylim=(1e-20, 1e12),
           title=f"{kind.upper()}: how much gradient reaches each step")
    ax.legend(fontsize=8, frameon=False, ncol=2)
    return ax


def gradient_demo(kind: str = "rnn"):
    """A slider for the spectral radius of the recurrent weights, and the gradient that survives."""
    def show(radius):
        draw_gradient_norms([radius], kind)
        plt.show()

    return W.interactive(show, radius=W.FloatSlider(value=1.0, min=0.2, max=3.0, step=0.1,
                                                    description="radius", continuous_update=False))


def display_figure(fig) -> None:
    """Show ``fig`` as an SVG image whose text stays text, then close it. For figures drawn in widget callbacks.

    ``plt.show()`` inside a widget's callback hands the figure to the inline backend, whose rendering inside
    an ``Output`` widget lost the axis labels and squeezed the bars in JupyterLab. An SVG written by
    matplotlib itself, at the figure's own size, looks exactly as it does when saved from a script, scales
    with the page, and keeps its labels as real text.
    """
    import io

    from IPython.display import SVG, display

    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):       # labels as <text>, not outlines
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    display(SVG(buffer.getvalue()))


def noise_demo(recognizers: dict, waveforms, names, talkers, *, sr: int = audio.SAMPLE_RATE):
    """Pick a recording, a kind of noise and an SNR: hear it, and see what each recognizer makes of it.

    recognizers: name → :class:`rnnlib.recognizer.Recognizer` (e.g. trained on clean and on noisy speech).
    waveforms: the recordings to choose from, ``(N_i,)`` at ``sr``; names: how the menu lists them.
    talkers: waveforms the babble is made of (other speakers). The noise is drawn with a fixed seed, so
    the same settings always give the same sound.
    """
    from IPython.display import Audio, display

    from . import augment

    def show(recording, noise, snr_db):
        y = waveforms[recording]
        if noise == "white noise":
            y = augment.mix(y, np.random.default_rng(0).standard_normal(len(y)), snr_db)
        elif noise == "babble":
            y = augment.mix(y, augment.babble(talkers, len(y), seed=0), snr_db)
        fig, axes = plt.subplots(1, len(recognizers), figsize=(4.2 * len(recognizers), 2.4), layout="constrained")
        for ax, (name, rec) in zip(np.atleast_1d(axes), recognizers.items()):
            p = rec.predict_proba_audio([(y, sr)])[0]
            plots.class_probabilities(rec.labels, p, ax=ax, title=f"{name}: hears {rec.labels[p.argmax()]}")
        display(Audio(y, rate=sr, normalize=False) if np.abs(y).max() <= 1 else Audio(y, rate=sr))
        display_figure(fig)

    return W.interactive(
        show,
        recording=W.Dropdown(options=[(name, k) for k, name in enumerate(names)], description="recording"),
        noise=W.ToggleButtons(options=["none", "white noise", "babble"], value="babble", description="noise"),
        snr_db=W.FloatSlider(value=5.0, min=-5.0, max=30.0, step=2.5, description="SNR (dB)",
                             continuous_update=False))


def draw_repair(y, start: int, gap: int, concealers: dict, *, sr: int = audio.SAMPLE_RATE, context: int = 640,
                axes=None):
    """The original around a gap and each concealer's fill, each in its own panel with its SNR (lesson 09)."""
    from . import repair

    if axes is None:
        _, axes = plt.subplots(len(concealers), 1, figsize=(12, 0.7 * len(concealers)), sharex=True, sharey=True,
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


def repair_demo(concealers: dict, waveforms, names, *, sr: int = audio.SAMPLE_RATE, context: int = 640):
    """Pick a recording and a gap length: see every concealer fill the same gap, and hear the one you choose.

    concealers: name → ``f(left, right, n)`` (see :mod:`rnnlib.repair`); waveforms ``(N_i,)`` at ``sr``. The gap
    sits in speech (the first position :func:`rnnlib.repair.speech_gap_starts` draws with seed 0). The player
    plays the whole recording with the gap filled by the method chosen under "listen to".
    """
    from IPython.display import Audio, Markdown, display

    from . import repair

    def show(recording, gap_ms, listen_to):
        y = np.asarray(waveforms[recording], dtype=np.float64)
        gap = int(round(gap_ms * sr / 1000))
        starts = repair.speech_gap_starts(y, gap, context=context, count=1, seed=0)
        if not len(starts):
            display(Markdown(f"This recording is too short for a {gap_ms} ms gap with its context: pick another."))
            return
        axes = draw_repair(y, int(starts[0]), gap, concealers, sr=sr, context=context)
        display_figure(axes[0].figure)
        display(Audio(repair.conceal(y, int(starts[0]), gap, concealers[listen_to], context=context), rate=sr))

    return W.interactive(
        show,
        recording=W.Dropdown(options=[(name, k) for k, name in enumerate(names)], description="recording"),
        gap_ms=W.IntSlider(value=40, min=20, max=80, step=20, description="gap (ms)", continuous_update=False),
        listen_to=W.Dropdown(options=list(concealers), value=list(concealers)[-1], description="listen to"))


def show_answer(recognizer, result, y=None, sr: int | None = None) -> None:
    """Display what ``recognizer`` made of one recording: notes, the answer, the probability chart, a player.

    result: a :class:`~rnnlib.recognizer.Prediction`; ``y: (N,)`` at ``sr`` Hz, for the player. When the
    result is ``unsure`` the answer is "I'm not sure that was a digit", with the closest digit named.
    """
    from IPython.display import Audio, Markdown, display

    lines = [f"*note:* {note}" for note in result.notes]
    if result.error:
        lines.append(f"**Could not recognize it:** {result.error}")
    elif result.unsure:
        lines.append(f"**I'm not sure that was a digit.** The closest is a {result.label} (probability "
                     f"{result.probability:.2f}), but the recording is unlike the digits I learned.")
    else:
        lines.append(f"**I hear a {result.label}** (probability {result.probability:.2f})")
    display(Markdown("  \n".join(lines)))
    if result.error is None:
        display_figure(plots.class_probabilities(recognizer.labels, result.probabilities).figure)
    if y is not None and len(y):
        display(Audio(y, rate=sr))


def recognize_your_voice(recognizer, *, max_seconds: float = 3.0):
    """Say a digit into the microphone, or upload a WAV: ``recognizer`` says which digit it hears, or that it is unsure.

    The microphone is a :class:`~rnnlib.microphone.Microphone` (recorded in the browser); the upload takes any
    WAV, at any sample rate, mono or stereo (the recognizer resamples and mixes down, and says so). Both show
    the answer, the probability of every class and a player for the recording.
    """
    import tempfile
    from pathlib import Path

    from .microphone import Microphone

    mic = Microphone(max_seconds=max_seconds)
    upload = W.FileUpload(accept=".wav,audio/wav", multiple=False, description="Upload a WAV")
    out = W.Output()

    def on_recording(y, sr):
        with out:
            out.clear_output()
            try:
                result = recognizer.predict_recording(y, sr, "your recording")
            except ValueError as err:          # e.g. Stop pressed at once: nothing was recorded
                result = Prediction("your recording", error=str(err))
            show_answer(recognizer, result, y, sr)

    def on_upload(change):
        files = change["new"]
        if not files:
            return
        item = files[0]
        with out, tempfile.TemporaryDirectory() as tmp:
            out.clear_output()
            path = Path(tmp) / Path(item["name"]).name
            path.write_bytes(bytes(item["content"]))
            result = recognizer.predict_files([path])[0]
            result.notes = [note.replace(str(path), item["name"]) for note in result.notes]
            if result.error:
                result.error = result.error.replace(str(path), item["name"])
                show_answer(recognizer, result)
                return
            show_answer(recognizer, result, *audio.load(path))

    mic.on_recording(on_recording)
    upload.observe(on_upload, names="value")
    return W.VBox([mic, W.HTML("Or upload a WAV you recorded elsewhere:"), upload, out])
