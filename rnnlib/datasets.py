"""The Free Spoken Digit Dataset (FSDD): find it, download it, verify it, split it.

FSDD (CC BY-SA 4.0, Zenodo DOI 10.5281/zenodo.1342401) holds mono 8 kHz recordings of the
digits 0–9 named ``{digit}_{speaker}_{index}.wav``. Where the recordings come from:

1. the folder named by the environment variable ``RNNLIB_FSDD_DIR`` (a folder holding
   ``recordings/``, or the recordings themselves), if it is set;
2. otherwise the per-user cache, downloading the pinned public archive (tag v1.0.10) once.

Every recording is checked against ``rnnlib/fsdd_sha256.txt`` (the sha256 of all 3,000 public
files), so a truncated or edited file is named rather than silently used. Nothing here assumes
how many speakers or files there are.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FSDD_VERSION", "ENV_DIR", "ENV_CACHE", "FSDDNotFoundError", "FSDDCorruptError", "Recording",
           "parse_name", "load_checksums", "sha256", "verify", "cache_dir", "list_recordings", "locate",
           "download_fsdd", "official_split", "speakers", "speaker_split", "find"]

FSDD_VERSION = "v1.0.10"
FSDD_ARCHIVE_URL = ("https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/"
                    f"{FSDD_VERSION}.tar.gz")
ENV_DIR = "RNNLIB_FSDD_DIR"
ENV_CACHE = "RNNLIB_CACHE_DIR"
CHECKSUMS_FILE = Path(__file__).resolve().parent / "fsdd_sha256.txt"   # shipped inside the package
TEST_INDICES = range(0, 5)
"""FSDD's official split: index 0–4 of every digit and speaker is test, 5–49 is train."""

_NAME = re.compile(r"^(?P<digit>[0-9])_(?P<speaker>[A-Za-z0-9-]+)_(?P<index>[0-9]+)\.wav$")


class FSDDNotFoundError(FileNotFoundError):
    """No copy of FSDD could be found or downloaded."""


class FSDDCorruptError(ValueError):
    """A recording does not match its published sha256 (truncated, edited or a bad download)."""


@dataclass(frozen=True, order=True)
class Recording:
    """One FSDD file: where it is and what its name says."""

    digit: int
    speaker: str
    index: int
    path: Path

    @property
    def is_test(self) -> bool:
        """True if the official split puts this recording in the test set."""
        return self.index in TEST_INDICES


def parse_name(name: str) -> tuple[int, str, int]:
    """Split ``'{digit}_{speaker}_{index}.wav'`` into ``(digit, speaker, index)``; ``ValueError`` if it does not
    parse."""
    match = _NAME.match(Path(name).name)
    if not match:
        raise ValueError(
            f"{name!r} is not an FSDD file name: expected '{{digit}}_{{speaker}}_{{index}}.wav', "
            "e.g. '7_jackson_32.wav'. Rename it, or move it out of the recordings folder."
        )
    return int(match["digit"]), match["speaker"], int(match["index"])


