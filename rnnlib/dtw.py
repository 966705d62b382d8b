"""Dynamic time warping: the isolated-word recognizer from before neural networks (lesson 11).

Two recordings of the same digit are never equally fast: the vowel of one is longer, the pause of the other
shorter. DTW compares two feature sequences, frames ``a_1 … a_Ta`` and ``b_1 … b_Tb`` (each ``D`` numbers), by
finding the cheapest way to walk through both together, frame by frame, where each step moves on in ``a``, in
``b``, or in both. With ``c[i, j] = ||a_i - b_j||`` the cost of pairing frame ``i`` with frame ``j``, the cheapest
walk to ``(i, j)`` obeys a recurrence, a dynamic programme, very like the way BPTT walks back through time:

    D[0, 0] = 0,   D[i, 0] = D[0, j] = ∞ for i, j ≥ 1,
    D[i, j] = c[i, j] + min(D[i-1, j], D[i, j-1], D[i-1, j-1])    for i = 1 … Ta, j = 1 … Tb,

and the distance is ``D[Ta, Tb] / (Ta + Tb)`` (so long words are not penalized for being long). In code the
table has one extra row and column, index 0, for the border; frame ``i`` of ``a`` is ``a[i - 1]``.

A **template matcher** keeps a few recordings of every digit from every training speaker as templates and
answers the digit of the nearest template (nearest neighbour).
"""
from __future__ import annotations

import numpy as np

__all__ = ["dtw_path", "dtw_distance", "dtw_distances", "TemplateMatcher"]


def _check_pair(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or not len(a) or not len(b):
        raise ValueError(f"DTW compares two non-empty (T, D) sequences with the same D; got {a.shape} and {b.shape}.")
    return a, b


def dtw_path(a, b) -> tuple[float, list[tuple[int, int]]]:
    """The DTW distance of ``a: (Ta, D)`` and ``b: (Tb, D)`` and the cheapest walk itself.

    Returns ``(distance, path)``: the walk's cost over ``Ta + Tb``, and the list of frame pairs ``(i, j)``
    (0-based, ``a[i]`` with ``b[j]``) it visits, from ``(0, 0)`` to ``(Ta - 1, Tb - 1)``. The plain version:
    two loops fill the table one cell at a time (see the module's docstring); then the walk is found
    backwards from the last cell, always to the cheapest of the three cells it could have come from.
    """
    a, b = _check_pair(a, b)
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)       # (Ta, Tb)
    D = np.full((len(a) + 1, len(b) + 1), np.inf)                        # row and column 0: the border
    D[0, 0] = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            D[i, j] = cost[i - 1, j - 1] + min(D[i - 1, j], D[i, j - 1], D[i - 1, j - 1])
    i, j = len(a), len(b)
    path = [(i - 1, j - 1)]
    while (i, j) != (1, 1):
        i, j = min([(i - 1, j - 1), (i - 1, j), (i, j - 1)], key=lambda cell: D[cell])
        path.append((i - 1, j - 1))
    return float(D[-1, -1] / (len(a) + len(b))), path[::-1]


def dtw_distance(a, b) -> float:
    """DTW distance between ``a: (Ta, D)`` and ``b: (Tb, D)``: the cheapest walk's cost over ``Ta + Tb``."""
    return dtw_path(a, b)[0]


def dtw_distances(query, templates) -> np.ndarray:
    """DTW distances from one ``query: (Tq, D)`` to each of ``templates`` (a list of ``(T_k, D)``): ``(K,)``.

    The same recurrence as :func:`dtw_distance`, run for all templates at once: each cell ``D[i, j]`` is a
    vector over the templates, so the two Python loops run once instead of once per template (NumPy does
    the K-fold work). Templates shorter than the longest are padded with frames of infinite cost, and each
    template's result is read at its own last frame.
    """
    query = np.asarray(query, np.float64)
    lengths = np.array([len(t) for t in templates])
    if query.ndim != 2 or not len(query) or not len(templates) or lengths.min() == 0:
        raise ValueError("dtw_distances needs a non-empty (T, D) query and non-empty (T_k, D) templates.")
    K, T = len(templates), int(lengths.max())
    padded = np.zeros((K, T, query.shape[1]))
    for k, t in enumerate(templates):
        padded[k, :len(t)] = t
    # ||q_i - t_j||² = ||q_i||² + ||t_j||² - 2 q_i·t_j: one matrix product instead of a (K, Tq, T, D) array
    squared = (query ** 2).sum(1)[None, :, None] + (padded ** 2).sum(2)[:, None, :] \
        - 2 * np.einsum("id,ktd->kit", query, padded)
    cost = np.sqrt(np.maximum(squared, 0.0))                             # (K, Tq, T)
    cost = np.where(np.arange(T)[None, None, :] < lengths[:, None, None], cost, np.inf)
    D = np.full((len(query) + 1, T + 1, K), np.inf)
    D[0, 0] = 0.0
    cost = cost.transpose(1, 2, 0)                                       # (Tq, T, K): one vector per cell
    for i in range(1, len(query) + 1):
        for j in range(1, T + 1):
            D[i, j] = cost[i - 1, j - 1] + np.minimum(np.minimum(D[i - 1, j], D[i, j - 1]), D[i - 1, j - 1])
    return D[-1, lengths, np.arange(K)] / (len(query) + lengths)


class TemplateMatcher:
    """Nearest-neighbour recognition by DTW against stored templates.

    fit(seqs, labels, groups, per_group=3, seed=0): keep ``per_group`` random examples of each (label, group)
    pair, e.g. 3 recordings of every digit from every training speaker. predict(seqs): the label of the
    nearest template for each ``(T, D)`` sequence.
    """

    def fit(self, seqs, labels, groups=None, *, per_group: int = 3, seed: int = 0) -> "TemplateMatcher":
        labels = np.asarray(labels)
        groups = np.zeros(len(labels), int) if groups is None else np.asarray(groups)
        if len(seqs) != len(labels) or len(groups) != len(labels) or not len(labels):
            raise ValueError("fit needs one label (and one group) per sequence, and at least one sequence.")
        rng = np.random.default_rng(seed)
        keep = []
        for key in sorted(set(zip(labels.tolist(), groups.tolist()))):
            rows = np.flatnonzero((labels == key[0]) & (groups == key[1]))
            keep += sorted(rng.choice(rows, size=min(per_group, len(rows)), replace=False).tolist())
        self.templates = [np.asarray(seqs[k], np.float64) for k in keep]
        self.template_labels = labels[keep]
        return self

    def predict(self, seqs) -> np.ndarray:
        if not hasattr(self, "templates"):
            raise RuntimeError("TemplateMatcher.predict was called before fit.")
        return np.array([self.template_labels[np.argmin(dtw_distances(x, self.templates))] for x in seqs])
