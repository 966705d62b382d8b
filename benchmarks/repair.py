"""Packet-loss concealment on speakers the RNN never heard: silence, repetition, LPC and the RNN gap filler.

    python benchmarks/repair.py [--folds 3] [--hidden 128] [--epochs 8] [--per-recording 6]

FSDD's speakers are split into ``--folds`` groups (every third speaker, in alphabetical order, for three
folds). For each fold, a GapFiller (rnnlib.models; a bidirectional GRU over 5 ms frames, 40 ms of context
on each side) trains on the other speakers' recordings, gaps of 20, 40 and 80 ms placed in speech; then
one gap per recording and length is cut into every recording of the held-out speakers and filled by each
method. Prints, per method and gap length, the SNR of the filled gap against the original (dB; silence
scores 0) and the log-spectral distance (dB; lower is better): mean ± standard deviation over the held-out
speakers (each speaker's mean over its gaps). Takes several minutes.
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
    return {"silence": repair.silence, "repeat previous packet": repair.repeat_previous,
            "LPC (before the gap)": repair.lpc_extrapolate, "LPC (both sides)": repair.lpc_both_sides,
            "RNN (both sides)": filler}


def score(waves, speakers, filler, gap: int, seed: int) -> dict:
    """(method, speaker) → list of (SNR dB, log-spectral distance dB), one gap per recording."""
    rng = np.random.default_rng(seed)
    out = {}
    for y, speaker in zip(waves, speakers):
        starts = repair.speech_gap_starts(y, gap, context=CLASSIC_CONTEXT, count=1, seed=rng)
        if not len(starts):
            continue
        s, truth = int(starts[0]), y[starts[0]:starts[0] + gap]
        for name, concealer in methods(filler).items():
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
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    speakers = datasets.speakers(recordings)
    waves = [audio.load(r.path)[0].astype(np.float64) for r in recordings]
    results = {}
    for fold in range(min(args.folds, len(speakers))):
        held = set(speakers[fold::args.folds])
        start = time.perf_counter()
        train_waves = [w for w, r in zip(waves, recordings) if r.speaker not in held]
        filler = models.GapFiller(frame=FRAME, hidden=args.hidden, context=CONTEXT_FRAMES, seed=args.seed)
        windows = {ms * SR // 1000 // FRAME: repair.gap_windows(train_waves, ms * SR // 1000, context=CONTEXT_FRAMES * FRAME,
                                                               per_recording=args.per_recording, seed=args.seed + ms)
                   for ms in GAPS_MS}
        history = train.fit_gap_filler(filler, windows, epochs=args.epochs, seed=args.seed, progress=False)
        test = [(w, r.speaker) for w, r in zip(waves, recordings) if r.speaker in held]
        for ms in GAPS_MS:
            for key, values in score(*zip(*test), filler, ms * SR // 1000, seed=1000 + ms).items():
                results[(ms,) + key] = values
        print(f"fold {fold}: held out {sorted(held)}; trained on {sum(len(w) for w in windows.values())} windows, "
              f"final loss {history['loss'][-1]:.4f}, {time.perf_counter() - start:.0f} s", flush=True)

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
    wins = {ms: np.mean([np.mean([v[0] for v in results[(ms, 'RNN (both sides)', s)]]) >
                         max(np.mean([v[0] for v in results[(ms, other, s)]]) for other in ("silence", "repeat previous packet"))
                         for s in speakers]) for ms in GAPS_MS}
    print("\nfraction of held-out speakers on whom the RNN beats both silence and repetition in mean SNR: "
          + ", ".join(f"{ms} ms: {w:.2f}" for ms, w in wins.items()))


if __name__ == "__main__":
    main()
