"""Checks for lesson 11, The same model in a framework (needs nothing from the framework itself)."""
from __future__ import annotations

import numpy as np

from .. import dtw, frameworks, models
from ._core import ExerciseError, call, exercise, passed, yours_or_reference

__all__ = ["dtw_function", "dtw_path", "keras_weights", "weights_function"]


def _pairs():
    rng = np.random.default_rng(100)
    return [(rng.standard_normal((ta, 3)), rng.standard_normal((tb, 3))) for ta, tb in ((6, 9), (1, 4), (7, 1), (5, 5))]


def _walk_cost(a, b, path) -> float:
    return float(sum(np.linalg.norm(a[i] - b[j]) for i, j in path))


@exercise("dtw_path", not_by=('rnnlib.dtw.dtw_path',))
def dtw_path(fn) -> None:
    """Exercise 2: ``fn(a, b)`` returns ``(distance, path)``: the DTW distance (cost over ``Ta + Tb``) and the walk."""
    for a, b in _pairs():
        what = f"dtw_path(a, b) with a of shape {a.shape} and b of shape {b.shape}"
        got = call(fn, (a.copy(), b.copy()), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: return (distance, path).")
        try:
            distance, path = got
            distance = float(distance)
            path = [(int(i), int(j)) for i, j in path]
        except (TypeError, ValueError):
            raise ExerciseError(f"{what}: return a pair, (distance, path), with path a list of (i, j) pairs.") from None
        want, want_path = dtw.dtw_path(a, b)
        total = want * (len(a) + len(b))
        if np.isclose(distance, total, rtol=1e-9) and not np.isclose(distance, want, rtol=1e-9):
            raise ExerciseError(f"{what}: your distance {distance:.6f} is the cost of the best walk; divide it by "
                                f"Ta + Tb = {len(a) + len(b)}, so long words are not penalized for being long.")
        if not np.isclose(distance, want, rtol=1e-9):
            raise ExerciseError(f"{what}: the distance should be {want:.6f}, got {distance:.6f}. Check the border "
                                "(G[0, 0] = 0, ∞ on the rest of row 0 and column 0), that each cell takes the "
                                "cheapest of its three ways in, and that c[i, j] is the Euclidean distance of "
                                "a[i - 1] and b[j - 1].")
        if not path or path[0] != (0, 0) or path[-1] != (len(a) - 1, len(b) - 1):
            raise ExerciseError(f"{what}: the walk should start at (0, 0) and end at ({len(a) - 1}, {len(b) - 1}) "
                                f"(0-based frame numbers); yours goes from {path[:1]} to {path[-1:]}.")
        steps = {(i2 - i1, j2 - j1) for (i1, j1), (i2, j2) in zip(path, path[1:])}
        if not steps <= {(1, 0), (0, 1), (1, 1)}:
            raise ExerciseError(f"{what}: each step of the walk moves on by one frame in a, in b, or in both; yours "
                                f"makes steps {sorted(steps - {(1, 0), (0, 1), (1, 1)})}. Did you reverse the path "
                                "after walking back from the end?")
        if not np.isclose(_walk_cost(a, b, path), total, rtol=1e-9):
            raise ExerciseError(f"{what}: your walk costs {_walk_cost(a, b, path):.6f}, but the cheapest costs "
                                f"{total:.6f}: walking back, always go to the cheapest of G[i-1, j-1], G[i-1, j] "
                                "and G[i, j-1].")
    slow = np.repeat(_pairs()[0][0], 2, axis=0)
    distance, _ = call(fn, (_pairs()[0][0], slow), "dtw_path(a, a played twice as slow)")
    if not np.isclose(float(distance), 0.0, atol=1e-12):
        raise ExerciseError("dtw_path(a, a played twice as slow) should give distance 0: the walk can stay on one "
                            "frame of a while b repeats it.")
    passed("Right: the cheapest walk through both recordings together, by dynamic programming, and the walk itself.")


def dtw_function(yours):
    """The DTW the lesson goes on with: yours if it passes the check, else ``rnnlib.dtw.dtw_path``."""
    return yours_or_reference(yours, dtw.dtw_path, dtw_path, "dtw_path")


def _small(kind, seed):
    model = models.SequenceClassifier.build(kind, 4, [5, 3], 2, seed=seed)
    for layer in model.layers:
        for key, value in layer.params.items():
            if key.startswith("b"):
                value[...] = np.random.default_rng(seed + len(key)).standard_normal(value.shape)
    return model


@exercise("keras_weights", not_by=('rnnlib.frameworks.keras_weights',))
def keras_weights(fn) -> None:
    """Exercise 1: ``fn(model)`` lists an rnnlib classifier's weights in Keras's layout and order."""
    for kind in ("lstm", "gru"):
        model = _small(kind, 7)
        what = f"keras_weights(model) for an {kind.upper()} 4 → 5 → 3 → Dense(2) classifier"
        got = call(fn, (model,), what)
        if got is None:
            raise ExerciseError(f"{what}: it returned None: return the list of arrays.")
        want = frameworks.keras_weights(model)
        got = list(got)
        if len(got) != len(want):
            raise ExerciseError(f"{what}: Keras expects {len(want)} arrays (3 per recurrent layer: kernel, "
                                f"recurrent kernel, bias; 2 for Dense: kernel, bias), got {len(got)}.")
        names = ["kernel", "recurrent kernel", "bias"] * len(model.recurrent) + ["Dense kernel", "Dense bias"]
        for k, (g, w, name) in enumerate(zip(got, want, names)):
            g = np.asarray(g)
            layer = f"array {k} ({name}{'' if 'Dense' in name else f' of recurrent layer {k // 3 + 1}'})"
            if g.shape != w.shape:
                hint = (" A Keras GRU keeps its two biases stacked: np.stack([b_x, b_h]), shape (2, 3H)."
                        if kind == "gru" and name == "bias" else "")
                raise ExerciseError(f"{what}: {layer} should have shape {w.shape}, got {g.shape}.{hint}")
            if not np.allclose(g, w, rtol=1e-6, atol=1e-7):
                hint = ""
                if kind == "gru":
                    z, r, h = np.split(w, 3, axis=-1)                        # Keras's blocks
                    if np.allclose(g, np.concatenate([r, z, h], axis=-1)):      # left in rnnlib's r, z, n order
                        hint = (" Its gate blocks are still in rnnlib's order r, z, n; Keras wants z, r, h: "
                                "swap the first two blocks of the last axis.")
                raise ExerciseError(f"{what}: {layer} has the right shape but not the right numbers.{hint}")
    passed("Right: the same numbers, in Keras's layout: LSTM as it is, GRU with its gate blocks reordered.")


def weights_function(yours):
    """The weight transfer the lesson goes on with: yours if it passes the check, else rnnlib's."""
    return yours_or_reference(yours, frameworks.keras_weights, keras_weights, "keras_weights")
