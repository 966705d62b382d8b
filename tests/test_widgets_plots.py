"""The demos build and draw without error (their pictures are looked at in the lessons)."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from rnnlib import experiments, plots, widgets


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("make", [widgets.aliasing_demo, widgets.window_demo, widgets.memory_demo,
                                  widgets.learning_rate_demo, widgets.gradient_demo])
def test_widgets_build(make):
    w = make()
    assert w.children  # sliders and an output area


def test_impulse_memory_fades_below_radius_one_and_not_above():
    assert experiments.impulse_memory(0.5)[-1] < 1e-8
    assert experiments.impulse_memory(1.2)[-1] > 0.1


def test_drawing_functions_return_axes():
    assert plots.aliasing(5000, 8000) is not None
    assert plots.window_tradeoff(25) is not None
    assert plots.unrolled_rnn(3) is not None
    assert plots.lstm_cell() is not None
    assert plots.gradient_norms([1.0], "gru") is not None
    assert plots.spectrogram(np.zeros((10, 4)), 8000, y_axis="coef", cmap="RdBu_r", vmin=-1, vmax=1) is not None


def test_gradient_norms_vanish_and_explode_with_the_radius():
    assert experiments.gradient_norms("rnn", 0.5)[50] < 1e-15
    assert experiments.gradient_norms("rnn", 3.0)[50] > 1e3
    assert experiments.gradient_norms("lstm", 1.0)[99] > 1e3 * experiments.gradient_norms("rnn", 1.0)[99]


def test_aliasing_verdict_is_honest_at_and_above_nyquist():
    titles = {f: plots.aliasing(f, 8000).get_title() for f in (1000, 4000, 5000)}
    assert titles[1000].endswith("faithful")
    assert "Nyquist limit" in titles[4000] and "faithful" not in titles[4000]  # sin(π n) = 0 at every sample
    assert titles[5000].endswith("aliased!")


def test_bptt_arrows_draws_forward_and_backward_arrows():
    ax = plots.bptt_arrows(steps=2)
    reds = [p for p in ax.patches if p.get_edgecolor()[:3] == plt.matplotlib.colors.to_rgb("C3")]
    assert len(reds) >= 3 * 2  # per step: g_t, the step back through w_h, the share of the weights


def test_display_figure_keeps_the_chart_labels_as_text(capsys, monkeypatch):
    """The recognizer's chart is shown as SVG with its labels as text (JupyterLab lost them through plt.show)."""
    import numpy as np
    from IPython.display import SVG

    from rnnlib import plots, widgets

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    ax = plots.class_probabilities([str(d) for d in range(10)], np.r_[0.98, np.full(9, 0.02 / 9)])
    widgets.display_figure(ax.figure)
    [svg] = shown
    assert isinstance(svg, SVG)
    for label in ["probability", "class", *map(str, range(10))]:
        assert f">{label}</text>" in svg.data


class _FakeRecognizer:
    """Stands in for a trained recognizer: says 7, sure or unsure as told."""

    labels = [str(d) for d in range(10)]

    def __init__(self, unsure):
        self.unsure = unsure

    def predict_recording(self, y, sr, name):
        from rnnlib.recognizer import Prediction

        from rnnlib._validate import as_signal
        as_signal(y, "the recording")
        p = np.full(10, 0.02)
        p[7] = 0.82
        return Prediction(name, label="7", probability=0.82, probabilities=p, unsure=self.unsure)


@pytest.mark.parametrize("unsure, answer", [(False, "I hear a 7"), (True, "not sure that was a digit")])
def test_a_microphone_recording_is_answered_in_the_output(unsure, answer, monkeypatch):
    """What the browser's microphone sends (float32 samples and a rate) reaches the recognizer and the page."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    monkeypatch.setattr(widgets, "display_figure", lambda fig: shown.append(fig))
    view = widgets.recognize_your_voice(_FakeRecognizer(unsure))
    mic = view.children[0]
    samples = (0.3 * np.sin(np.arange(4800) / 5)).astype("<f4")
    mic._receive(mic, {"kind": "recording", "sample_rate": 48000}, [memoryview(samples.tobytes())])
    text = " ".join(getattr(o, "data", "") or "" for o in shown if isinstance(o, IPython.display.Markdown))
    assert answer in text
    assert any(isinstance(o, plt.Figure) for o in shown) and any(isinstance(o, IPython.display.Audio) for o in shown)
    shown.clear()
    mic._receive(mic, {"kind": "recording", "sample_rate": 48000}, [memoryview(b"")])    # Stop pressed at once
    text = " ".join(o.data for o in shown if isinstance(o, IPython.display.Markdown))
    assert "Could not recognize it" in text and "empty" in text


def test_a_silent_recording_gets_its_sentence_and_no_player_that_warns(capsys):
    import warnings
    from types import SimpleNamespace

    from rnnlib import widgets
    from rnnlib.recognizer import Prediction

    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # IPython's Audio warns when it scales silence
        widgets.show_answer(SimpleNamespace(labels=[str(d) for d in range(10)]),
                            Prediction("mic", error="the recording is silent"), np.zeros(800, np.float32), 8000)
    shown = capsys.readouterr().out                         # outside a notebook, display prints each object's repr
    assert "Markdown" in shown and "Audio" not in shown
