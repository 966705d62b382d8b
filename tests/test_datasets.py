import http.server
import io
import shutil
import tarfile
import threading
from functools import partial
from pathlib import Path

import pytest

from rnnlib import datasets

PREFIX = "free-spoken-digit-dataset-1.0.10"


# ---------------------------------------------------------------- the local copy (RNNLIB_FSDD_DIR)

def test_lists_and_verifies_the_configured_copy(fsdd_dir):
    recs = datasets.list_recordings(fsdd_dir)
    on_disk = sorted((fsdd_dir / "recordings").glob("*.wav"))
    assert len(recs) == len(on_disk) > 0
    assert {r.digit for r in recs} == set(range(10))
    train, test = datasets.official_split(recs)
    assert len(train) + len(test) == len(recs)
    assert all(r.index < 5 for r in test) and all(r.index >= 5 for r in train)


def test_accepts_the_recordings_folder_itself_and_the_environment(fsdd_dir, monkeypatch):
    direct = datasets.list_recordings(fsdd_dir / "recordings", verify_checksums=False)
    monkeypatch.setenv("RNNLIB_FSDD_DIR", str(fsdd_dir))
    assert datasets.locate() == fsdd_dir / "recordings"
    assert [r.path.name for r in datasets.list_recordings(verify_checksums=False)] == [r.path.name for r in direct]


def test_speaker_split_keeps_voices_apart(fsdd_dir):
    recs = datasets.list_recordings(fsdd_dir, verify_checksums=False)
    held_out = datasets.speakers(recs)[0]
    train, test = datasets.speaker_split(recs, held_out)
    assert {r.speaker for r in test} == {held_out}
    assert held_out not in {r.speaker for r in train}
    assert len(train) + len(test) == len(recs)
    with pytest.raises(ValueError, match="not in this copy"):
        datasets.speaker_split(recs, "nobody")


def test_parse_name():
    assert datasets.parse_name("7_jackson_32.wav") == (7, "jackson", 32)
    with pytest.raises(ValueError, match="not an FSDD file name"):
        datasets.parse_name("seven.wav")


def _copy_some(fsdd_dir: Path, dest: Path, n: int = 6) -> list[Path]:
    dest.mkdir(parents=True)
    sources = sorted((fsdd_dir / "recordings").glob("*.wav"))[:n]
    return [Path(shutil.copy(p, dest / p.name)) for p in sources]


def test_truncated_file_is_named(fsdd_dir, tmp_path):
    files = _copy_some(fsdd_dir, tmp_path / "recordings")
    files[2].write_bytes(files[2].read_bytes()[:100])
    with pytest.raises(datasets.FSDDCorruptError, match=files[2].name):
        datasets.list_recordings(tmp_path)


def test_file_whose_name_does_not_parse_is_named(fsdd_dir, tmp_path):
    files = _copy_some(fsdd_dir, tmp_path / "recordings")
    files[0].rename(files[0].with_name("my recording.wav"))
    with pytest.raises(ValueError, match="my recording.wav"):
        datasets.list_recordings(tmp_path)


def test_folder_without_recordings(tmp_path, monkeypatch):
    (tmp_path / "recordings").mkdir()
    with pytest.raises(datasets.FSDDNotFoundError, match="No .wav recordings"):
        datasets.list_recordings(tmp_path)
    monkeypatch.setenv("RNNLIB_FSDD_DIR", str(tmp_path / "does-not-exist"))
    with pytest.raises(datasets.FSDDNotFoundError, match="not a folder"):
        datasets.list_recordings()


def test_own_recordings_not_in_the_published_list_are_accepted(fsdd_dir, tmp_path):
    files = _copy_some(fsdd_dir, tmp_path / "recordings", n=2)
    shutil.copy(files[0], tmp_path / "recordings" / "3_me_0.wav")
    recs = datasets.list_recordings(tmp_path)
    assert "me" in datasets.speakers(recs)


# ---------------------------------------------------------------- the download, served on 127.0.0.1

