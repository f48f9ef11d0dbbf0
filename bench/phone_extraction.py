"""The files of the benchmark image as an Android full-file-system extraction (a zip with a ``Dump/`` root).

The files are those of ``bench/build_bench_image.py``'s plan (its documents, app files, photos, videos and
music; the files the image deletes are left out: a file-system extraction holds no deleted files), each
put where a phone keeps it: photos in ``data/media/0/DCIM/Camera``, the WhatsApp media folder and
``Pictures/Screenshots``, app files under ``data/data/<package>`` and ``system/``. The zip is written with
the standard library as extraction tools write theirs (pictures, videos and music stored, the rest
deflated), the photos last in its member order: a walk in listing order meets every other file first.

Cached in ``<cache>/extraction-<size>-<key>/`` with ``android_ffs.zip`` and ``facts.json`` (every
member's path, device path, kind, size and MD5: the photos' bytes are drawn again on each build).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing as mp
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.build_bench_image import CONTENT_VERSION, SPECS, PlannedFile, file_bytes, plan

LAYOUT_VERSION = 1  # bump when the layout or the zip's writing changes (the cache key includes it)
ROOT = "Dump/"
ARCHIVE = "android_ffs.zip"
FACTS = "facts.json"
ZIP_TIME = (2026, 3, 2, 14, 0, 0)
STORED_EXTENSIONS = (".jpg", ".mp4", ".mp3")  # already compressed: extraction tools store them
# (file system, folder of the bench image) -> folder on the phone, without the leading slash.
PLACES = (
    ("ext4", "/home/user/Documents", "data/media/0/Documents"),
    ("ext4", "/home/user/.cache/app", "data/data/com.android.chrome/cache"),
    ("ext4", "/data/app/com.chat/files", "data/data/org.thoughtcrime.securesms/files"),
    ("ext4", "/DCIM/Camera", "data/media/0/DCIM/Camera"),
    ("ext4", "/Pictures/Messenger", "data/media/0/Android/media/com.whatsapp/WhatsApp/Media/WhatsApp Images"),
    ("ext4", "/Movies", "data/media/0/Movies"),
    ("fat32", "/Android/data", "data/data/com.google.android.gms/files"),
    ("fat32", "/Documents", "system/usr/share/doc"),
    ("fat32", "/DCIM/100MEDIA", "data/media/0/Pictures/Screenshots"),
    ("fat32", "/Music", "data/media/0/Music"),
    ("ntfs", "", "data/data/com.microsoft.office.word/files/reports"),
)
BUILD_PROP = b"ro.product.manufacturer=Custos\nro.product.model=Bench Phone\nro.build.version.release=14\n"


@dataclass(frozen=True)
class PhoneExtraction:
    """A built extraction: the zip and its members' facts (in member order)."""

    archive: Path
    members: list[dict]

    @property
    def photos(self) -> list[dict]:
        """The photos (every one in a user media folder), in member order."""
        return [m for m in self.members if m["kind"] == "photo"]

    def member_bytes(self, fact: dict) -> bytes:
        """The bytes of one member, read back from the zip."""
        with zipfile.ZipFile(self.archive) as archive:
            return archive.read(fact["path"])


def device_path(planned: PlannedFile) -> str:
    """Where the phone keeps a file of the bench image's plan (no leading slash)."""
    for fs, folder, phone in PLACES:
        if planned.fs == fs and planned.path.startswith(folder + "/"):
            return phone + planned.path[len(folder) :]
    raise ValueError(f"no place on the phone for {planned.fs}:{planned.path}")


def layout(size: str) -> list[tuple[str, PlannedFile | None]]:
    """(device path, planned file) in member order: every other file first, then the photos;
    ``system/build.prop`` (planned file None) heads the list."""
    kept = [item for item in plan(SPECS[size]) if not item.deleted]
    others = sorted((device_path(item), item) for item in kept if item.kind != "photo")
    photos = sorted((device_path(item), item) for item in kept if item.kind == "photo")
    return [("system/build.prop", None), *others, *photos]


def cache_key(size: str) -> str:
    document = {"spec": asdict(SPECS[size]), "content": CONTENT_VERSION, "layout": LAYOUT_VERSION}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]


def _contents(items: list[PlannedFile | None], processes: int) -> Iterator[bytes]:
    """The bytes of each planned file in order (photos made on all cores where processes can fork)."""
    if processes > 1 and "fork" in mp.get_all_start_methods():
        with mp.get_context("fork").Pool(processes) as pool:
            yield from pool.imap(_content, items, chunksize=4)
    else:
        yield from map(_content, items)


def _content(item: PlannedFile | None) -> bytes:
    return BUILD_PROP if item is None else file_bytes(item)


def write_zip(target: Path, size: str, processes: int) -> list[dict]:
    """Write the extraction's zip; returns its members' facts in member order."""
    placed = layout(size)
    facts = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for (path, item), data in zip(placed, _contents([i for _, i in placed], processes), strict=True):
            info = zipfile.ZipInfo(ROOT + path, date_time=ZIP_TIME)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            stored = path.lower().endswith(STORED_EXTENSIONS)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            facts.append(
                {
                    "path": ROOT + path,
                    "device_path": "/" + path,
                    "source": f"{item.fs}:{item.path}" if item else None,
                    "kind": item.kind if item else "text",
                    "size": len(data),
                    "md5": hashlib.md5(data).hexdigest(),
                }
            )
    return facts


def build(size: str, cache_root: Path, processes: int | None = None) -> PhoneExtraction:
    """Build (or reuse) the extraction of ``size``."""
    final = cache_root / f"extraction-{size}-{cache_key(size)}"
    if not (final / FACTS).is_file():
        cache_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=cache_root))
        try:
            facts = write_zip(staging / ARCHIVE, size, processes or os.cpu_count() or 1)
            (staging / FACTS).write_text(json.dumps({"members": facts}, indent=1), encoding="utf-8")
            for path in staging.iterdir():
                path.chmod(0o444)  # evidence: read-only
            if final.exists():
                shutil.rmtree(final)
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        for stale in cache_root.glob(f"extraction-{size}-*"):
            if stale != final and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
    members = json.loads((final / FACTS).read_text(encoding="utf-8"))["members"]
    return PhoneExtraction(final / ARCHIVE, members)
