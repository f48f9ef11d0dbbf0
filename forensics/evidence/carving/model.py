"""Carved items and what validators return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ReadAt = Callable[[int, int], bytes]

VALID = "valid"
PARTIAL = "partial"


@dataclass(frozen=True)
class Validation:
    """A validator's verdict on a candidate: how many bytes belong to the file, and whether it is whole."""

    length: int
    status: str = VALID  # valid | partial
    note: str | None = None
    kind: str | None = None  # refines the signature's kind (e.g. mp4 -> heic, zip -> docx)


@dataclass
class CarvedFile:
    """A file found by content: its kind, where its bytes are, and whether its structure is complete.

    ``offset`` is in the coordinates of the source that was carved (the media, or a parent item);
    ``runs`` are [file_offset, source_offset, length] like a file's byte runs (one run: carved files are
    contiguous by rule, fragments are never guessed).
    """

    kind: str
    offset: int
    length: int
    status: str
    note: str | None = None
    runs: list[list[int]] = field(default_factory=list)

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.kind, self.kind)

    def name(self) -> str:
        """A stable shown name: the offset in hex and the kind's extension."""
        return f"carved-{self.offset:012x}.{self.extension}"

    def params(self) -> dict[str, object]:
        """The params of its locator link (kind 'carved' or 'embedded'): reopened as a byte range."""
        return {"offset": self.offset, "length": self.length, "format": self.kind, "status": self.status}


EXTENSIONS = {
    "jpeg": "jpg",
    "png": "png",
    "gif": "gif",
    "bmp": "bmp",
    "webp": "webp",
    "avi": "avi",
    "tiff": "tif",
    "mp4": "mp4",
    "mov": "mov",
    "3gp": "3gp",
    "heic": "heic",
    "avif": "avif",
    "pdf": "pdf",
    "zip": "zip",
    "docx": "docx",
    "xlsx": "xlsx",
    "pptx": "pptx",
    "odt": "odt",
    "ods": "ods",
    "odp": "odp",
    "sqlite": "sqlite",
}
