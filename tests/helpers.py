"""Helpers shared by the test modules (imported as ``helpers``: pytest puts this folder on sys.path)."""
import numpy as np


def layer_with_biases(cls, D, H, rng, *, seed=1, scale=0.3):
    """A float64 layer whose bias vectors are random too, so every bias gradient is exercised."""
    layer = cls(D, H, seed=seed)
    for name, value in layer.params.items():
        if name.startswith("b"):
            value += rng.normal(0, scale, value.shape)
    return layer


def padded_batch(rng, lengths, D, H):
    """Right-padded inputs ``(B, T, D)``, their mask, and output gradients zero at padded steps."""
    lengths = np.asarray(lengths)
    B, T = len(lengths), int(lengths.max())
    mask = np.arange(T)[None] < lengths[:, None]
    x = rng.standard_normal((B, T, D)) * mask[..., None]
    dout = rng.standard_normal((B, T, H)) * mask[..., None]
    return x, mask, dout


def stub(*args, **kwargs):
    """An exercise as the student edition hands it out: not written yet."""
    raise NotImplementedError()
