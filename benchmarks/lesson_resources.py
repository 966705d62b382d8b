"""How long each lesson takes to run, and how much memory its kernel needs: figures for sizing a class's server.

    python benchmarks/lesson_resources.py [--cores 2,1] [NOTEBOOK ...]

Executes every lesson (default: all of notebooks/) top to bottom in a fresh kernel, once per core count,
and prints the wall time and the kernel's peak memory (resident set size, sampled every 0.1 s). With one
core the kernel is pinned to a single CPU and BLAS uses one thread, as on a free hosted notebook.
Nothing is written back to the notebooks. Run it on a quiet machine: another heavy process skews the times.
"""
from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path

import psutil

from rnnlib.course import notebooks


def run(path: Path, cores: int) -> tuple[float, float]:
    """Execute ``path`` on ``cores`` CPUs; returns ``(seconds, peak kernel memory in MiB)``."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    threads = str(cores)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
    env.pop("MPLBACKEND", None)
    nb = notebooks.read(path)
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env=env, cwd=str(path.parent))
    kernel = psutil.Process(manager.provisioner.process.pid)
    kernel.cpu_affinity(list(range(cores)))
    peak, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            try:
                peak[0] = max(peak[0], sum(p.memory_info().rss for p in [kernel, *kernel.children(recursive=True)]))
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    client = NotebookClient(nb, km=manager, timeout=1200, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        with client.setup_kernel():
            client.execute()
    finally:
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return seconds, peak[0] / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", default="2,1", help="comma-separated core counts (default: 2,1)")
    parser.add_argument("notebooks", nargs="*", help="lessons to run (default: every lesson)")
    args = parser.parse_args()
    paths = [Path(p) for p in args.notebooks] or notebooks.lessons()
    cores = [int(c) for c in args.cores.split(",")]
    print(f"{'lesson':42s}" + "".join(f"{f'{c} core' + ('s' if c > 1 else ''):>22s}" for c in cores))
    for path in paths:
        row = f"{path.name:42s}"
        for c in cores:
            seconds, mib = run(path, c)
            row += f"{seconds:9.0f} s {mib:7.0f} MiB  "
        print(row, flush=True)


if __name__ == "__main__":
    main()
