"""Ingest of damaged file systems (issue 21): the job ends in bounded time, each problem is a note, the
rest is listed and hashed; two file systems valid at one offset are both ingested."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from forensics.case.models import File, FileSystem, IngestError
from forensics.pipeline.ingest import run_job, start_job
from forensics.pipeline.processing_profiles import load_profile
from tests.data.expected import PASSWORDS_MD5
from tests.evidence.hostile_images import set_ext_inode_size, writable_copy
from tests.fixtures import FixtureImage

DATA = Path(__file__).resolve().parents[1] / "data"
# Before the fix one such entry took 77 s to list on this machine, then its hash read 1.2 GB of zeros.
JOB_SECONDS = 60.0


def _ingest(db) -> tuple[str, float]:
    profile = load_profile("hashes")
    started = time.monotonic()
    job_id, _, _ = start_job(db, "EXH-1", profile, 2)
    outcome = run_job(db, job_id, profile, 2)
    return outcome.status, time.monotonic() - started


def test_an_oversized_ext2_inode_is_a_note_on_its_item(case_with, tmp_path: Path) -> None:
    image = writable_copy(DATA / "pytsk" / "image.raw", tmp_path / "flipped.raw")
    set_ext_inode_size(image, 15, low=0x48000074)  # /passwords.txt claims 1,207,959,668 bytes
    db = case_with(image)
    status, seconds = _ingest(db)
    assert status == "finished" and seconds < JOB_SECONDS
    with db.session() as s:
        files = {f.path: f for f in s.scalars(select(File))}
        [note] = s.scalars(select(IngestError).where(IngestError.file_id.is_not(None))).all()
    flipped = files["/passwords.txt"]
    assert note.file_id == flipped.id and note.stage == "enumerate"
    assert note.message.startswith(
        "/passwords.txt: claimed size 1,207,959,668 bytes is beyond the file system"
    )
    assert flipped.status == "done" and flipped.size == flipped.bytes_read == 102_400
    assert files["/a_directory/a_file"].status == "done"  # the rest is hashed as usual
    intact = writable_copy(DATA / "pytsk" / "image.raw", tmp_path / "intact.raw")
    db2 = case_with(intact)
    _ingest(db2)
    with db2.session() as s:
        assert s.scalar(select(File.md5).where(File.path == "/passwords.txt")) == PASSWORDS_MD5
        assert s.scalar(select(IngestError.id)) is None


def test_both_file_systems_at_one_offset_are_ingested(
    case_with, fixture_fat_ext2_ambiguous: FixtureImage
) -> None:
    db = case_with(fixture_fat_ext2_ambiguous.image)
    status, _ = _ingest(db)
    assert status == "finished"
    with db.session() as s:
        systems = s.scalars(select(FileSystem).order_by(FileSystem.id)).all()
        assert [(fs.fs_type, fs.offset, fs.ambiguous, fs.enumerated) for fs in systems] == [
            ("fat16", 0, True, True),
            ("ext2", 0, True, True),
        ]
        for fs, facts in zip(systems, fixture_fat_ext2_ambiguous.facts["filesystems"], strict=True):
            hashed = {f.path: f.md5 for f in s.scalars(select(File).where(File.filesystem_id == fs.id))}
            for expected in facts["files"]:
                assert hashed[expected["path"]] == expected["md5"]
        problems = s.scalars(select(IngestError.message)).all()
    assert sorted(problems) == [
        f"file system at byte offset 0 ({name}): more than one file system type is valid at offset 0 "
        "(fat16, ext2): each is listed"
        for name in ("ext2", "fat16")
    ]
