"""The first bytes of listed items, read cheaply to tell a renamed picture from what its name claims.

The ingest's feed reads the head of items whose name says nothing of their kind, to rank them (a picture
named ``notes.dat`` is still a picture). A file-system entry's head is read straight from the media at
the first data run the walk stored (``files.byte_runs_json``): one positional read, no file-system
layer. A file of a folder source is opened read-only without following links. What is read only ranks
the item: a head that is wrong (a compressed or encrypted attribute, a damaged chunk) costs nothing but
its rank; every result comes from the worker's full read. Nothing read is kept or written anywhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from forensics.core.errors import CustosError
from forensics.evidence.containers import EvidenceImage, open_image
from forensics.evidence.logical import resolve_display_path
from forensics.evidence.source import open_no_atime

HEAD_BYTES = 4096  # enough for every picture, video and container signature the ranks ask about


class HeadProbe:
    """Reads items' first bytes from one evidence image or folder (not thread-safe: one per thread)."""

    def __init__(self, evidence_path: str | Path) -> None:
        self.image: EvidenceImage = open_image(evidence_path)
        self._root = Path(evidence_path).resolve() if self.image.container == "folder" else None

    def head(self, byte_runs_json: str | None, path: str, size: int) -> bytes | None:
        """Up to ``HEAD_BYTES`` first bytes of an item, None when they cannot be read this cheaply."""
        want = min(HEAD_BYTES, max(size, 0))
        if want <= 0:
            return None
        try:
            if self._root is not None:
                return self._folder_head(path, want)
            return self._media_head(byte_runs_json, want)
        except (CustosError, OSError, ValueError, TypeError, RuntimeError):
            return None

    def _media_head(self, byte_runs_json: str | None, want: int) -> bytes | None:
        media = self.image.media
        if media is None or not byte_runs_json:
            return None
        runs = json.loads(byte_runs_json)
        if not runs:
            return None
        file_offset, media_offset, length = (int(v) for v in runs[0])
        if file_offset != 0 or media_offset < 0:
            return None  # starts sparse, or the runs are not in file order: not worth a guess
        return media.read_at(media_offset, min(want, length))

    def _folder_head(self, path: str, want: int) -> bytes | None:
        assert self._root is not None
        target = resolve_display_path(self._root, path)
        if self._root not in target.parents:
            return None
        fd = open_no_atime(target, path)
        try:
            return os.read(fd, want)
        finally:
            os.close(fd)

    def close(self) -> None:
        self.image.close()

    def __enter__(self) -> HeadProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
