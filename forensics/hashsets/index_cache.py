"""A persisted perceptual index, so ``custos match`` does not rebuild it from the library every time.

One cache entry is a folder of ``.npy`` arrays (entry ids, codes, the multi-index hashing tables) and a
``manifest.json`` with the layout and the SHA-256 of every array file. Its name is a digest of everything
the index depends on (library location, the selected sets' ids, import uids, source SHA-256 and counts,
algorithm, minimum quality, index layout, cache format version), so importing or removing a set simply
changes the key and misses. Sets are immutable once complete, which is what makes that key sufficient.

Entries are written into a temporary folder and renamed into place, so a crash leaves no half entry under
a valid name. On load every file is checked against the manifest (size, SHA-256) before it is
memory-mapped read-only; a damaged entry is deleted and reported as a miss, never used. (The checksums
guard against damage, not against someone able to write beside the library, who could alter the library
itself.)

Location: ``$CUSTOS_INDEX_CACHE`` if set; else beside a file library (``hashsets.db`` ->
``hashsets.db.index-cache/``); else (a database URL) ``$XDG_CACHE_HOME/custos/hashset-index``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from forensics.hashsets.mih import MultiIndexHashIndex
from forensics.hashsets.set_info import SetInfo

log = logging.getLogger(__name__)

CACHE_FORMAT_VERSION = 1
ENV_INDEX_CACHE = "CUSTOS_INDEX_CACHE"
MANIFEST = "manifest.json"
_STAGING_NAME = re.compile(r"\.[^/]{16}-[^/]+")
KEEP_ENTRIES = 4  # most recently used entries kept; older ones are deleted after a new one is written
READ_CHUNK = 8 << 20


def default_cache_root(library_location: str) -> Path:
    """Where the index cache of this library lives (see the module docstring)."""
    if os.environ.get(ENV_INDEX_CACHE):
        return Path(os.environ[ENV_INDEX_CACHE])
    if "://" not in library_location:
        library = Path(library_location)
        return library.with_name(library.name + ".index-cache")
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "custos" / "hashset-index"


def cache_key(
    library_location: str,
    sets: Iterable[SetInfo],
    algorithm: str,
    min_quality: int | None,
    index: MultiIndexHashIndex,
) -> str:
    """Digest of everything the index content depends on."""
    location = library_location if "://" in library_location else os.path.realpath(library_location)
    described = {
        "format": CACHE_FORMAT_VERSION,
        "library": location,
        "sets": sorted(
            (s.id, s.uid, s.source_sha256, s.entry_count, getattr(s, f"{algorithm}_count")) for s in sets
        ),
        "algorithm": algorithm,
        "min_quality": min_quality if algorithm == "pdq" else None,
        "index": {"kind": "mih", "bits": index.bits, "substrings": index.layout.substrings},
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class CachedIndex:
    """Entry ids (``labels`` of the index -> library entry ids) and the index itself."""

    entry_ids: np.ndarray
    index: MultiIndexHashIndex


class IndexCache:
    """Store and load perceptual indexes under ``root`` (one folder per key)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def load(self, key: str) -> CachedIndex | None:
        """The verified cached index of ``key``, or ``None`` (missing, or damaged and then removed)."""
        folder = self.root / key
        if not (folder / MANIFEST).is_file():
            return None
        try:
            cached = self._load_verified(folder, key)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("index cache %s is damaged (%s): rebuilding it", folder, exc)
            shutil.rmtree(folder, ignore_errors=True)
            return None
        with contextlib.suppress(OSError):  # a read-only cache folder only loses the pruning order
            os.utime(folder / MANIFEST)  # most recently used, for pruning
        return cached

    def _load_verified(self, folder: Path, key: str) -> CachedIndex:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != CACHE_FORMAT_VERSION or manifest.get("key") != key:
            raise ValueError("manifest of another format or key")
        substrings = int(manifest["substrings"])
        names = {"entry_ids", "words"} | {
            f"{kind}_{j}" for kind in ("ids", "offsets") for j in range(substrings)
        }
        if set(manifest["files"]) != names:
            raise ValueError("manifest does not list the files of its layout")
        arrays: dict[str, np.ndarray] = {}
        for name, expected in manifest["files"].items():
            path = folder / f"{name}.npy"
            if path.stat().st_size != expected["bytes"] or _sha256_of(path) != expected["sha256"]:
                raise ValueError(f"{path.name} does not match its manifest")
            arrays[name] = np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
        entry_ids = arrays.pop("entry_ids")
        index = MultiIndexHashIndex.from_arrays(int(manifest["bits"]), substrings, arrays)
        if entry_ids.shape != (index.size,) or entry_ids.dtype != np.int64:
            raise ValueError("entry ids do not fit the index")
        return CachedIndex(entry_ids, index)

    def store(self, key: str, entry_ids: np.ndarray, index: MultiIndexHashIndex) -> bool:
        """Write the index under ``key`` atomically; ``False`` (and a log line) if it cannot be written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=self.root))
        except OSError as exc:
            log.warning("index cache %s cannot be written (%s): index not kept", self.root, exc)
            return False
        try:
            self._write(staging, key, entry_ids, index)
            os.rename(staging, self.root / key)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if (self.root / key / MANIFEST).is_file():
                return True  # another run stored the same key first
            log.warning("index cache %s cannot be written (%s): index not kept", self.root, exc)
            return False
        self.prune()
        return True

    def _write(self, staging: Path, key: str, entry_ids: np.ndarray, index: MultiIndexHashIndex) -> None:
        arrays = {"entry_ids": np.ascontiguousarray(entry_ids, dtype=np.int64)} | index.arrays()
        files: dict[str, Any] = {}
        for name, array in arrays.items():
            path = staging / f"{name}.npy"
            with open(path, "wb") as handle:
                np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
            files[name] = {"bytes": path.stat().st_size, "sha256": _sha256_of(path)}
        manifest = {
            "format": CACHE_FORMAT_VERSION,
            "key": key,
            "bits": index.bits,
            "substrings": index.layout.substrings,
            "size": index.size,
            "files": files,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")

    def clear(self) -> None:
        """Delete every entry (e.g. after a set was removed, so no copy of its codes stays behind)."""
        if self.root.is_dir():
            for folder in self.root.iterdir():
                if _is_entry(folder) or _is_staging(folder):
                    shutil.rmtree(folder, ignore_errors=True)

    def prune(self, keep: int = KEEP_ENTRIES) -> None:
        """Delete all but the ``keep`` most recently used entries, and staging folders left by crashes."""
        entries = []
        for folder in self.root.iterdir():
            if _is_staging(folder):
                if _older_than_a_day(folder):
                    shutil.rmtree(folder, ignore_errors=True)
                continue
            if _is_entry(folder):
                entries.append(((folder / MANIFEST).stat().st_mtime, folder))
        for _, folder in sorted(entries, reverse=True)[keep:]:
            shutil.rmtree(folder, ignore_errors=True)


def _is_entry(folder: Path) -> bool:
    """A cache entry: a folder whose manifest names it (nothing else in the cache root is ever deleted)."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("key") == folder.name
    except (OSError, ValueError, AttributeError):
        return False


def _is_staging(folder: Path) -> bool:
    """A staging folder of :meth:`IndexCache.store` (``.<first 16 characters of the key>-<random>``)."""
    return folder.is_dir() and _STAGING_NAME.fullmatch(folder.name) is not None


def _older_than_a_day(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime > 86_400
    except OSError:
        return False
