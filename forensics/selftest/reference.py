"""The bundled reference data of the selftest: ``resources/selftest/expected.toml`` and its files."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from forensics.core.resources import resource_path

EXPECTED_NAME = "expected.toml"


@dataclass(frozen=True)
class ExpectedEntry:
    """One row of a published listing; a deleted name without metadata has no inode, kind or size."""

    path: str
    inode: int | None = None
    kind: str | None = None
    size: int | None = None
    deleted: bool = False
    md5: str | None = None
    sha1: str | None = None


@dataclass(frozen=True)
class ReferenceImage:
    """A disk or volume image with its published listing, file hashes and (E01) stored hashes."""

    path: Path
    name: str
    source: str
    fs_type: str
    media_size: int | None
    stored_md5: str | None
    media_md5: str | None
    files: tuple[ExpectedEntry, ...]


@dataclass(frozen=True)
class InvalidImage:
    """A file that is no image: opening it must fail with the published message."""

    path: Path
    name: str
    source: str
    error: str


@dataclass(frozen=True)
class ReferencePicture:
    """A picture with published perceptual hashes and/or EXIF values."""

    path: Path
    name: str
    source: str
    pdq: str | None = None
    pdq_quality: int | None = None
    phash: str | None = None
    dhash: str | None = None
    exif: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferenceTypeSample:
    """A file with the description libmagic's own regression test expects for it."""

    path: Path
    name: str
    source: str
    description: str


@dataclass(frozen=True)
class ReferenceSet:
    images: tuple[ReferenceImage, ...]
    invalid: tuple[InvalidImage, ...]
    pictures: tuple[ReferencePicture, ...]
    filetypes: tuple[ReferenceTypeSample, ...] = ()

    def files(self) -> list[Path]:
        """Every reference file the checks read."""
        groups = (self.images, self.invalid, self.pictures, self.filetypes)
        return [entry.path for group in groups for entry in group]


def reference_dir() -> Path:
    """Where the selftest's reference files are (source tree, installed package or frozen bundle)."""
    return resource_path("selftest")


def _source(entry: dict) -> str:
    return f"{entry['publisher']}: {entry['source']}"


def load_reference(folder: Path | None = None) -> ReferenceSet:
    """Parse ``expected.toml`` in ``folder`` (default: the bundled one)."""
    folder = folder or reference_dir()
    data = tomllib.loads((folder / EXPECTED_NAME).read_text(encoding="utf-8"))
    images = tuple(
        ReferenceImage(
            path=folder / entry["file"],
            name=entry["file"],
            source=_source(entry),
            fs_type=entry["fs_type"],
            media_size=entry.get("media_size"),
            stored_md5=entry.get("stored_md5"),
            media_md5=entry.get("media_md5"),
            files=tuple(ExpectedEntry(**row) for row in entry["files"]),
        )
        for entry in data.get("image", [])
    )
    invalid = tuple(
        InvalidImage(folder / entry["file"], entry["file"], _source(entry), entry["error"])
        for entry in data.get("invalid", [])
    )
    pictures = tuple(
        ReferencePicture(
            path=folder / entry["file"],
            name=entry["file"],
            source=_source(entry),
            pdq=entry.get("pdq"),
            pdq_quality=entry.get("pdq_quality"),
            phash=entry.get("phash"),
            dhash=entry.get("dhash"),
            exif=dict(entry.get("exif", {})),
        )
        for entry in data.get("picture", [])
    )
    filetypes = tuple(
        ReferenceTypeSample(folder / entry["file"], entry["file"], _source(entry), entry["description"])
        for entry in data.get("filetype", [])
    )
    return ReferenceSet(images, invalid, pictures, filetypes)
