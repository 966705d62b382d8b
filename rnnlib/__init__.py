"""rnnlib: the small NumPy toolbox that the course "RNNs for Audio" builds, lesson by lesson.

Modules (import the ones you need, e.g. ``from rnnlib import audio, features``):

- ``audio``: load/save, resample, synthetic test signals, noise at an SNR, quantization
- ``features``: STFT, mel and MFCC features as ``(T, D)``; standardization; padding + masks
- ``datasets``: the Free Spoken Digit Dataset: locate, download, verify, split
- ``layers``: the textbook steps (``rnn_step_forward`` …) and ``Dense``, ``RNN``, ``LSTM``, ``GRU`` with
  hand-written ``forward``/``backward``
- ``losses``, ``optim``: cross-entropy and MSE with their gradients; SGD, Adam, gradient clipping
- ``gradcheck``: numeric gradients that prove a backward pass
- ``tasks``: toy sequence problems (next sample, recall, adding, voiced waves)
- ``train``: the training loops, in lesson order (04–09)
- ``inference``: batched prediction over sequences of different lengths
- ``experiments``: the measurements the lessons run (memory, gradient norms, saturation, …)
- ``models``: a sequence classifier (stacked recurrent layers + readout), saved as ``.npz`` + JSON; the
  bidirectional gap filler of lesson 10
- ``augment``: speed perturbation, noise and babble at an SNR, reverberation, time/frequency masks
- ``recognizer``, ``digits``: lesson 07's spoken-digit recognizer and its command line
  (``python -m rnnlib.digits``)
- ``novelty``: "is this a digit at all?", from the distance to what training looked like
- ``adaptation``: teaching a recognizer a new voice from one recording of each digit (lesson 08)
- ``dtw``: dynamic time warping and the template matcher, the recognizer's pre-neural rival (lesson 11)
- ``metrics``, ``imbalance``: per-class recall and balanced accuracy; class weights, oversampling and
  prior correction for unfair data (lesson 09)
- ``repair``: filling lost packets of speech (silence, repetition, linear prediction) and judging it in dB
  (lesson 10; its RNN is ``models.GapFiller``)
- ``frameworks``, ``interop``: the optional PyTorch and Keras models of lesson 11, and parameters to and from
  PyTorch's layout
- ``microphone``: recording in JupyterLab through the browser
- ``plots``, ``widgets``: the figures, and the interactive demos of the lessons (UI only)
- ``checks``: automatic checks for the exercises
- ``course``: tooling for authors and instructors (editions, slides, site); no lesson imports it
"""
__version__ = "0.1.0"
