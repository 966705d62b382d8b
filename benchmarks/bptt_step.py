"""Time one forward + backward pass of rnnlib's recurrent layers against PyTorch's, in one run.

    python benchmarks/bptt_step.py [--repeats 30] [--threads 2]

Shapes: B=64, T=50, D=20, H=64, float32 (the course's training setting). Both sides get the same
number of threads and the same random inputs, and are timed as the best median of several rounds
that alternate between them, so a busy moment on the machine does not decide the ratio.
PyTorch is optional: without it only rnnlib's time is printed.

The thread count matters for the comparison: PyTorch's LSTM is one compiled kernel per step that
splits all of its work over the cores, while NumPy parallelizes only the matrix products (through
BLAS) and runs every elementwise step on one core. Compare ``--threads 1`` with ``--threads 2``.
"""
from __future__ import annotations

import argparse
import os
import time

B, T, D, H = 64, 50, 20, 64


def _median(fn, repeats: int) -> float:
    """The median time of ``repeats`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _best_medians(fns, repeats: int, rounds: int = 5, settle: float = 0.2) -> list[float]:
    """For each of ``fns``, the best over ``rounds`` of the median of ``repeats`` calls, in seconds.

    Rounds alternate between the functions, with a pause before each, so a busy moment on the
    machine hits both sides alike, and the idle worker threads one library leaves spinning (OpenBLAS
    and OpenMP both spin for a while before they sleep) do not steal the cores from the other.
    """
    best = [float("inf")] * len(fns)
    for fn in fns:
        fn()  # warm-up
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            time.sleep(settle)
            best[k] = min(best[k], _median(fn, repeats))
    return best


def _rnnlib_step(layer_cls, x, dout):
    layer = layer_cls(D, H, seed=0, dtype=x.dtype)

    def step():
        layer.forward(x)
        layer.backward(dout)

    return step


def _torch_step(module_cls, x, dout):
    import torch

    module = module_cls(D, H, batch_first=True)
    xt, dt = torch.from_numpy(x).requires_grad_(), torch.from_numpy(dout)

    def step():
        out, _ = module(xt)
        module.zero_grad(set_to_none=True)
        xt.grad = None
        out.backward(dt)

    return step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    import numpy as np

    from rnnlib import layers

    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None

    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, D)).astype(np.float32)
    dout = rng.standard_normal((B, T, H)).astype(np.float32)
    print(f"forward + backward, B={B} T={T} D={D} H={H} float32, {args.threads} threads, "
          f"best median of {args.repeats} calls")
    print(f"{'layer':<6} {'rnnlib (ms)':>12} {'torch (ms)':>11} {'ratio':>7}")
    pairs = [("RNN", "RNN")] + [(name, name) for name in ("LSTM", "GRU") if hasattr(layers, name)]
    for ours_name, torch_name in pairs:
        ours = _rnnlib_step(getattr(layers, ours_name), x, dout)
        if torch is None:
            (t_ours,) = _best_medians([ours], args.repeats)
            print(f"{ours_name:<6} {t_ours * 1e3:12.2f} {'-':>11} {'-':>7}")
            continue
        t_ours, t_theirs = _best_medians([ours, _torch_step(getattr(torch.nn, torch_name), x, dout)], args.repeats)
        print(f"{ours_name:<6} {t_ours * 1e3:12.2f} {t_theirs * 1e3:11.2f} {t_ours / t_theirs:6.2f}x")


if __name__ == "__main__":
    main()
