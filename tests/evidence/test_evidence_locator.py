"""FileLocator: a saved value that reopens an item later (fresh handles) for preview, export or re-hashing."""

from __future__ import annotations

import pytest

from forensics.core.errors import EvidenceError
from forensics.evidence.locator import FileLocator
from forensics.evidence.logical import walk_folder
from forensics.evidence.source import EvidenceSource
from tests.data.expected import DFVFS_EXT2_SPLIT_E01
from tests.evidence.helpers import by_path, digests, list_image
from tests.fixtures import FixtureImage, assert_unchanged


@pytest.mark.parametrize("name", ["ntfs_ads", "ext4_deleted", "e01_multiseg"])
def test_saved_locator_reopens_and_rehashes(name: str, request: pytest.FixtureRequest) -> None:
    fixture: FixtureImage = request.getfixturevalue(f"fixture_{name}")
    with assert_unchanged(fixture.evidence_files):
        _, items = list_image(fixture.image)
        saved = [(i.locator(name).to_json(), i.sha256) for i in items if i.sha256]
        assert saved
        with EvidenceSource(fixture.image) as later:  # a new process would do the same
            for text, sha256 in saved:
                locator = FileLocator.from_json(text)
                assert locator == FileLocator.from_dict(locator.to_dict())
                assert digests(later, locator)[2] == sha256, locator.path
    facts = {f["path"]: f for f in fixture.files()}
    streams = [
        locator
        for locator in (FileLocator.from_json(t) for t, _ in saved)
        if locator.stream and not locator.path.startswith("/$")  # NTFS's own metadata files have streams too
    ]
    if name == "ntfs_ads":
        assert {s.path for s in streams} == {
            f"{path}:{stream['name']}" for path, f in facts.items() for stream in f.get("streams", [])
        }


def test_locator_of_split_e01_reads_known_bytes() -> None:
    with assert_unchanged(DFVFS_EXT2_SPLIT_E01.paths):
        _, items = list_image(DFVFS_EXT2_SPLIT_E01.path)
        locator = FileLocator.from_json(by_path(items)["/a_directory/another_file"].locator("E").to_json())
        with EvidenceSource(DFVFS_EXT2_SPLIT_E01.path) as source:
            assert source.read_all(locator)[10:15] == b"other"
            assert source.read_all(locator, limit=4) == source.read_all(locator)[:4]


def test_name_without_metadata_has_nothing_to_read() -> None:
    from tests.data.expected import SLEUTHKIT_IMAGE_DD

    with assert_unchanged(SLEUTHKIT_IMAGE_DD.paths):
        _, items = list_image(SLEUTHKIT_IMAGE_DD.path)
        gone = by_path(items)["/a_directory/another_file~"]
        with EvidenceSource(SLEUTHKIT_IMAGE_DD.path) as source, pytest.raises(EvidenceError):
            source.read_all(gone.locator())


def test_logical_folder_source(tmp_path) -> None:
    folder = tmp_path / "export"
    (folder / "DCIM" / "Camera").mkdir(parents=True)
    (folder / "DCIM" / "Camera" / "Ünïcode photo.jpg").write_bytes(b"\xff\xd8jpeg")
    (folder / "notes.txt").write_bytes(b"")
    (folder / "link").symlink_to("notes.txt")
    with assert_unchanged([p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]):
        _check_folder(folder)


def _check_folder(folder) -> None:
    entries = {e.path: e for e in walk_folder(folder)}
    assert set(entries) == {"/DCIM", "/DCIM/Camera", "/DCIM/Camera/Ünïcode photo.jpg", "/notes.txt", "/link"}
    assert entries["/link"].kind == "link" and entries["/link"].link_target == "notes.txt"
    assert not entries["/link"].has_content
    with EvidenceSource(folder) as source:
        assert source.is_folder
        photo = FileLocator("L", None, None, None, None, None, "/DCIM/Camera/Ünïcode photo.jpg")
        assert source.read_all(FileLocator.from_json(photo.to_json())) == b"\xff\xd8jpeg"
        with pytest.raises(EvidenceError):
            source.read_all(FileLocator("L", None, None, None, None, None, "/../outside.txt"))
        with pytest.raises(EvidenceError):
            source.read_all(FileLocator("L", None, None, None, None, None, "/link"))
