"""A damaged EWF chunk under a file system's own records: the ingest says the listing may be incomplete.

TSK reads a damaged chunk as zeros. Where that chunk holds the ext4 inode table of the root
directory, the walk finds (almost) nothing; without a word the examiner would see an empty file
system. The job must record the damaged range against the file system, print it and report it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pyewf
import pytest

from tests.app.cli_helpers import cli, new_case
from tests.evidence.damaged_ewf import CHUNK, damaged_e01
from tests.fixtures import FixtureImage, assert_unchanged

pytestmark = pytest.mark.skipif(
    not hasattr(pyewf.handle, "get_checksum_errors"), reason="stock libewf-python"
)


def _ingest(capsys, tmp_path: Path, segment: Path, item: str):
    """A new case with ``segment`` as ``item``, ingested (hashes, one worker): (ingest run, listing run)."""
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged([segment]):
        added = cli(capsys, "evidence", "add", case, segment, "--item", item, "-q")
        assert added.code == 1 and "VERIFICATION FAILURE" in added.err  # registered; its damage named
        run = cli(capsys, "ingest", case, "--workers", "1", "--profile", "hashes", "-q")
        listing = cli(capsys, "files", case, "--jsonl")
    assert run.code == 0
    return case, run, listing


def _debugfs(image: Path, request: str) -> str:
    done = subprocess.run(["debugfs", "-R", request, str(image)], capture_output=True, text=True, check=True)
    return done.stdout


def _root_inode_chunk(image: Path) -> int:
    """The EWF chunk holding the root directory's inode, as e2fsprogs' debugfs locates it."""
    block_size = int(re.search(r"Block size:\s+(\d+)", _debugfs(image, "stats")).group(1))
    located = re.search(r"located at block (\d+), offset 0x([0-9a-f]+)", _debugfs(image, "imap <2>"))
    return (int(located.group(1)) * block_size + int(located.group(2), 16)) // CHUNK


def test_a_damaged_inode_table_is_named_against_the_file_system(
    tmp_path: Path, capsys, fixture_ext4_deleted: FixtureImage
) -> None:
    index = _root_inode_chunk(fixture_ext4_deleted.image)
    segment, _ = damaged_e01(tmp_path, fixture_ext4_deleted.image, "deflated", index=index)
    first = index * CHUNK // 512
    case, run, listing = _ingest(capsys, tmp_path, segment, "D")
    warning = (
        f"custos: warning: D: file system at byte offset 0 (ext4): the listing read a damaged EWF chunk "
        f"at media bytes {index * CHUNK}-{(index + 1) * CHUNK - 1} (sectors {first}-{first + 63})"
    )
    assert warning in run.err
    assert "items may be missing from the listing" in run.err
    # What the warning is about: the root's inode read as zeros, the fixture's files are not listed.
    listed = listing.out.count("\n")
    assert listed < len(fixture_ext4_deleted.files(deleted=False))
    html = tmp_path / "report.html"
    assert cli(capsys, "report", case, "--html", html, "--now", "2026-11-23T12:00:00Z").code == 0
    text = " ".join(html.read_text(encoding="utf-8").split())
    assert "Listing evidence item D: file system at byte offset 0 (ext4): the listing read a damaged" in text
    assert f"(sectors {first}-{first + 63})" in text


def test_a_damaged_chunk_of_file_content_fails_that_item_not_the_listing(
    tmp_path: Path, capsys, fixture_ext4_deleted: FixtureImage
) -> None:
    segment, _ = damaged_e01(tmp_path, fixture_ext4_deleted.image, "stored")
    _, run, listing = _ingest(capsys, tmp_path, segment, "D")
    assert "the listing read a damaged" not in run.err
    failed = [line for line in listing.out.splitlines() if '"status": "error"' in line]
    assert len(failed) == 1 and "/media/large.bin" in failed[0] and "EWF chunk" in failed[0]


def _ntfsinfo(image: Path, *args: str) -> str:
    done = subprocess.run(["ntfsinfo", *args, "-f", str(image)], capture_output=True, text=True, check=True)
    return done.stdout


def _mft_record_chunk(image: Path, path: str) -> int:
    """The EWF chunk holding ``path``'s MFT record, as ntfs-3g's ntfsinfo locates the record and $MFT."""
    volume = _ntfsinfo(image, "-m")
    cluster = int(re.search(r"Cluster Size: (\d+)", volume).group(1))
    record_size = int(re.search(r"MFT Record Size: (\d+)", volume).group(1))
    mft_lcn = int(re.search(r"LCN of Data Attribute for FILE_MFT: (\d+)", volume).group(1))
    record = int(re.search(r"Dumping Inode (\d+)", _ntfsinfo(image, "-F", path)).group(1))
    return (mft_lcn * cluster + record * record_size) // CHUNK  # a new volume's $MFT starts in one run


def test_a_damaged_mft_record_is_named_and_its_file_listed_without_metadata(
    tmp_path: Path, capsys, fixture_ntfs_ads: FixtureImage
) -> None:
    index = _mft_record_chunk(fixture_ntfs_ads.image, "/download.bin")
    segment, _ = damaged_e01(tmp_path, fixture_ntfs_ads.image, "deflated", index=index)
    first = index * CHUNK // 512
    _, run, listing = _ingest(capsys, tmp_path, segment, "N")
    assert (
        f"custos: warning: N: file system at byte offset 0 (ntfs): the listing read a damaged EWF chunk "
        f"at media bytes {index * CHUNK}-{(index + 1) * CHUNK - 1} (sectors {first}-{first + 63})"
    ) in run.err
    records = {row["path"]: row for row in map(json.loads, listing.out.splitlines())}
    # The name survives in the root's index; the record behind it read as zeros: no metadata, no content.
    download = records["/download.bin"]
    assert download["has_metadata"] is False and download["md5"] is None
