"""Interactive demos: a knob the learner turns to see an idea move. UI only.

Each function returns an ``ipywidgets`` widget; display it by leaving it last in a cell. What a demo draws is a
function of :mod:`rnnlib.plots` (so a lesson can also show a few fixed settings side by side as a static figure),
and what it measures lives in the module that owns it (:mod:`rnnlib.experiments`, :mod:`rnnlib.repair`, the
recognizer); this module only connects sliders and buttons to them.
"""
from __future__ import annotations

import ipywidgets as ui
import matplotlib.pyplot as plt
import numpy as np

from . import audio, plots

__all__ = ["aliasing_demo", "window_demo", "memory_demo", "learning_rate_demo", "gradient_demo", "display_figure",
           "noise_demo", "repair_demo", "show_answer", "recognize_your_voice", "teach_your_voice"]


def aliasing_demo(tone_hz: float = 1000.0):
    """Sliders for the tone and the sample rate: watch a tone fold down once ``sr < 2 f``."""
    def show(tone_hz, sr):
        plots.aliasing(tone_hz, sr)
        plt.show()

    return ui.interactive(
        show,
        tone_hz=ui.FloatSlider(value=tone_hz, min=100, max=4000, step=50, description="tone (Hz)",
                              continuous_update=False),
        sr=ui.IntSlider(value=8000, min=500, max=8000, step=100, description="sr (Hz)", continuous_update=False),
    )


def window_demo():
    """A slider for the STFT window length: short windows resolve the clicks, long ones the tones."""
    def show(win_ms):
        plots.window_tradeoff(win_ms)
        plt.show()

    return ui.interactive(show, win_ms=ui.FloatSlider(value=25, min=4, max=100, step=2, description="window (ms)",
                                                    continuous_update=False))


def memory_demo():
    """A slider for the spectral radius of ``W_hh``: below 1 the memory of an input fades geometrically."""
    def show(radius):
        plots.impulse_memory([radius])
        plt.show()

    return ui.interactive(show, radius=ui.FloatSlider(value=0.9, min=0.1, max=1.5, step=0.05,
                                                    description="radius", continuous_update=False))


def learning_rate_demo():
    """A slider for the SGD learning rate (log scale): too small crawls, too large diverges."""
    def show(lr):
        plots.learning_rates([lr])
        plt.show()

    return ui.interactive(show, lr=ui.FloatLogSlider(value=0.1, base=10, min=-3, max=1, step=0.25,
                                                   description="lr", continuous_update=False))


