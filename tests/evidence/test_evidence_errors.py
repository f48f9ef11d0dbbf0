"""Bogus, empty, truncated and damaged input: one clear error naming the file, or a per-item error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from forensics.core.errors import EvidenceError
from forensics.evidence.containers import detect_container, open_image
from forensics.evidence.source import EvidenceSource
from forensics.evidence.survey import survey_image
from forensics.evidence.verify import hash_media
from forensics.evidence.walker import FileSystemWalker
from tests.data.expected import DFVFS_BOGUS, DFVFS_EXT2_E01, PYTSK_BOGUS, SLEUTHKIT_BOGUS_E01
from tests.evidence.helpers import ListedItem
from tests.fixtures import FixtureImage, assert_unchanged


def _one_line_naming(exc: BaseException, path: Path) -> str:
    message = str(exc)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_empty_e01_is_refused_with_one_line() -> None:
    path = SLEUTHKIT_BOGUS_E01.path
    assert path.stat().st_size == 0
    with assert_unchanged([path]), pytest.raises(EvidenceError) as caught:
        open_image(path)
    assert "empty" in _one_line_naming(caught.value, path)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EvidenceError) as caught:
        detect_container(tmp_path / "nothing.E01")
    assert "no such file" in _one_line_naming(caught.value, tmp_path / "nothing.E01")


@pytest.mark.parametrize("expected", [DFVFS_BOGUS, PYTSK_BOGUS], ids=lambda e: e.key)
def test_image_without_file_system_gives_a_clear_probe_error(expected) -> None:
    with assert_unchanged(expected.paths):
        survey = survey_image(expected.path)
    assert survey.container == "raw" and survey.media_size == expected.media_size
    assert survey.layout.vs_type is None
    assert survey.usable_filesystems == []
    [probe] = survey.filesystems
    assert probe.status == "unrecognised"
    assert expected.error in probe.error


def test_truncated_e01_is_refused_with_one_line(tmp_path: Path) -> None:
    data = DFVFS_EXT2_E01.path.read_bytes()
    damaged = tmp_path / "half.E01"
    damaged.write_bytes(data[: len(data) // 2])
    damaged.chmod(0o444)
    with assert_unchanged([damaged]):
        for action in (survey_image, hash_media):
            with pytest.raises(EvidenceError) as caught:
                action(damaged)
            _one_line_naming(caught.value, damaged)


def test_e01_with_a_missing_segment_is_refused(tmp_path: Path, fixture_e01_multiseg: FixtureImage) -> None:
    for segment in fixture_e01_multiseg.segments:
        if segment.suffix != ".E03":
            shutil.copy(segment, tmp_path / segment.name)
    with assert_unchanged(list(tmp_path.iterdir())), pytest.raises(EvidenceError) as caught:
        survey = survey_image(tmp_path / "disk.E01")
        hash_media(tmp_path / "disk.E01")
        pytest.fail(f"opened with a segment missing: {survey.segments}")
    _one_line_naming(caught.value, tmp_path / "disk.E01")


def test_damaged_region_fails_only_its_items(tmp_path: Path, fixture_ext4_deleted: FixtureImage) -> None:
    """A raw image cut at 3 MiB: the walk goes on, items stored past the cut fail one by one."""
    cut = tmp_path / "cut.raw"
    cut.write_bytes(fixture_ext4_deleted.image.read_bytes()[: 3 * 1024 * 1024])
    cut.chmod(0o444)
    readable, failed = [], []
    with assert_unchanged([cut]), EvidenceSource(cut) as source:
        walker = FileSystemWalker(source.filesystem(0), 0, "ext4")
        for entry in walker.walk():
            if not entry.has_content:
                continue
            try:
                data = source.read_all(ListedItem(0, "ext4", entry, None, None, None).locator())
            except EvidenceError as exc:
                assert "\n" not in str(exc) and entry.path in str(exc)
                failed.append(entry.path)
            else:
                assert len(data) == entry.size
                readable.append(entry.path)
    assert "/media/large.bin" in failed  # 1.5 MiB stored partly past the cut
    assert "/docs/readme.txt" in readable
    assert walker.errors and all("\n" not in message for message in walker.errors)


def test_two_file_system_types_are_each_opened_not_guessed(ext2_with_fat_boot_sector: Path) -> None:
    """TSK finds FAT and ext2 at offset 0: each is opened as its own type and flagged, none is chosen."""
    with assert_unchanged([ext2_with_fat_boot_sector]):
        survey = survey_image(ext2_with_fat_boot_sector)
    assert [(p.fs_type, p.status, p.ambiguous) for p in survey.filesystems] == [
        ("fat12", "ok", True),
        ("ext2", "ok", True),
    ]
    for probe in survey.filesystems:
        assert probe.notes[0] == (
            "more than one file system type is valid at offset 0 (fat12, ext2): each is listed"
        )
