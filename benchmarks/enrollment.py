"""Teaching the recognizer a new voice (lesson 08, rnnlib.adaptation), measured by leaving each FSDD voice out.

    python benchmarks/enrollment.py [--seeds 0,1] [--shots 0,1,3] [--data DIR] [--models DIR] [--sets DIR]

For every speaker present and every seed: the course's recipe is trained on every recording of the other speakers
(a tenth held out for validation, as ``digits.train_recognizer`` does), or loaded from ``--models DIR`` if an
earlier run saved it there (``DIR/{speaker}_{seed}.npz``). Then, for each number of shots K, K recordings of every
digit are taken from the held-out voice (drawn with the seed), the fold's recognizer is adapted with them
(``adaptation.adapt``, on one core), and tested on all of that voice's other recordings. ``shots 0`` is the
recognizer as trained, for comparison.

Per fold it prints the accuracy of the *answer* (a "?" counts as wrong), the share answered "?", the accuracy of
the closest digit, and the seconds adaptation took; with ``--sets DIR`` (made by benchmarks/far_voices.py) also
the share of its non-digit sounds and words flagged "?". It ends with one line per K:

    shots K: mean 0.xxx worst 0.xxx unsure 0.xxx adapt_s N.N

the mean answer accuracy over all folds, the worst voice's (its mean over the seeds), the mean share answered
"?", and the longest adaptation in seconds. Training the folds takes about two minutes each on 2 cores.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from rnnlib import adaptation, audio, datasets, digits
from rnnlib.recognizer import Recognizer


def fold(recordings, speaker: str, seed: int, models: Path | None):
    """The fold's recognizer (trained, or loaded from ``models``), its training and validation recordings, the voice."""
    others, voice = datasets.speaker_split(recordings, speaker)
    fit, validation = digits.validation_split(others, digits.Recipe().validation_fraction, seed=seed)
    path = models / f"{speaker}_{seed}.npz" if models else None
    if path is not None and path.exists():
        recognizer = Recognizer.load(path)
    else:
        start = time.perf_counter()
        recognizer, _ = digits.train_recognizer(fit, digits.Recipe(), seed=seed, progress=False,
                                                validation=validation)
        print(f"  trained the fold without {speaker} (seed {seed}) in {time.perf_counter() - start:.0f} s",
              flush=True)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            recognizer.save(path)
    return recognizer, fit, validation, voice


def enrollment(voice, shots: int, seed: int):
    """``shots`` recordings of every digit of ``voice`` (drawn with ``seed``), and all the others."""
    rng = np.random.default_rng([seed, 7])
    chosen = [r for d in sorted({r.digit for r in voice})
              for r in rng.permutation([r for r in voice if r.digit == d])[:shots]]
    names = {r.path.name for r in chosen}
    return chosen, [r for r in voice if r.path.name not in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="FSDD folder (default: $RNNLIB_FSDD_DIR, else the downloaded copy)")
    parser.add_argument("--seeds", default="0,1", help="comma-separated training seeds (default 0,1)")
    parser.add_argument("--shots", default="0,1,3", help="recordings per digit to adapt with (default 0,1,3)")
    parser.add_argument("--models", type=Path, help="keep each fold's trained recognizer here, and reuse it")
    parser.add_argument("--sets", type=Path, help="benchmarks/far_voices.py's folder: also measure non-digits")
    args = parser.parse_args()
    recordings = datasets.list_recordings(args.data) if args.data else datasets.list_recordings()
    seeds = [int(s) for s in args.seeds.split(",")]
    shots_list = [int(k) for k in args.shots.split(",")]
    non_digits = ([p for p in sorted(args.sets.glob("*.wav")) if not p.name.startswith("digit_")]
                  if args.sets else [])
    results = {k: {} for k in shots_list}             # shots -> speaker -> list of (answered, unsure, seconds)
    for seed in seeds:
        for speaker in datasets.speakers(recordings):
            recognizer, fit, validation, voice = fold(recordings, speaker, seed, args.models)
            for shots in shots_list:
                chosen, test = enrollment(voice, shots, seed)
                seconds = 0.0
                adapted = recognizer
                if shots:
                    waves = [audio.load(r.path, recognizer.sample_rate) for r in chosen]
                    with threadpool_limits(1):
                        adapted, seconds = adaptation.adapt(recognizer, waves, [r.digit for r in chosen],
                                                            replay=adaptation.replay_sample(fit, seed=seed),
                                                            calibration=validation, seed=seed)
                result = digits.evaluate(adapted, test)
                answered = float(np.mean((result["predicted"] == result["truth"]) & ~result["unsure"]))
                line = (f"seed {seed} {speaker:9s} shots {shots}: answered right {answered:.3f}, "
                        f"unsure {result['unsure_share']:.3f}, closest right {result['accuracy']:.3f}, "
                        f"adapted in {seconds:.1f} s")
                if non_digits:
                    states, _ = adapted.states_and_probabilities([audio.load(p, adapted.sample_rate)
                                                                  for p in non_digits])
                    line += f", non-digits flagged {np.mean(adapted.novelty.is_unsure(states)):.3f}"
                print(line, flush=True)
                results[shots].setdefault(speaker, []).append((answered, result["unsure_share"], seconds))
    print()
    for shots, by_speaker in results.items():
        runs = np.array([run for speaker_runs in by_speaker.values() for run in speaker_runs])
        worst = min(np.mean([run[0] for run in speaker_runs]) for speaker_runs in by_speaker.values())
        print(f"shots {shots}: mean {runs[:, 0].mean():.3f} worst {worst:.3f} unsure {runs[:, 1].mean():.3f} "
              f"adapt_s {runs[:, 2].max():.1f}")


if __name__ == "__main__":
    main()
