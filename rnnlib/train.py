"""The training loops, in the order the lessons meet them.

* lesson 04: :func:`fit_sequence_regressor`, an ``RNN`` (or any recurrent layer with the same
  ``forward(x, h0=..., mask=...)``/``backward`` contract) and a ``Dense`` readout trained to map every step of
  ``x: (B, T, D)`` to ``y: (B, T, O)`` with mean squared error, optionally with truncated backpropagation through
  time and gradient clipping;
* lessons 05–06: :func:`classifier_step`, the five-line body of every classifier's loop (forward, loss, backward,
  clip, step), and :func:`fit_classifier`, its loop over sequences of equal length;
* lesson 07: :func:`train_epoch` and :func:`fit` for a :class:`rnnlib.models.SequenceClassifier` on sequences of
  any length: batches of similar lengths, masks, a seeded shuffle, Adam, clipping, a progress bar, a history of
  loss and accuracy, early stopping on a validation set with the best weights restored, or weight averaging;
* lesson 10: :func:`teacher_forced_step` and :func:`generate` for a next-sample predictor, and
  :func:`fit_gap_filler` for :class:`rnnlib.models.GapFiller`.

Running a trained model lives in :mod:`rnnlib.inference`; the lessons' experiments in :mod:`rnnlib.experiments`.
"""
from __future__ import annotations

import sys
import time

import numpy as np

from . import losses, optim
from .features import pad_sequences
from .inference import length_buckets, predict_sequences

__all__ = ["fit_sequence_regressor", "classifier_step", "fit_classifier", "progress_bar", "train_epoch", "fit",
           "teacher_forced_step", "sequence_step", "generate", "sampled_step", "generate_by_sampling",
           "fit_gap_filler"]


# ----------------------------------------------------------------------------- lesson 04: a sequence regressor

def fit_sequence_regressor(rnn, readout, x, y, *, optimizer, steps: int, chunk: int | None = None,
                           clip: float | None = None, batch_size: int | None = None, seed=0) -> dict:
    """Train ``rnn`` + ``readout`` on ``(x, y)`` for ``steps`` updates; return the history.

    x: ``(B, T, D)``, y: ``(B, T, O)``. optimizer: e.g. ``optim.SGD([rnn, readout], lr=0.1)``.
    chunk: truncated BPTT: cut time into chunks of this many steps, carry the state from chunk to
    chunk, but backpropagate only within a chunk (one update per chunk). clip: cap the global
    gradient norm. batch_size: sample this many sequences per update (default: all).

    Returns ``{"loss": [...], "grad_norm": [...], "diverged_at": None}``, one entry per update (the
    norm before clipping). If the loss stops being a finite number, training stops there and
    ``diverged_at`` holds that update's index: lower the learning rate, or clip.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or y.ndim != 3 or x.shape[:2] != y.shape[:2]:
        raise ValueError(f"x must be (B, T, D) and y (B, T, O) with the same B and T; got {x.shape} and {y.shape}.")
    B, T = x.shape[:2]
    chunk = T if chunk is None else int(chunk)
    if not 1 <= chunk <= T:
        raise ValueError(f"chunk must be between 1 and T = {T}, got {chunk}.")
    rng = np.random.default_rng(seed)
    history = {"loss": [], "grad_norm": [], "diverged_at": None}
    layers = [rnn, readout]
    while len(history["loss"]) < steps:
        rows = rng.choice(B, size=batch_size, replace=False) if batch_size else slice(None)
        xb, yb = x[rows], y[rows]
        h = None
        for start in range(0, T, chunk):
            if len(history["loss"]) >= steps:
                break
            xs, ys = xb[:, start:start + chunk], yb[:, start:start + chunk]
            with np.errstate(over="ignore", invalid="ignore"):
                pred = readout.forward(rnn.forward(xs, h0=h))
                loss, dpred = losses.mean_squared_error(pred, ys)
            if not np.isfinite(loss):
                history["diverged_at"] = len(history["loss"])
                return history
            h = rnn.last_state  # carried forward, but no gradient flows back through it
            rnn.backward(readout.backward(dpred))
            norm = optim.clip_grad_norm(layers, clip) if clip else optim.global_norm(layers)
            optimizer.step()
            history["loss"].append(loss)
            history["grad_norm"].append(norm)
    return history


# ----------------------------------------------------------------------------- lessons 05-06: classifier, equal lengths

def classifier_step(model, optimizer, x, y, *, mask=None, clip: float | None = None, class_weights=None):
    """One update of a classifier: forward, cross-entropy, backward, clip, step.

    x: ``(B, T, D)``; y: ``(B,)``; mask: ``(B, T)`` or None. Returns ``(loss, logits, gradient norm
    before clipping)``.
    """
    logits = model.forward(x, mask)
    loss, dlogits = losses.softmax_cross_entropy(logits, y, class_weights=class_weights)
    model.backward(dlogits)
    norm = optim.clip_grad_norm(model.layers, clip) if clip else optim.global_norm(model.layers)
    optimizer.step()
    return loss, logits, norm


def fit_classifier(model, x, y, *, optimizer, steps: int, batch_size: int = 64, clip: float | None = None,
                   seed=0) -> dict:
    """Train ``model`` on ``x: (N, T, D)``, ``y: (N,)`` for ``steps`` mini-batch updates.

    Batches are drawn by a seeded shuffle, epoch after epoch. clip: cap the global gradient norm.
    Returns ``{"loss": [...], "grad_norm": [...]}``, one entry per update.
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 3 or y.shape != (x.shape[0],):
        raise ValueError(f"x must be (N, T, D) and y (N,) labels; got {x.shape} and {y.shape}.")
    rng = np.random.default_rng(seed)
    history = {"loss": [], "grad_norm": []}
    order = np.empty(0, dtype=int)
    while len(history["loss"]) < steps:
        if order.size < batch_size:
            order = np.concatenate([order, rng.permutation(len(y))])
        rows, order = order[:batch_size], order[batch_size:]
        loss, _, norm = classifier_step(model, optimizer, x[rows], y[rows], clip=clip)
        history["loss"].append(loss)
        history["grad_norm"].append(norm)
    return history


