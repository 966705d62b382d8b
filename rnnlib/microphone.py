"""Record from the microphone inside the notebook: a small widget, JavaScript in the browser and Python here.

The browser does the recording with the Web Audio API: ``getUserMedia`` opens the microphone, an
``AudioWorklet`` (a few lines of JavaScript that run on the audio thread) hands over the raw samples as
32-bit floats, and a bar shows the level while you speak. On *Stop* (or after ``max_seconds``) the samples
go to the kernel in one binary message, so Python receives a plain NumPy array ``y: (N,)`` and its sample
rate, with no audio decoder needed; :mod:`rnnlib.audio` resamples it like any file.

It is an `anywidget <https://anywidget.dev>`_, the well-kept way to write a custom widget that works in
JupyterLab, VS Code and Colab. Without a microphone, or when the browser's permission is refused, the widget
says so in one sentence.

    mic = Microphone()
    mic.on_recording(lambda y, sr: print(len(y) / sr, "seconds at", sr, "Hz"))
    mic
"""
from __future__ import annotations

import anywidget
import numpy as np
import traitlets

__all__ = ["Microphone"]

# The AudioWorklet's code is loaded from a Blob URL, so the widget needs no file served next to it.
_ESM = r"""
const WORKLET = `
class Capture extends AudioWorkletProcessor {
  process(inputs) {
    const channels = inputs[0];
    if (channels.length > 0) {
      const mono = new Float32Array(channels[0].length);
      for (const channel of channels) for (let i = 0; i < mono.length; i++) mono[i] += channel[i] / channels.length;
      this.port.postMessage(mono);
    }
    return true;
  }
}
registerProcessor("rnnlib-capture", Capture);
`;

function render({ model, el }) {
  el.classList.add("rnnlib-microphone");
  const button = document.createElement("button");
  button.className = "jupyter-button rnnlib-record";
  const meter = document.createElement("div");
  meter.className = "rnnlib-meter";
  const bar = document.createElement("div");
  meter.append(bar);
  const status = document.createElement("span");
  status.className = "rnnlib-status";
  el.append(button, meter, status);
  let session = null;

  function idle(message) {
    session = null;
    button.textContent = "\u25CF Record";
    button.disabled = false;
    bar.style.width = "0%";
    status.textContent = message;
  }

  async function start() {
    button.disabled = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      idle("No microphone is available to this page; record a WAV elsewhere and use the upload button below.");
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(
        { audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    } catch (err) {
      idle(`The microphone could not be opened (${err.name}): allow it in the browser, ` +
           `or use the upload button below.`);
      return;
    }
    const context = new AudioContext();
    await context.resume();                      // a context may start suspended until the page is interacted with
    const url = URL.createObjectURL(new Blob([WORKLET], { type: "application/javascript" }));
    await context.audioWorklet.addModule(url);
    URL.revokeObjectURL(url);
    const capture = new AudioWorkletNode(context, "rnnlib-capture");
    const mute = context.createGain();          // the worklet must reach the output to be run; silently
    mute.gain.value = 0;
    context.createMediaStreamSource(stream).connect(capture).connect(mute).connect(context.destination);
    session = { stream, context, chunks: [], length: 0 };
    meter.dataset.peak = 0;
    meter.dataset.seconds = 0;
    const limit = model.get("max_seconds") * context.sampleRate;
    capture.port.onmessage = (event) => {
      if (!session) return;
      const chunk = event.data;
      session.chunks.push(chunk);
      session.length += chunk.length;
      let power = 0;
      for (const v of chunk) power += v * v;
      const db = 10 * Math.log10(power / chunk.length + 1e-12);           // -60 dB (silence) .. 0 dB (full scale)
      const level = Math.max(0, Math.min(100, (db + 60) / 60 * 100));
      bar.style.width = `${level}%`;
      meter.dataset.peak = Math.max(Number(meter.dataset.peak), level);      // the loudest moment, for tests
      meter.dataset.seconds = (session.length / context.sampleRate).toFixed(2);  // how much is recorded, for tests
      if (session.length >= limit) stop();
    };
    button.textContent = "\u25A0 Stop";
    button.disabled = false;
    status.textContent = "Recording\u2026 say one digit, then press Stop.";
  }

  function stop() {
    const { stream, context, chunks, length } = session;
    session = null;
    stream.getTracks().forEach((track) => track.stop());
    const samples = new Float32Array(length);
    let offset = 0;
    for (const chunk of chunks) { samples.set(chunk, offset); offset += chunk.length; }
    const rate = context.sampleRate;
    context.close();
    model.send({ kind: "recording", sample_rate: rate }, undefined, [samples.buffer]);
    idle(`Recorded ${(length / rate).toFixed(1)} s.`);
  }

  button.addEventListener("click", () => (session ? stop() : start()));
  idle("");
}

export default { render };
"""

_CSS = """
.rnnlib-microphone { display: flex; align-items: center; gap: 0.75em; margin: 0.25em 0; }
.rnnlib-microphone .rnnlib-meter { width: 10em; height: 0.7em; border: 1px solid #999; border-radius: 3px; }
.rnnlib-microphone .rnnlib-meter > div { height: 100%; width: 0%; background: #2a9d4b; transition: width 60ms; }
/* Presenting (jupyterlab-slideshow) hides the prompts, but an output's prompt overlay stays over the output's left
   edge and would swallow the clicks meant for the buttons there (Record, Upload). */
.jp-deck-mod-visible .jp-OutputArea-promptOverlay { pointer-events: none; }
"""


class Microphone(anywidget.AnyWidget):
    """A record button, a level meter and a status line; each recording is handed to your callbacks.

    max_seconds: the recording stops by itself after this long. Callbacks get ``(y, sr)``: ``y: (N,)``
    float32 samples in [-1, 1], mono, at the browser's rate ``sr`` (often 44100 or 48000 Hz).
    """

    _esm = _ESM
    _css = _CSS
    max_seconds = traitlets.Float(3.0).tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._callbacks = []
        self.on_msg(self._receive)

    def __repr__(self) -> str:
        # What a viewer without the widget shows (GitHub, nbviewer) in place of the record button.
        return f"Microphone(max_seconds={self.max_seconds:g})"

    def on_recording(self, callback) -> None:
        """Call ``callback(y, sr)`` with every recording."""
        self._callbacks.append(callback)

    def _receive(self, _widget, content, buffers) -> None:
        if not isinstance(content, dict) or content.get("kind") != "recording" or not buffers:
            return
        y = np.frombuffer(bytes(buffers[0]), dtype="<f4").copy()
        for callback in self._callbacks:
            callback(y, int(content["sample_rate"]))
