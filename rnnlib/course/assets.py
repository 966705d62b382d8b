"""The JavaScript and fonts that slides and the site need, copied next to them so they work with no network.

nbconvert's HTML and slide templates load reveal.js, require.js, MathJax and the widget renderer from
CDNs by default. A classroom projector may have no network, and a site should not break when a CDN
does, so we serve pinned local copies instead. reveal.js, require.js, MathJax 2.7 (the version
nbconvert's templates are written for) and the widget renderer (``@jupyter-widgets/html-manager``) come
from the npm registry, fetched once with ``npm pack`` (Node.js's own client), checked against the sha256
below and kept in the course cache (``RNNLIB_CACHE_DIR``, else the per-user cache).
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .. import datasets

__all__ = ["missing", "npm_package", "vendor"]

#: name → (npm package, version, sha256 of the package's tarball).
NPM_PACKAGES = {
    "reveal.js": ("reveal.js", "4.6.1", "4f4121ef2b8e7e9398bdecd7b3b6ce5e0ee3a2f5af221708eb6c4ce03bcae6be"),
    "requirejs": ("requirejs", "2.3.7", "31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d"),
    "html-manager": ("@jupyter-widgets/html-manager", "1.0.15",
                     "2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638"),
    "mathjax": ("mathjax", "2.7.9", "7131e739848edc14aa661a5516995866b81a477fab8b039d7cc324930e71f786"),
}
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"        # nbconvert's own choice: TeX input, CommonHTML output
# Of the 73 MB MathJax unpacks to, the pages need the CommonHTML output and its TeX fonts: 17 MB.
_MATHJAX_UNUSED = shutil.ignore_patterns("unpacked", "SVG", "STIX-Web", "Latin-Modern", "Gyre-*", "Asana-Math",
                                         "Neo-Euler", "test", "docs", "*.md", "localization")


def _cached(name: str) -> Path:
    package, version, _ = NPM_PACKAGES[name]
    return datasets.cache_dir() / "npm" / f"{package.replace('/', '__')}-{version}"


def missing() -> str | None:
    """Why slides and the site cannot be built here, in one line, or None if they can.

    They need the pinned packages above: already in the cache, or npm to fetch them.
    """
    absent = [NPM_PACKAGES[name][0] for name in NPM_PACKAGES if not (_cached(name) / "package.json").exists()]
    if absent and shutil.which("npm") is None:
        return f"npm is not installed and {', '.join(absent)} not cached (install Node.js, which brings npm)"
    return None


def npm_package(name: str) -> Path:
    """The extracted folder of one pinned npm package (fetched and verified on first use)."""
    package, version, digest = NPM_PACKAGES[name]
    target = _cached(name)
    if (target / "package.json").exists():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise FileNotFoundError(f"Building slides or the site needs {package} {version}, fetched once with npm: "
                                "install Node.js (which brings npm) and run the command again.")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run([npm, "pack", f"{package}@{version}", "--silent", "--pack-destination", tmp],
                           check=True, capture_output=True, text=True, timeout=300)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:
            detail = getattr(err, "stderr", "") or ""
            raise FileNotFoundError(f"Could not fetch {package}@{version} with npm ({detail.strip()[:200]}); check "
                                    "your network connection and try again.") from None
        [tarball] = Path(tmp).glob("*.tgz")
        actual = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if actual != digest:
            raise ValueError(f"{package}@{version} from npm has sha256 {actual}, expected {digest}: not the "
                             "pinned release. Nothing was installed.")
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        with tarfile.open(tarball) as tar:
            tar.extractall(partial, filter="data")
        shutil.rmtree(target, ignore_errors=True)
        (partial / "package").rename(target)
        shutil.rmtree(partial, ignore_errors=True)
    return target


def vendor(out_dir: Path, *, reveal: bool) -> dict:
    """Copy the assets into ``out_dir/_static`` and return nbconvert's settings pointing at them (relative URLs)."""
    static = Path(out_dir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    copies = {"requirejs": npm_package("requirejs") / "require.js", "mathjax": npm_package("mathjax")}
    if reveal:
        copies["reveal.js"] = npm_package("reveal.js")
    # The widget renderer's styles point at its icon fonts as "@jupyter-widgets/html-manager/dist/…" relative
    # to the page, the layout of the CDN it is usually loaded from: keep that layout, next to the pages.
    widgets = Path(out_dir) / "@jupyter-widgets" / "html-manager" / "dist"
    if not widgets.exists():
        shutil.copytree(npm_package("html-manager") / "dist", widgets, ignore=shutil.ignore_patterns("*.map"))
        for font in widgets.glob("*.woff*"):            # one of its styles looks for them two folders up
            shutil.copy2(font, widgets.parents[1] / font.name)
        for font in widgets.glob("*.ttf"):
            shutil.copy2(font, widgets.parents[1] / font.name)
    for name, source in copies.items():
        target = static / name
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "mathjax":
            shutil.copytree(source, target, ignore=_MATHJAX_UNUSED)
        elif source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.map", "*.ts", "test", "examples"))
        else:
            target.mkdir()
            shutil.copy2(source, target / source.name)
    settings = {"require_js_url": "_static/requirejs/require.js",
                "mathjax_url": f"_static/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
                "widget_renderer_url": "@jupyter-widgets/html-manager/dist/embed-amd.js"}
    if reveal:
        settings["reveal_url_prefix"] = "_static/reveal.js"
    return settings
