"""rnnlib: the small NumPy toolbox that the course "RNNs for Audio" builds, lesson by lesson.

Modules (import the ones you need, e.g. ``from rnnlib import audio, features``):

- ``audio``: load/save, resample, synthetic test signals, noise at an SNR, quantization
- ``features``: STFT, mel and MFCC features as ``(T, D)``; standardization; padding + masks
- ``datasets``: the Free Spoken Digit Dataset: locate, download, verify, split
- ``layers``: ``Dense``, ``RNN``, ``LSTM``, ``GRU`` with hand-written ``forward``/``backward``
- ``losses``, ``optim``: cross-entropy and MSE with their gradients; SGD, Adam, gradient clipping
- ``gradcheck``: numeric gradients that prove a backward pass
- ``tasks``, ``train``: toy sequence problems, and the training loops of lessons 04–06
- ``models``: a sequence classifier (stacked recurrent layers + readout), saved as ``.npz`` + JSON; the
  bidirectional gap filler of lesson 09
- ``augment``: speed perturbation, noise and babble at an SNR, reverberation, time/frequency masks
- ``recognizer``, ``digits``: lesson 07's spoken-digit recognizer and its command line
  (``python -m rnnlib.digits``)
- ``metrics``, ``imbalance``: per-class recall and balanced accuracy; class weights, oversampling and
  prior correction for unfair data (lesson 08)
- ``repair``: filling lost packets of speech (silence, repetition, linear prediction) and judging it in dB
  (lesson 09; its RNN is ``models.GapFiller``)
- ``interop``: parameters to and from PyTorch's layout
- ``plots``, ``widgets``: the figures and interactive demos of the lessons
- ``checks``: automatic checks for the exercises
"""
__version__ = "0.1.0"
