"""Build test sets of voices and sounds far from FSDD's six men, for benchmarks/open_set.py (issues 13, 14).

    python benchmarks/far_voices.py OUT_DIR        # needs espeak-ng (Debian: apt-get install -y espeak-ng)

Writes WAV files named by what they are (nothing is committed; the folder is yours):

* ``digit_{d}_{voice}_{speed}_{pitch}.wav``: the ten digits spoken by a speech synthesizer with male and
  female voices, several English accents, two speeds and three pitches: voices no FSDD speaker has;
* ``word_{word}_{voice}_{speed}_{pitch}.wav``: words that are not digits, same voices;
* ``tone_*``, ``chirp_*``, ``noise_*``, ``music_*``, ``hum_*``, ``clicks_*``, ``rumble_*``: sounds that are not
  speech at all (16 kHz, so the recognizer's resampling is exercised too).
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf

from rnnlib import audio

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
WORDS = ["hello", "cat", "yes", "no", "table", "house", "water", "apple", "green", "music", "stop", "go", "left",
         "right", "up", "down", "on", "off", "dog", "bird", "happy", "tree", "ten", "eleven", "twelve"]
VOICES = ["en-us", "en-gb", "en-us+f3", "en-gb+f2", "en-us+m3", "en-gb-scotland", "en-us+f4"]
SPEEDS = (130, 170)            # words per minute
PITCHES = (30, 50, 80)         # espeak-ng's 0-99 pitch scale


def speak(text: str, path: Path, voice: str, speed: int, pitch: int) -> None:
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(path), text], check=True)


def non_speech(out: Path, sr: int = 16000) -> None:
    for f in (110, 220, 440, 880, 1500, 3000):
        for seconds in (0.5, 1.0):
            sf.write(out / f"tone_{f}_{seconds}.wav", audio.sine(f, seconds, sr, amplitude=0.5), sr)
    for i, (f0, f1) in enumerate([(100, 3000), (3000, 200), (300, 900), (500, 4000)]):
        sf.write(out / f"chirp_{i}.wav", audio.chirp(f0, f1, 0.8, sr, amplitude=0.5), sr)
    for i in range(8):
        sf.write(out / f"noise_{i}.wav", audio.white_noise(0.3 + 0.15 * i, sr, amplitude=0.2, seed=i), sr)
    t = np.arange(sr) / sr
    for i in range(4):                                   # a few notes switched on and off: a bit of "music"
        notes = [262, 330, 392, 523][: i + 1]
        y = sum(0.15 * np.sin(2 * np.pi * f * t) * ((t * (2 + j)) % 1 < 0.5) for j, f in enumerate(notes))
        sf.write(out / f"music_{i}.wav", y.astype(np.float32), sr)
    for i, mains in enumerate((50, 60)):                 # mains hum with its harmonics
        y = sum(0.2 / k * np.sin(2 * np.pi * k * mains * t) for k in (1, 2, 3, 5))
        sf.write(out / f"hum_{mains}.wav", y.astype(np.float32), sr)
    for i, rate in enumerate((2, 5, 11)):                # clicks, as of tapping on the microphone
        y = np.zeros(sr, np.float32)
        y[(np.arange(rate) * sr // rate) + 100] = 0.8
        sf.write(out / f"clicks_{rate}.wav", np.convolve(y, np.exp(-np.arange(80) / 10.0))[:sr].astype(np.float32), sr)
    rng = np.random.default_rng(0)
    for i in range(3):                                   # brown noise: rumble, wind on the microphone
        y = np.cumsum(rng.standard_normal(int(sr * (0.5 + 0.25 * i))))
        y = y - np.linspace(y[0], y[-1], len(y))
        sf.write(out / f"rumble_{i}.wav", (0.5 * y / np.max(np.abs(y))).astype(np.float32), sr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        raise SystemExit("error: espeak-ng is not installed (Debian: apt-get install -y espeak-ng).")
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    k = 0
    for voice in VOICES:
        for speed in SPEEDS:
            for pitch in PITCHES:
                for d, word in enumerate(DIGITS):
                    speak(word, out / f"digit_{d}_{voice}_{speed}_{pitch}.wav", voice, speed, pitch)
                for word in WORDS[k % 5::5]:                  # five different words per voice setting
                    speak(word, out / f"word_{word}_{voice}_{speed}_{pitch}.wav", voice, speed, pitch)
                k += 1
    non_speech(out)
    print(f"{len(list(out.glob('*.wav')))} files in {out}")


if __name__ == "__main__":
    main()
