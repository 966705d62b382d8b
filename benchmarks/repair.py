"""Packet-loss concealment on speakers the RNN never heard: the classic methods against the RNN gap filler.

    python benchmarks/repair.py [--folds 3] [--seeds 0,1,2] [--hidden 128] [--epochs 8] [--per-recording 6]

FSDD's speakers are split into ``--folds`` groups (every third speaker, in alphabetical order, for three
folds). For each fold and seed, a GapFiller (rnnlib.models; a bidirectional GRU over 5 ms frames, 40 ms of
context on each side) trains on the other speakers' recordings, gaps of 20, 40 and 80 ms placed in speech;
then one gap per recording and length is cut into every recording of the held-out speakers (the same gaps for
every method and seed) and filled by each method: silence, repetition of the last packet, linear prediction
with no excitation, pitch repetition after G.711 Appendix I, linear prediction excited by the last pitch
period, each of the last three also from both sides (what the RNN reads), and the RNN.

Prints, per method and gap length, the SNR of the filled gap against the original (dB; silence scores 0) and
the log-spectral distance (dB; lower is better): mean ± standard deviation over the held-out speakers (each
speaker's mean over its gaps; for the RNN, also over the seeds), then the RNN's spread over seeds. About 20
minutes with three seeds.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from rnnlib import audio, datasets, models, repair, train

SR = 8000
GAPS_MS = (20, 40, 80)
FRAME, CONTEXT_FRAMES = 40, 8               # 5 ms frames, 40 ms of context each side
CLASSIC_CONTEXT = 640                       # 80 ms before and after, for the classic methods


def methods(filler) -> dict:
    """Every concealer measured; "before the gap" ones could run in real time, "both sides" ones read what the RNN
    reads."""
    return {"silence": repair.silence, "repeat previous packet": repair.repeat_previous,
            "LPC, no excitation (before the gap)": repair.lpc_extrapolate,
            "LPC, no excitation (both sides)": repair.both_sides(repair.lpc_extrapolate),
            "pitch repetition, G.711 (before the gap)": repair.pitch_repeat,
            "pitch repetition, G.711 (both sides)": repair.both_sides(repair.pitch_repeat),
            "LPC + pitch excitation (before the gap)": repair.lpc_pitch_excited,
            "LPC + pitch excitation (both sides)": repair.both_sides(repair.lpc_pitch_excited),
            "RNN (both sides)": filler}


def score(waves, speakers, concealers: dict, gap: int, seed: int) -> dict:
    """(method, speaker) → list of (SNR dB, log-spectral distance dB), one gap per recording (placed by ``seed``)."""
    rng = np.random.default_rng(seed)
    out = {}
    for y, speaker in zip(waves, speakers):
        starts = repair.speech_gap_starts(y, gap, context=CLASSIC_CONTEXT, count=1, seed=rng)
        if not len(starts):
            continue
        s, truth = int(starts[0]), y[starts[0]:starts[0] + gap]
        for name, concealer in concealers.items():
            filled = repair.conceal(y, s, gap, concealer, context=CLASSIC_CONTEXT)[s:s + gap]
            out.setdefault((name, speaker), []).append((repair.snr_db(truth, filled),
                                                        repair.log_spectral_distance(truth, filled)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--per-recording", type=int, default=6, help="training gaps per recording and length")
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated RNN training seeds (default: 0,1,2)")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    rnn = "RNN (both sides)"

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    speakers = datasets.speakers(recordings)
    waves = [audio.load(r.path)[0].astype(np.float64) for r in recordings]
    results, per_seed = {}, {}
    for fold in range(min(args.folds, len(speakers))):
        held = set(speakers[fold::args.folds])
        train_waves = [w for w, r in zip(waves, recordings) if r.speaker not in held]
        test = [(w, r.speaker) for w, r in zip(waves, recordings) if r.speaker in held]
        for ms in GAPS_MS:                        # the classic methods are deterministic: once per fold
            classic = {name: f for name, f in methods(None).items() if name != rnn}
            for key, values in score(*zip(*test), classic, ms * SR // 1000, seed=1000 + ms).items():
                results[(ms,) + key] = values
        for seed in seeds:
            start = time.perf_counter()
            filler = models.GapFiller(frame=FRAME, hidden=args.hidden, context=CONTEXT_FRAMES, seed=seed)
            windows = {ms * SR // 1000 // FRAME: repair.gap_windows(train_waves, ms * SR // 1000,
                                                                   context=CONTEXT_FRAMES * FRAME,
                                                                   per_recording=args.per_recording, seed=seed + ms)
                       for ms in GAPS_MS}
            history = train.fit_gap_filler(filler, windows, epochs=args.epochs, seed=seed, progress=False)
            for ms in GAPS_MS:
                for (_, speaker), values in score(*zip(*test), {rnn: filler}, ms * SR // 1000, seed=1000 + ms).items():
                    results.setdefault((ms, rnn, speaker), []).extend(values)
                    per_seed[(ms, seed, speaker)] = np.mean([v[0] for v in values])
            print(f"fold {fold}, seed {seed}: held out {sorted(held)}; trained on "
                  f"{sum(len(w) for w in windows.values())} windows, final loss {history['loss'][-1]:.4f}, "
                  f"{time.perf_counter() - start:.0f} s", flush=True)

    names = list(methods(None))
    for column, label in ((0, "SNR of the filled gap (dB, higher is better; silence = 0)"),
                          (1, "log-spectral distance (dB, lower is better)")):
        print(f"\n{label}, mean ± standard deviation over {len(speakers)} held-out speakers:")
        print("| method | " + " | ".join(f"{ms} ms" for ms in GAPS_MS) + " |")
        print("|---|" + "---|" * len(GAPS_MS))
        for name in names:
            cells = []
            for ms in GAPS_MS:
                per_speaker = [np.mean([v[column] for v in results[(ms, name, s)]]) for s in speakers
                               if (ms, name, s) in results]
                cells.append(f"{np.mean(per_speaker):.2f} ± {np.std(per_speaker):.2f}")
            print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nthe RNN's mean SNR over the six speakers, per seed: " + "; ".join(
        f"{ms} ms: " + ", ".join(f"{np.mean([per_seed[(ms, seed, s)] for s in speakers]):.2f}" for seed in seeds)
        for ms in GAPS_MS))
    for ms in GAPS_MS:
        best = {}
        for s in speakers:
            means = {name: np.mean([v[0] for v in results[(ms, name, s)]]) for name in names}
            winner = max(means, key=means.get)
            best[winner] = best.get(winner, 0) + 1
        print(f"best mean SNR per held-out speaker, {ms} ms: " + ", ".join(f"{n} ({k})" for n, k in best.items()))


if __name__ == "__main__":
    main()
