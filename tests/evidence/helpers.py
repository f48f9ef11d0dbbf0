"""Helpers of the engine tests: list and hash every item of an image through the engine, nothing else."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from forensics.evidence.locator import FileLocator
from forensics.evidence.source import EvidenceSource
from forensics.evidence.survey import EvidenceSurvey, survey_image
from forensics.evidence.walker import FileEntry

# TSK name-type letters used in the published tables -> the kinds Custos records.
KIND_BY_LETTER = {"r": "file", "d": "directory", "l": "link", "V": "virtual-dir"}
# The kinds of the fixture facts (scripts/fixtures/facts.py) -> the kinds Custos records.
KIND_BY_FACT = {"file": "file", "dir": "directory", "symlink": "link"}
# expected.py container names -> Custos container names.
CONTAINER_NAMES = {
    "split_raw": "split-raw",
    "qcow": "qcow",
    "vhd": "vhd",
    "vmdk": "vmdk",
    "ewf": "ewf",
    "raw": "raw",
}


@dataclass(frozen=True)
class ListedItem:
    """One enumerated item with the digests of its content (None when it has no content)."""

    offset: int
    fs_type: str
    entry: FileEntry
    md5: str | None
    sha1: str | None
    sha256: str | None

    @property
    def path(self) -> str:
        return self.entry.path

    def locator(self, item: str = "T-1") -> FileLocator:
        e = self.entry
        return FileLocator(item, self.offset, e.inode, e.attr_type, e.attr_id, e.stream, e.path)


def digests(source: EvidenceSource, locator: FileLocator) -> tuple[str, str, str]:
    """MD5, SHA-1, SHA-256 of an item read back through the engine."""
    md5, sha1, sha256 = hashlib.md5(), hashlib.sha1(), hashlib.sha256()
    for chunk in source.read_chunks(locator):
        md5.update(chunk)
        sha1.update(chunk)
        sha256.update(chunk)
    return md5.hexdigest(), sha1.hexdigest(), sha256.hexdigest()


def list_image(path: Path | str, *, hashes: bool = True) -> tuple[EvidenceSurvey, list[ListedItem]]:
    """Survey ``path`` and walk every usable file system, hashing each item that has content."""
    survey = survey_image(path)
    items: list[ListedItem] = []
    with EvidenceSource(path) as source:
        for probe in survey.usable_filesystems:
            walker = source.walker(probe.offset, probe.fs_type or "")
            for entry in walker.walk():
                found = ListedItem(probe.offset, probe.fs_type or "", entry, None, None, None)
                if hashes and entry.has_content:
                    md5, sha1, sha256 = digests(source, found.locator())
                    found = ListedItem(probe.offset, probe.fs_type or "", entry, md5, sha1, sha256)
                items.append(found)
            assert walker.errors == [], walker.errors
    return survey, items


def by_path(items: list[ListedItem], offset: int | None = None) -> dict[str, ListedItem]:
    """Items keyed by path (optionally of the file system at ``offset`` only); paths must be unique."""
    chosen = [i for i in items if offset is None or i.offset == offset]
    keyed = {i.path: i for i in chosen}
    assert len(keyed) == len(chosen), "duplicate paths in one file system"
    return keyed


def comparable(items: list[ListedItem]) -> list[tuple]:
    """A container-independent view of a listing, for 'identical listings' checks."""
    return sorted(
        (
            i.offset,
            i.path,
            i.entry.inode,
            i.entry.size,
            i.entry.kind,
            i.entry.allocated,
            i.entry.deleted,
            i.entry.orphan,
            i.entry.mtime_ns,
            i.md5,
            i.sha1,
            i.sha256,
        )
        for i in items
    )