def gradient_demo(kind: str = "rnn"):
    """A slider for the spectral radius of the recurrent weights, and the gradient that survives."""
    def show(radius):
        plots.gradient_norms([radius], kind)
        plt.show()

    return ui.interactive(show, radius=ui.FloatSlider(value=1.0, min=0.2, max=3.0, step=0.1,
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

    return ui.interactive(
        show,
        recording=ui.Dropdown(options=[(name, k) for k, name in enumerate(names)], description="recording"),
        noise=ui.ToggleButtons(options=["none", "white noise", "babble"], value="babble", description="noise"),
        snr_db=ui.FloatSlider(value=5.0, min=-5.0, max=30.0, step=2.5, description="SNR (dB)",
                             continuous_update=False))


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
        axes = plots.gap_fills(y, int(starts[0]), gap, concealers, sr=sr, context=context)
        display_figure(axes[0].figure)
        display(Audio(repair.conceal(y, int(starts[0]), gap, concealers[listen_to], context=context), rate=sr))

    return ui.interactive(
        show,
        recording=ui.Dropdown(options=[(name, k) for k, name in enumerate(names)], description="recording"),
        gap_ms=ui.IntSlider(value=40, min=20, max=80, step=20, description="gap (ms)", continuous_update=False),
        listen_to=ui.Dropdown(options=list(concealers), value=list(concealers)[-1], description="listen to"))


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
    if y is not None and len(y) and np.any(y):           # a silent recording has nothing to play (nor to scale)
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
    from .recognizer import Prediction

    mic = Microphone(max_seconds=max_seconds)
    upload = ui.FileUpload(accept=".wav,audio/wav", multiple=False, description="Upload a WAV")
    out = ui.Output()

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
    return ui.VBox([mic, ui.HTML("Or upload a WAV you recorded elsewhere:"), upload, out])


def _take_problem(recognizer, y, sr) -> str | None:
    """Why a take cannot be used, as a sentence for the learner, or None if it can."""
    try:
        recognizer.check_level(y, "This take")
    except ValueError as err:
        return str(err).replace("This take: the recording is silent", "That take was silent")
    if np.mean(np.abs(y) >= 0.99) > 0.001:
        return ("That take was too loud: it hit the top of the range (clipped), which distorts the sound. Move "
                "a little away from the microphone, or speak more softly, and record it again.")
    return None


def teach_your_voice(recognizer, *, replay, calibration, max_seconds: float = 3.0):
    """Teach ``recognizer`` your voice: say each digit once (or upload ten WAVs), adapt, then say any digit.

    replay, calibration: the recordings :func:`rnnlib.adaptation.adapt` needs (the voices the recognizer knows,
    and its validation recordings). Every take shows its level and can be recorded again; a silent or clipped
    take is refused with a sentence. Once all ten digits have a take, "Teach it my voice" adapts a copy of the
    recognizer (a few seconds, with a progress bar) and a new microphone answers with it. The adapted recognizer
    is then the widget's ``.adapted`` attribute (save it with ``.save(path)``).
    """
    import tempfile
    from pathlib import Path

    from . import adaptation
    from .digits import digit_in_name
    from .microphone import Microphone

    labels = list(recognizer.labels)
    takes: dict[int, tuple] = {}
    mic = Microphone(max_seconds=max_seconds)
    which = ui.ToggleButtons(options=[(label, k) for k, label in enumerate(labels)], value=0,
                             description="say:", style={"button_width": "2.6em"})
    status = ui.HTML()
    upload = ui.FileUpload(accept=".wav,audio/wav", multiple=True, description="Upload ten WAVs")
    teach = ui.Button(description="Teach it my voice", button_style="success", disabled=True)
    bar = ui.IntProgress(min=0, max=10, value=0, layout={"visibility": "hidden"})
    after = ui.Output()
    box = ui.VBox([ui.HTML("Say the digit that is selected below, then press Stop; the next one is selected for "
                           "you. Click a digit to record it again."), which, mic, status,
                   ui.HTML("Or upload ten WAVs named after their digits (<code>0_me.wav</code> … "
                           "<code>9_me.wav</code>):"), upload, ui.HBox([teach, bar]), after])
    box.adapted = None

    def show_takes(message: str = "") -> None:
        cells = []
        for k, label in enumerate(labels):
            if k in takes:
                y, _ = takes[k]
                level = audio.amplitude_to_db(float(np.max(np.abs(y))))
                cells.append(f"<b>{label}</b>: ✓ {level:.0f} dB")
            else:
                cells.append(f"<b>{label}</b>: –")
        status.value = (f"<div>{' &nbsp; '.join(cells)}</div>" + (f"<div>{message}</div>" if message else ""))
        teach.disabled = len(takes) < len(labels)

    def accept(k: int, y, sr) -> str:
        problem = _take_problem(recognizer, y, sr)
        if problem:
            return problem
        takes[k] = (y, sr)
        return ""

    def on_recording(y, sr):
        k = which.value
        message = accept(k, y, sr)
        if not message:
            missing = [j for j in range(len(labels)) if j not in takes]
            if missing:
                which.value = next((j for j in missing if j > k), missing[0])
            message = (f"Got your {labels[k]}." + (" All ten are there: press <b>Teach it my voice</b>."
                                                  if not missing else ""))
        show_takes(message)

    def on_upload(change):
        files = change["new"]
        if not files:
            return
        notes = []
        with tempfile.TemporaryDirectory() as tmp:
            for item in files:
                name = Path(item["name"]).name
                try:
                    digit = digit_in_name(name)
                except ValueError as err:
                    notes.append(str(err))
                    continue
                path = Path(tmp) / name
                path.write_bytes(bytes(item["content"]))
                try:
                    y, sr = recognizer.load_checked(path)
                except (FileNotFoundError, ValueError) as err:
                    notes.append(str(err).replace(str(path), name))
                    continue
                problem = accept(digit, y, sr)
                if problem:
                    notes.append(f"{name}: {problem}")
        show_takes("<br>".join(notes))

    def on_teach(_button):
        teach.disabled = True
        bar.layout.visibility = "visible"
        bar.value = 0

        def progress(message: str) -> None:
            bar.value = min(bar.max, bar.value + 1)
            bar.description = ""
            status.value = status.value.split("<div><i>")[0] + f"<div><i>{message}…</i></div>"

        order = sorted(takes)
        adapted, seconds = adaptation.adapt(recognizer, [takes[k] for k in order], order, replay=replay,
                                            calibration=calibration, progress=progress)
        box.adapted = adapted
        bar.layout.visibility = "hidden"
        show_takes(f"Learned your voice in {seconds:.0f} s.")
        with after:
            after.clear_output()
            from IPython.display import Markdown, display
            display(Markdown("**Now say any digit**, as often as you like:"))
            display(recognize_your_voice(adapted, max_seconds=max_seconds))
        teach.disabled = False

    mic.on_recording(on_recording)
    upload.observe(on_upload, names="value")
    teach.on_click(on_teach)
    show_takes()
    return box
