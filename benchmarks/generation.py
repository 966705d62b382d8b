"""Free-running generation (lesson 10): averaging (MSE) against sampling μ-law classes, over seeds and prompts.

    python benchmarks/generation.py [--seeds 0,1,2] [--prompts 8]

For each seed, two generators are trained on the lesson's voiced sounds exactly as lesson 10 trains them: a GRU
of 48 units with a one-number readout and the squared error (500 teacher-forced steps), and a GRU of 64 units
with a 256-class readout over μ-law classes and cross-entropy (600 steps). Each continues ``--prompts`` new sounds
after a 25 ms prompt, for 0.5 s: the MSE model by feeding back its predictions, the sampler by drawing each
sample at temperatures 1.0 and 0.7.

Prints, per generator and over all seeds and prompts: the RMS level of the 0.5 s continuation relative to its
prompt's (1: as loud; 0: silence), and how periodic its last quarter second is: the height of the autocorrelation
peak at lags of 30–80 samples (100–267 Hz; 1 for a perfectly repeating wave), and the pitch that peak gives,
relative to the prompt's true pitch.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from rnnlib import audio, layers, optim, tasks, train

SR, PROMPT, LENGTH = 8000, 200, 4000


def periodicity(y: np.ndarray) -> tuple[float, float]:
    """(autocorrelation peak height, its lag in samples) of ``y: (N,)`` over lags 30-80."""
    y = y - y.mean()
    ac = np.correlate(y, y, "full")[len(y) - 1:]
    ac = ac / (ac[0] + 1e-12)
    lag = 30 + int(np.argmax(ac[30:81]))
    return float(ac[lag]), lag


def train_both(seed: int):
    waves = tasks.voiced_waves(512, 301, seed=0)
    rng = np.random.default_rng(seed)
    rnn, readout = layers.GRU(1, 48, seed=seed, dtype=np.float32), layers.Dense(48, 1, seed=seed + 1, dtype=np.float32)
    optimizer = optim.Adam([rnn, readout], lr=3e-3)
    for _ in range(500):
        train.teacher_forced_step(rnn, readout, optimizer, waves[rng.choice(512, 32, replace=False)])
    classes = audio.mu_law_encode(waves)
    s_rnn, s_out = layers.GRU(1, 64, seed=seed, dtype=np.float32), layers.Dense(64, 256, seed=seed + 1,
                                                                                 dtype=np.float32)
    optimizer = optim.Adam([s_rnn, s_out], lr=3e-3)
    for _ in range(600):
        train.sampled_step(s_rnn, s_out, optimizer, classes[rng.choice(512, 32, replace=False)], audio.mu_law_decode)
    return (rnn, readout), (s_rnn, s_out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--prompts", type=int, default=8)
    args = parser.parse_args()
    rows = {"averaging (MSE)": [], "sampling, T = 1.0": [], "sampling, T = 0.7": []}
    for seed in (int(s) for s in args.seeds.split(",")):
        start = time.perf_counter()
        (rnn, readout), (s_rnn, s_out) = train_both(seed)
        sounds = tasks.voiced_waves(args.prompts, PROMPT + LENGTH, seed=100 + seed)
        for k, wave in enumerate(sounds):
            prompt, rest = wave[:PROMPT], wave[PROMPT:]
            true_height, true_lag = periodicity(rest[-2000:])
            made = {"averaging (MSE)": train.generate(rnn, readout, prompt, LENGTH)}
            for temperature in (1.0, 0.7):
                made[f"sampling, T = {temperature}"] = train.generate_by_sampling(
                    s_rnn, s_out, prompt, LENGTH, encode=audio.mu_law_encode, decode=audio.mu_law_decode,
                    temperature=temperature, rng=[seed, k])
            for name, y in made.items():
                height, lag = periodicity(y[-2000:])
                level = audio.rms(y) / audio.rms(prompt)
                rows[name].append((level, height, true_lag / lag))
        print(f"seed {seed}: trained and generated in {time.perf_counter() - start:.0f} s", flush=True)
    print(f"\n{len(rows['averaging (MSE)'])} continuations of 0.5 s each:")
    print(f"{'generator':20s} | {'level (RMS ratio)':>24s} | {'periodicity':>22s} | {'pitch / prompt':>20s}")
    for name, values in rows.items():
        v = np.array(values)
        cells = [f"{v[:, j].mean():.2f} ({v[:, j].min():.2f}–{v[:, j].max():.2f})" for j in range(3)]
        print(f"{name:20s} | {cells[0]:>24s} | {cells[1]:>22s} | {cells[2]:>20s}")


if __name__ == "__main__":
    main()