def load_checksums(path: Path = CHECKSUMS_FILE) -> dict[str, str]:
    """The published sha256 of every public recording: ``{file name: hex digest}``."""
    if not path.exists():
        raise FileNotFoundError(f"The checksum list {path} is missing: reinstall rnnlib "
                                "(pip install -r requirements.txt from the course's folder).")
    sums = {}
    for line in path.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.strip().lstrip("*")] = digest
    return sums


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify(paths, checksums: dict[str, str] | None = None) -> None:
    """Raise :class:`FSDDCorruptError` naming every file whose sha256 differs from the published one.

    Files whose names are not in the published list (recordings you added yourself) cannot be
    checked and are accepted as they are.
    """
    checksums = load_checksums() if checksums is None else checksums
    bad = [Path(p) for p in paths if Path(p).name in checksums and sha256(p) != checksums[Path(p).name]]
    if bad:
        shown = ", ".join(str(p) for p in bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise FSDDCorruptError(
            f"{len(bad)} recording(s) do not match their published sha256 (truncated, edited or a bad "
            f"download): {shown}. Replace them with fresh copies, or delete the folder and let "
            "rnnlib download the dataset again."
        )


def cache_dir() -> Path:
    """Where downloads are kept: ``$RNNLIB_CACHE_DIR``, else the per-user cache (e.g. ``~/.cache/rnnlib``)."""
    import pooch

    return Path(os.environ.get(ENV_CACHE) or pooch.os_cache("rnnlib")).expanduser()


def _recordings_folder(root: Path) -> Path:
    """Accept a folder holding ``recordings/`` or the recordings themselves."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise FSDDNotFoundError(f"{root} is not a folder. Point {ENV_DIR} at the folder of the FSDD "
                                "checkout (the one holding recordings/), or unset it to download FSDD.")
    inner = root / "recordings"
    return inner if inner.is_dir() else root


def list_recordings(root=None, *, verify_checksums: bool = True) -> list[Recording]:
    """Every recording of a copy of FSDD, sorted by (digit, speaker, index).

    root: a folder (holding ``recordings/`` or the WAV files); default :func:`locate`.
    Raises ``ValueError`` for a WAV whose name does not parse, :class:`FSDDNotFoundError` for a
    folder with no recordings, :class:`FSDDCorruptError` for a file that fails its checksum.
    """
    folder = _recordings_folder(Path(root) if root is not None else locate())
    wavs = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".wav")
    if not wavs:
        raise FSDDNotFoundError(
            f"No .wav recordings in {folder}. Point {ENV_DIR} at the FSDD folder that holds "
            "recordings/ (or unset it to download FSDD)."
        )
    recordings = []
    for p in wavs:
        try:
            digit, speaker, index = parse_name(p.name)
        except ValueError as err:
            raise ValueError(f"In {folder}: {err}") from None
        recordings.append(Recording(digit, speaker, index, p))
    if verify_checksums:
        verify([r.path for r in recordings])
    return sorted(recordings)


def locate(*, download: bool = True, progress: bool = True) -> Path:
    """The folder of FSDD recordings to use: ``$RNNLIB_FSDD_DIR`` if set, else the cache (downloading once)."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        return _recordings_folder(Path(configured))
    cached = cache_dir() / f"fsdd-{FSDD_VERSION}" / "recordings"
    if cached.is_dir() and any(cached.glob("*.wav")):
        return cached
    if not download:
        raise FSDDNotFoundError(f"FSDD is not in the cache ({cached}) and download=False. Set {ENV_DIR} "
                                "to a copy of the dataset, or call locate() with download=True.")
    return download_fsdd(progress=progress)


def download_fsdd(url: str | None = None, dest=None, *, progress: bool = True) -> Path:
    """Download the pinned FSDD archive, extract its recordings, verify each, and return their folder.

    url: the archive (``.tar.gz``; default :data:`FSDD_ARCHIVE_URL`). dest: the cache folder
    (default :func:`cache_dir`).
    A second call finds the files already there and downloads nothing. If a file fails its
    checksum the extraction is deleted (so the next call starts clean) and
    :class:`FSDDCorruptError` names it.
    """
    import pooch
    import requests

    url = url or FSDD_ARCHIVE_URL
    dest = Path(dest) if dest is not None else cache_dir()
    target = dest / f"fsdd-{FSDD_VERSION}"
    recordings = target / "recordings"
    if recordings.is_dir() and any(recordings.glob("*.wav")):
        return recordings
    dest.mkdir(parents=True, exist_ok=True)
    archive_name = f"fsdd-{FSDD_VERSION}.tar.gz"
    pooch.get_logger().setLevel("WARNING")
    try:
        # GitHub's generated archives are not byte-stable, so no hash for the archive itself:
        # each extracted recording is verified against the published list instead.
        archive = Path(pooch.retrieve(url, known_hash=None, fname=archive_name, path=dest,
                                      progressbar=progress))
    except (requests.exceptions.RequestException, OSError) as err:
        raise FSDDNotFoundError(
            f"Could not download FSDD from {url} ({type(err).__name__}: {err}). Check your internet "
            f"connection and try again; or, if you already have a copy of FSDD, set {ENV_DIR} to its folder."
        ) from None
    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _extract_recordings(archive, tmp / "recordings")
        verify(sorted((tmp / "recordings").glob("*.wav")))
    except (FSDDCorruptError, tarfile.TarError, EOFError, OSError) as err:
        shutil.rmtree(tmp, ignore_errors=True)
        archive.unlink(missing_ok=True)
        if isinstance(err, FSDDCorruptError):
            raise FSDDCorruptError(f"{err} The download was removed from {dest}; run again to download "
                                   "afresh.") from None
        raise FSDDCorruptError(f"The downloaded archive {archive} is damaged ({err}); it was removed. "
                               "Run again to download afresh.") from None
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    archive.unlink(missing_ok=True)  # keep only the verified recordings
    return recordings


def _extract_recordings(archive: Path, out: Path) -> None:
    """Copy every ``*/recordings/*.wav`` member of ``archive`` into ``out`` (flat)."""
    out.mkdir(parents=True, exist_ok=True)
    found = 0
    with tarfile.open(archive, "r:*") as tar:
        for member in tar:
            parts = Path(member.name).parts
            if member.isfile() and len(parts) >= 2 and parts[-2] == "recordings" and parts[-1].endswith(".wav"):
                source = tar.extractfile(member)
                (out / parts[-1]).write_bytes(source.read())
                found += 1
    if not found:
        raise tarfile.TarError("it holds no recordings/*.wav files")


def official_split(recordings: list[Recording]) -> tuple[list[Recording], list[Recording]]:
    """FSDD's own split: ``(train, test)`` with index 5–49 in train and 0–4 in test."""
    train = [r for r in recordings if not r.is_test]
    test = [r for r in recordings if r.is_test]
    return train, test


def speakers(recordings: list[Recording]) -> list[str]:
    """The speakers present, sorted."""
    return sorted({r.speaker for r in recordings})


def speaker_split(recordings: list[Recording], test_speakers) -> tuple[list[Recording], list[Recording]]:
    """Split by voice: ``(train, test)`` where test holds every recording of ``test_speakers``.

    This is the honest test of a recognizer: it has never heard these voices.
    """
    test_speakers = {test_speakers} if isinstance(test_speakers, str) else set(test_speakers)
    present = set(speakers(recordings))
    missing = test_speakers - present
    if missing:
        raise ValueError(f"Speaker(s) {sorted(missing)} are not in this copy of FSDD; present: {sorted(present)}.")
    train = [r for r in recordings if r.speaker not in test_speakers]
    test = [r for r in recordings if r.speaker in test_speakers]
    return train, test


def find(recordings: list[Recording], *, digit=None, speaker=None, index=None) -> Recording:
    """The one recording with this digit, speaker and index (any of them may be left open: the first match)."""
    for r in recordings:
        if (digit is None or r.digit == digit) and (speaker is None or r.speaker == speaker) and \
                (index is None or r.index == index):
            return r
    raise ValueError(f"No recording with digit={digit}, speaker={speaker}, index={index} in this copy; "
                     f"speakers present: {speakers(recordings)}.")