# ----------------------------------------------------------------------------- lesson 07: sequences of any length

def progress_bar(total: int, *, enabled: bool = True, unit: str = "batch"):
    """A text progress bar (tqdm) while training runs, which disappears when it is done.

    In a notebook it writes to the cell's ordinary output (a widget would stay frozen at its first frame in a
    saved notebook); in a terminal it writes to stderr, so a command's real output on stdout stays clean. What is
    left afterwards is only what the training loop writes with ``bar.write``: its one-line summary.
    """
    from tqdm.std import tqdm

    in_notebook = "ipykernel" in sys.modules
    return tqdm(total=total, disable=not enabled, unit=unit, leave=False, ncols=110 if in_notebook else None,
                file=sys.stdout if in_notebook else sys.stderr, mininterval=0.5 if in_notebook else 0.1)


def _snapshot(model) -> list[dict]:
    return [{k: v.copy() for k, v in layer.params.items()} for layer in model.layers]


def _restore(model, snapshot) -> None:
    for layer, params in zip(model.layers, snapshot):
        for k, v in params.items():
            layer.params[k][...] = v


def _loss_and_accuracy(model, seqs, labels) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on a list of sequences."""
    labels = np.asarray(labels)
    probs = predict_sequences(model, seqs)
    picked = probs[np.arange(len(labels)), labels].astype(np.float64)
    return float(-np.mean(np.log(np.maximum(picked, 1e-12)))), float(np.mean(probs.argmax(1) == labels))


def train_epoch(model, optimizer, seqs, labels, *, batch_size: int, rng: np.random.Generator,
                clip: float | None = 1.0, augment=None, class_weights=None, on_batch=None) -> tuple[float, float]:
    """One epoch: every training sequence once, in mini-batches of similar length. Returns ``(loss, accuracy)``.

    seqs: list of ``(T_i, D)`` arrays; labels: ``(N,)`` integers. Each batch is padded with a mask, goes
    forward, gets the cross-entropy loss, goes backward, is clipped and takes one optimizer step.
    ``loss`` and ``accuracy`` are averages over the epoch's sequences, measured as training went.
    augment: optional ``f(seq, rng) -> seq`` applied to each sequence as it is batched. on_batch: called
    after every batch (a progress bar's ``update``).
    """
    labels = np.asarray(labels)
    total_loss = hits = 0.0
    for rows in length_buckets([len(s) for s in seqs], batch_size, rng):
        batch = [seqs[i] if augment is None else augment(seqs[i], rng) for i in rows]
        x, mask = pad_sequences(batch, dtype=model.readout.dtype)
        loss, logits, _ = classifier_step(model, optimizer, x, labels[rows], mask=mask, clip=clip,
                                          class_weights=class_weights)
        total_loss += loss * len(rows)
        hits += float(np.sum(logits.argmax(axis=1) == labels[rows]))
        if on_batch is not None:
            on_batch()
    return total_loss / len(seqs), hits / len(seqs)


def fit(model, seqs, labels, *, validation=None, epochs: int = 30, batch_size: int = 32, lr: float = 2e-3,
        clip: float = 1.0, patience: int | None = 8, augment=None, class_weights=None, seed=0,
        progress: bool = True, epoch_fn=None, average_last: int | None = None) -> dict:
    """Train ``model`` on a list of ``(T_i, D)`` sequences with integer ``labels``.

    validation: ``(seqs, labels)`` to measure after each epoch. The best epoch is the one with the
    lowest validation loss (cross-entropy): unlike accuracy, it keeps telling epochs apart once
    every validation sequence is right, by how confidently right. With ``patience``, training stops
    after that many epochs without a lower validation loss; the best weights are restored either way.
    augment: optional ``f(seq, rng) -> seq`` applied to each training sequence as it is batched.
    class_weights: optional ``(C,)`` weights for the loss. epoch_fn: the function that runs one epoch,
    with :func:`train_epoch`'s signature (default :func:`train_epoch`; lesson 07 plugs in the learner's own).
    average_last: end with the average of the weights after each of the last ``average_last`` epochs
    (stochastic weight averaging, lesson 07) instead of the best epoch's weights. Each epoch's small steps
    scatter the weights around a good region; their average sits nearer its middle, which tends to suit new
    inputs (here: new voices) better than any single epoch. Training then stops only after ``epochs`` or on
    ``patience``, as usual, and the last epochs run are averaged; the history adds ``averaged_epochs`` and, with
    validation, ``averaged_val_loss`` and ``averaged_val_accuracy`` (of the averaged weights).
    Returns the history: per epoch
    ``loss``, ``accuracy`` (training), ``val_loss``, ``val_accuracy``, plus ``best_epoch`` and ``seconds``.
    """
    labels = np.asarray(labels)
    if len(seqs) != len(labels) or len(seqs) == 0:
        raise ValueError(f"Need one label per sequence and at least one sequence; got {len(seqs)} sequences "
                         f"and {len(labels)} labels.")
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= model.n_classes:
        raise ValueError(f"labels must be integers in 0..{model.n_classes - 1}.")
    if average_last is not None and (not isinstance(average_last, (int, np.integer)) or average_last < 1):
        raise ValueError(f"average_last must be a whole number of epochs, 1 or more (or None), got {average_last!r}.")
    rng = np.random.default_rng(seed)
    optimizer = optim.Adam(model.layers, lr=lr)
    epoch_fn = epoch_fn or train_epoch
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": [], "best_epoch": None, "seconds": 0.0}
    best, best_loss, waited = None, np.inf, 0
    recent = []                                         # the last epochs' weights, when averaging them
    n_batches = -(-len(seqs) // batch_size)
    start = time.perf_counter()
    with progress_bar(epochs * n_batches, enabled=progress) as bar:
        for epoch in range(epochs):
            loss, acc = epoch_fn(model, optimizer, seqs, labels, batch_size=batch_size, rng=rng, clip=clip,
                                 augment=augment, class_weights=class_weights, on_batch=lambda: bar.update(1))
            history["loss"].append(float(loss))
            history["accuracy"].append(float(acc))
            if average_last:
                recent = (recent + [_snapshot(model)])[-average_last:]
            postfix = {"loss": f"{history['loss'][-1]:.3f}", "acc": f"{history['accuracy'][-1]:.3f}"}
            if validation is not None:
                val_loss, val_acc = _loss_and_accuracy(model, *validation)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_acc)
                postfix.update(val_loss=f"{val_loss:.3f}", val_acc=f"{val_acc:.3f}")
                if val_loss < best_loss:
                    best, best_loss, waited, history["best_epoch"] = _snapshot(model), val_loss, 0, epoch
                else:
                    waited += 1
            bar.set_postfix(postfix)
            if patience is not None and validation is not None and waited >= patience:
                break
        if progress:
            bar.write(f"{len(history['loss'])} epochs in {time.perf_counter() - start:.0f} s; last epoch: "
                      + ", ".join(f"{k} {v}" for k, v in postfix.items()), file=bar.fp)
    if average_last:
        _restore(model, [{k: np.mean([weights[i][k] for weights in recent], axis=0) for k in layer}
                         for i, layer in enumerate(recent[0])])
        history["averaged_epochs"] = len(recent)
        if validation is not None:
            history["averaged_val_loss"], history["averaged_val_accuracy"] = _loss_and_accuracy(model, *validation)
    elif best is not None:
        _restore(model, best)
    history["seconds"] = time.perf_counter() - start
    return history


# ----------------------------------------------------------------------------- lesson 10: predicting sound

def teacher_forced_step(rnn, readout, optimizer, waves, clip: float | None = 1.0) -> float:
    """One update of a next-sample predictor on ``waves: (B, N)`` with mean squared error (lesson 10).

    Teacher forcing: the inputs are the true samples ``0 … N-2`` and the targets the true samples ``1 … N-1``, so
    at every step the model predicts the next sample from the true past, whatever it predicted before. Forward,
    MSE, backward through time, clip the global gradient norm to ``clip`` (None: no clipping), one optimizer step.
    Returns the loss before the step.
    """
    waves = np.asarray(waves, dtype=rnn.dtype)
    x, y = waves[:, :-1, None], waves[:, 1:, None]           # (B, N-1, 1) each: the input at t, the target t + 1
    return sequence_step(rnn, readout, optimizer, x, y, clip=clip)


def sequence_step(rnn, readout, optimizer, x, y, *, loss=losses.mean_squared_error,
                  clip: float | None = 1.0) -> float:
    """One update of ``readout(rnn(x))`` towards the targets ``y`` at every step (lesson 10's generators).

    x: ``(B, T, D)``; y: what ``loss(predictions, y)`` compares the ``(B, T, O)`` predictions with (``(B, T, O)``
    values for the mean squared error, ``(B, T)`` classes for :func:`rnnlib.losses.softmax_cross_entropy`).
    Forward, loss, backward through time, clip the global gradient norm to ``clip`` (None: no clipping), one
    optimizer step. Returns the loss before the step.
    """
    pred = readout.forward(rnn.forward(x))
    value, dpred = loss(pred, y)
    rnn.backward(readout.backward(dpred))
    if clip:
        optim.clip_grad_norm([rnn, readout], clip)
    optimizer.step()
    return value


def generate(rnn, readout, prompt, n_steps: int) -> np.ndarray:
    """Free running (lesson 10): read ``prompt: (P,)``, then feed each prediction back in as the next input.

    rnn: a one-state recurrent layer with one input (``RNN`` or ``GRU``, ``input_size=1``); readout: its
    ``Dense(H, 1)``. The first generated sample is the prediction after the whole prompt. Returns ``(n_steps,)``.
    """
    out = rnn.forward(np.asarray(prompt, rnn.dtype)[None, :, None])      # (1, P, H)
    h, sample = rnn.last_state, readout.forward(out[:, -1])               # sample: (1, 1)
    generated = np.empty(int(n_steps))
    for k in range(int(n_steps)):
        generated[k] = sample[0, 0]
        out = rnn.forward(sample[:, None, :], h0=h)                       # one step, from the carried state
        h, sample = rnn.last_state, readout.forward(out[:, 0])
    return generated


def sampled_step(rnn, readout, optimizer, classes, decode, clip: float | None = 1.0) -> float:
    """One teacher-forced step of a sample-level classifier (lesson 10): predict the *class* of every next sample.

    classes: ``(B, N)`` integer classes of the waveforms (e.g. μ-law, :func:`rnnlib.audio.mu_law_encode`); the
    model reads the decoded value of each sample, ``decode(classes)``, and its ``readout`` gives one score per
    class for the next one. Cross-entropy, clipping, one optimizer step. Returns the loss before the step.
    """
    heard = np.asarray(decode(classes), dtype=rnn.dtype)[:, :-1, None]            # (B, N-1, 1): what it reads
    return sequence_step(rnn, readout, optimizer, heard, np.asarray(classes)[:, 1:],   # the next sample's class
                         loss=losses.softmax_cross_entropy, clip=clip)


def generate_by_sampling(rnn, readout, prompt, n_steps: int, *, encode, decode, temperature: float = 1.0,
                         rng=None) -> np.ndarray:
    """Free running that *samples* (lesson 10): read ``prompt: (P,)`` (as its classes decode), then draw each next
    sample's class from the softmax of ``readout``'s scores divided by ``temperature``, and feed its value back.

    Temperature 1 draws from the model's own distribution; below 1 sharpens it towards the likeliest class,
    above 1 flattens it. Returns the ``(n_steps,)`` generated samples.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be a positive number, got {temperature!r}.")
    rng = np.random.default_rng(rng)
    heard = np.asarray(decode(encode(np.asarray(prompt))), dtype=rnn.dtype)
    out = rnn.forward(heard[None, :, None])                                        # (1, P, H)
    h, scores = rnn.last_state, readout.forward(out[:, -1])[0]                      # scores: (C,)
    generated = np.empty(int(n_steps))
    for k in range(int(n_steps)):
        p = losses.softmax(scores / temperature)
        value = float(decode(np.array([rng.choice(len(p), p=p)]))[0])
        generated[k] = value
        out = rnn.forward(np.full((1, 1, 1), value, dtype=rnn.dtype), h0=h)       # one step, from the carried state
        h, scores = rnn.last_state, readout.forward(out[:, 0])[0]
    return generated


def fit_gap_filler(model, windows: dict, *, epochs: int = 4, batch_size: int = 64, lr: float = 2e-3,
                   clip: float | None = 1.0, seed=0, progress: bool = True) -> dict:
    """Train a :class:`rnnlib.models.GapFiller` on windows of speech around gaps (lesson 10).

    windows: gap length in frames → ``(N, (2·context + gap_frames)·frame)`` windows (see
    :func:`rnnlib.repair.gap_windows`). Each epoch shuffles all batches of all gap lengths together; a batch
    holds one gap length. Returns ``{"loss": [mean MSE per epoch], "seconds": ...}``.
    """
    rng = np.random.default_rng(seed)
    optimizer = optim.Adam(model.layers, lr=lr)
    batches = [(g, start) for g, w in windows.items() for start in range(0, len(w), batch_size)]
    if not batches:
        raise ValueError("No training windows: give at least one gap length with one window.")
    history, start_time = {"loss": [], "seconds": 0.0}, time.perf_counter()
    with progress_bar(epochs * len(batches), enabled=progress) as bar:
        for _ in range(epochs):
            order = {g: rng.permutation(len(w)) for g, w in windows.items()}
            total = 0.0
            for k in rng.permutation(len(batches)):
                g, start = batches[k]
                loss, dpred = model.loss(windows[g][order[g][start:start + batch_size]], g)
                model.backward(dpred)
                if clip:
                    optim.clip_grad_norm(model.layers, clip)
                optimizer.step()
                total += loss
                bar.update(1)
            history["loss"].append(total / len(batches))
            bar.set_postfix(loss=f"{history['loss'][-1]:.4f}")
        if progress:
            bar.write(f"{epochs} epochs in {time.perf_counter() - start_time:.0f} s; last epoch: loss "
                      f"{history['loss'][-1]:.4f}", file=bar.fp)
    history["seconds"] = time.perf_counter() - start_time
    return history
