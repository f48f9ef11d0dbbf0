"""The per-item task: one chunked pass feeds the digests and the analysis tasks; errors stay per item."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from forensics.evidence.locator import FileLocator
from forensics.evidence.source import EvidenceSource
from forensics.pipeline.tasks import HASHED, TaskOptions, WorkItem, process_item
from tests.fixtures import assert_unchanged

JPEGS = Path(__file__).resolve().parents[1] / "data" / "exif-py" / "jpg"


class CountingSource:
    """An EvidenceSource that reads in small chunks and counts how often each item is opened for reading."""

    def __init__(self, inner: EvidenceSource) -> None:
        self.inner = inner
        self.reads: dict[str, int] = {}

    def read_chunks(self, locator: FileLocator, chunk_size: int = 0):
        self.reads[locator.path] = self.reads.get(locator.path, 0) + 1
        return self.inner.read_chunks(locator, 4096)


def _item(file_id: int, path: str, size: int) -> WorkItem:
    locator = FileLocator("PHONE", None, None, None, None, None, path)
    return WorkItem(file_id, locator.to_dict(), path.rsplit("/", 1)[-1], size)


def test_each_item_read_once_for_hashes_and_analysis(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    jpeg = next(p for p in sorted(JPEGS.rglob("*.jpg")) if p.stat().st_size > 70_000)
    shutil.copy(jpeg, folder / "photo.jpg")
    (folder / "empty.bin").write_bytes(b"")
    evidence = [folder / "photo.jpg", folder / "empty.bin"]
    options = TaskOptions(frozenset({"type", "exif", "perceptual", "thumbnail"}))
    with assert_unchanged(evidence), EvidenceSource(folder) as inner:
        source = CountingSource(inner)
        results = [
            process_item(source, _item(i, f"/{p.name}", p.stat().st_size), options)
            for i, p in enumerate(evidence, 1)
        ]
    assert source.reads == {"/photo.jpg": 1, "/empty.bin": 1}
    for path, result in zip(evidence, results, strict=True):
        data = path.read_bytes()
        assert result.status == "done" and result.bytes_read == len(data)
        assert (result.md5, result.sha1, result.sha256) == (
            hashlib.md5(data).hexdigest(),
            hashlib.sha1(data).hexdigest(),
            hashlib.sha256(data).hexdigest(),
        )
        assert result.analysis is not None


def test_unreadable_item_becomes_an_error_result(tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    with EvidenceSource(folder) as source:
        result = process_item(source, _item(7, "/gone.txt", 10), TaskOptions())
    assert result.status == "error" and result.file_id == 7 and "/gone.txt" in result.error
    assert result.md5 is None


def test_a_first_pass_only_hashes_and_the_second_reads_without_hashing_again(tmp_path: Path) -> None:
    """``hash_only`` (the first rank hashed first): digests, no analysis, the item left to analyse; the
    second pass carries those digests, analyses, and refuses a read of another size."""
    folder = tmp_path / "export"
    folder.mkdir()
    jpeg = next(p for p in sorted(JPEGS.rglob("*.jpg")) if p.stat().st_size > 70_000)
    shutil.copy(jpeg, folder / "photo.jpg")
    data = (folder / "photo.jpg").read_bytes()
    digests = (
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
    )
    options = TaskOptions(frozenset({"type", "perceptual", "thumbnail"}), reduced_decode=True)
    with assert_unchanged([folder / "photo.jpg"]), EvidenceSource(folder) as source:
        quick = process_item(source, _item(1, "/photo.jpg", len(data))._replace(hash_only=True), options)
        assert (quick.status, quick.analysis, quick.tasks_mask, quick.bytes_read) == (
            HASHED,
            None,
            0,
            len(data),
        )
        assert (quick.md5, quick.sha1, quick.sha256) == digests

        # the second pass: what the first gave is kept (a wrong digest shows it was not recomputed)
        stand_in = ("0" * 32, digests[1], digests[2], len(data))
        whole = process_item(source, _item(1, "/photo.jpg", len(data))._replace(known=stand_in), options)
        assert whole.status == "done" and whole.md5 == "0" * 32 and whole.sha256 == digests[2]
        assert whole.analysis is not None and whole.analysis.perceptual is not None
        assert whole.tasks_mask == options.mask and whole.bytes_read == len(data)

        wrong_size = (*digests, len(data) + 1)
        refused = process_item(source, _item(1, "/photo.jpg", len(data))._replace(known=wrong_size), options)
    assert refused.status == "error" and "in its first pass" in (refused.error or "")