def _archive(fsdd_dir: Path, path: Path, *, tamper: str | None = None, n: int = 40) -> list[str]:
    """A .tar.gz laid out like GitHub's archive of the FSDD tag, from some files of the local copy."""
    names = []
    with tarfile.open(path, "w:gz") as tar:
        readme = b"Free Spoken Digit Dataset\n"
        info = tarfile.TarInfo(f"{PREFIX}/README.md"); info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
        for wav in sorted((fsdd_dir / "recordings").glob("*.wav"))[::50][:n]:
            data = wav.read_bytes()
            if wav.name == tamper:
                data = data[:-10] + bytes(10)
            info = tarfile.TarInfo(f"{PREFIX}/recordings/{wav.name}"); info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            names.append(wav.name)
    return names


class _Server:
    """A static file server on 127.0.0.1 for the duration of a test; counts the requests it answers."""

    def __init__(self, root: Path):
        outer = self
        self.requests = 0

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_download_extracts_verifies_and_caches(fsdd_dir, tmp_path):
    served = tmp_path / "served"; served.mkdir()
    names = _archive(fsdd_dir, served / "v1.0.10.tar.gz")
    cache = tmp_path / "cache"
    with _Server(served) as server:
        folder = datasets.download_fsdd(f"{server.url}/v1.0.10.tar.gz", cache, progress=False)
        assert sorted(p.name for p in folder.glob("*.wav")) == sorted(names)
        assert server.requests == 1
        again = datasets.download_fsdd(f"{server.url}/v1.0.10.tar.gz", cache, progress=False)
        assert again == folder and server.requests == 1  # cached: nothing downloaded twice
    recs = datasets.list_recordings(folder)
    assert len(recs) == len(names)
    assert not list(cache.glob("*.tar.gz"))  # only the verified recordings are kept


def test_locate_downloads_into_the_user_cache_when_nothing_is_configured(fsdd_dir, tmp_path, monkeypatch):
    served = tmp_path / "served"; served.mkdir()
    _archive(fsdd_dir, served / "fsdd.tar.gz", n=5)
    monkeypatch.delenv("RNNLIB_FSDD_DIR", raising=False)
    monkeypatch.setenv("RNNLIB_CACHE_DIR", str(tmp_path / "cache"))
    with _Server(served) as server:
        monkeypatch.setattr(datasets, "FSDD_ARCHIVE_URL", f"{server.url}/fsdd.tar.gz")
        folder = datasets.locate(progress=False)
    assert folder.is_relative_to(tmp_path / "cache") and len(list(folder.glob("*.wav"))) == 5
    assert datasets.locate(download=False) == folder


def test_tampered_download_is_named_and_removed(fsdd_dir, tmp_path):
    served = tmp_path / "served"; served.mkdir()
    names = _archive(fsdd_dir, served / "a.tar.gz", tamper=None)
    victim = names[3]
    _archive(fsdd_dir, served / "a.tar.gz", tamper=victim)
    cache = tmp_path / "cache"
    with _Server(served) as server:
        with pytest.raises(datasets.FSDDCorruptError, match=victim):
            datasets.download_fsdd(f"{server.url}/a.tar.gz", cache, progress=False)
    assert not any(cache.rglob("*.wav")) and not any(cache.glob("*.tar.gz"))  # a retry starts clean


def test_damaged_archive(tmp_path):
    served = tmp_path / "served"; served.mkdir()
    (served / "bad.tar.gz").write_bytes(b"this is not a tar archive" * 100)
    with _Server(served) as server:
        with pytest.raises(datasets.FSDDCorruptError, match="damaged"):
            datasets.download_fsdd(f"{server.url}/bad.tar.gz", tmp_path / "cache", progress=False)


def test_no_network_and_no_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("RNNLIB_FSDD_DIR", raising=False)
    monkeypatch.setenv("RNNLIB_CACHE_DIR", str(tmp_path / "cache"))
    with _Server(tmp_path) as server:  # find a free port, then close it: nothing listens there
        url = f"{server.url}/v1.0.10.tar.gz"
    monkeypatch.setattr(datasets, "FSDD_ARCHIVE_URL", url)
    with pytest.raises(datasets.FSDDNotFoundError, match="RNNLIB_FSDD_DIR") as err:
        datasets.list_recordings()
    assert "internet" in str(err.value)
    with pytest.raises(datasets.FSDDNotFoundError, match="download=False"):
        datasets.locate(download=False)
