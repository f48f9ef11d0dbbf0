"""The metadata pass of ext file systems reads the inode tables in bulk: same items as asking TSK per inode.

The inode-table layout is checked against e2fsprogs' ``dumpe2fs`` for images made with ``mke2fs`` in
several shapes (1 KiB and 4 KiB blocks, revision 0, 128-byte inodes, 64-bit descriptors); the listing
with the bulk read against the listing that asks TSK for every inode, on published images and on an
image with inodes that no name reaches (``debugfs unlink``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from forensics.evidence.ext_inode_tables import nonzero_inodes, read_inode_tables
from forensics.evidence.source import EvidenceSource
from forensics.evidence.survey import survey_image
from forensics.evidence.walker import FileSystemWalker
from tests.data.expected import ALL_IMAGES
from tests.fixtures import assert_unchanged

pytestmark = pytest.mark.skipif(
    shutil.which("mke2fs") is None or shutil.which("debugfs") is None,
    reason="needs e2fsprogs (scripts/setup.sh installs it)",
)

SHAPES = {
    "ext4-4k-64bit": ["-t", "ext4", "-b", "4096", "-g", "2048", "-O", "64bit"],
    "ext4-4k-32bit": ["-t", "ext4", "-b", "4096", "-g", "2048", "-O", "^64bit"],
    "ext3-1k-128": ["-t", "ext3", "-b", "1024", "-I", "128"],
    "ext2-rev0": ["-t", "ext2", "-b", "1024", "-r", "0"],
}


def _mke2fs(image: Path, options: list[str], tree: Path | None = None, size: str = "24M") -> None:
    command = ["mke2fs", "-q", "-F", *options]
    if tree is not None:
        command += ["-d", str(tree)]
    subprocess.run([*command, str(image), size], check=True, capture_output=True)


def _debugfs(image: Path, request: str, *, write: bool = False) -> str:
    command = ["debugfs", *(["-w"] if write else []), "-R", request, str(image)]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def _dumpe2fs_tables(image: Path) -> list[int]:
    """Each group's first inode-table block, as e2fsprogs' dumpe2fs prints it."""
    out = subprocess.run(["dumpe2fs", str(image)], capture_output=True, text=True, check=True).stdout
    return [int(block) for block in re.findall(r"Inode table at (\d+)-", out)]


def _image_read(path: Path):
    def read(offset: int, size: int) -> bytes:
        with path.open("rb") as stream:
            stream.seek(offset)
            return stream.read(size)

    return read


@pytest.mark.parametrize("shape", SHAPES)
def test_inode_table_layout_matches_dumpe2fs(tmp_path: Path, shape: str) -> None:
    image = tmp_path / f"{shape}.raw"
    _mke2fs(image, SHAPES[shape])
    block_size = 4096 if "-4k-" in shape else 1024
    with assert_unchanged([image]):
        tables = read_inode_tables(_image_read(image), 0)
        expected = _dumpe2fs_tables(image)
    assert tables is not None
    assert len(expected) > 1  # several groups
    assert [offset // block_size for offset in tables.table_offsets] == expected
    assert tables.inode_size == (128 if shape in ("ext3-1k-128", "ext2-rev0") else 256)


def test_meta_bg_is_left_to_tsk(tmp_path: Path) -> None:
    """Descriptors spread over the disk (meta_bg): no layout, the walker asks TSK for every inode."""
    image = tmp_path / "metabg.raw"
    _mke2fs(image, ["-t", "ext4", "-O", "meta_bg,^resize_inode"])
    assert read_inode_tables(_image_read(image), 0) is None


def test_not_an_ext_file_system(tmp_path: Path) -> None:
    image = tmp_path / "zeros.raw"
    image.write_bytes(bytes(1 << 20))
    assert read_inode_tables(_image_read(image), 0) is None


def _walk(source: EvidenceSource, offset: int, fs_type: str, *, bulk: bool, read=None) -> list[tuple]:
    fs = source.filesystem(offset)
    reader = (read or source.tsk.read) if bulk else None
    walker = FileSystemWalker(fs, offset, fs_type, read=reader)
    entries = [
        (e.path, e.inode, e.size, e.kind, e.allocated, e.deleted, e.orphan, e.mtime_ns, e.byte_runs)
        for e in walker.walk()
    ]
    assert walker.errors == []
    return entries


@pytest.fixture(scope="module")
def unlinked_image(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """An ext4 image with files spread over groups; two are unlinked and their slots reused (inode kept)."""
    root = tmp_path_factory.mktemp("unlinked")
    tree = root / "tree"
    for group in range(6):
        folder = tree / f"d{group}"
        folder.mkdir(parents=True)
        for index in range(40):
            (folder / f"f{index}.txt").write_bytes(f"{group}/{index}\n".encode() * (index + 1))
    image = root / "unlinked.raw"
    _mke2fs(image, ["-t", "ext4", "-b", "1024", "-N", "512", "-g", "2048"], tree, size="16M")
    replacement = root / "replacement.txt"
    replacement.write_bytes(b"takes the freed directory slot\n")
    inodes = {}
    for name in ("/d1/f3.txt", "/d5/f39.txt"):
        inodes[name] = int(re.search(r"Inode: (\d+)", _debugfs(image, f"stat {name}")).group(1))
        _debugfs(image, f"unlink {name}", write=True)
        # A new name of the same length takes the unlinked entry's slot: no name, not even a deleted
        # one, reaches the inode any more; only the metadata pass finds it.
        _debugfs(image, f"write {replacement} {name.replace('/f', '/g')}", write=True)
    return image, inodes


def test_bulk_pass_finds_the_unlinked_inodes_as_tsk_does(unlinked_image) -> None:
    image, inodes = unlinked_image
    with assert_unchanged([image]), EvidenceSource(image) as source:
        tables = read_inode_tables(source.tsk.read, 0)
        assert tables is not None and len(set(map(tables.group_of, inodes.values()))) == 2
        bulk = _walk(source, 0, "ext4", bulk=True)
        one_by_one = _walk(source, 0, "ext4", bulk=False)
    assert bulk == one_by_one
    orphans = {path for path, *_ in bulk if path.startswith("/$OrphanFiles/OrphanEntry-")}
    assert orphans == {f"/$OrphanFiles/OrphanEntry-{inode}" for inode in inodes.values()}


def _candidates(source: EvidenceSource, read) -> list[int]:
    """The entries the metadata pass asks TSK about, after a directory walk (as in ``walk``)."""
    walker = FileSystemWalker(source.filesystem(0), 0, "ext4", read=read)
    list(walker._walk_dir(int(walker.fs.info.root_inum), "", set(), in_orphans=False))
    return list(walker._metadata_candidates(11, int(walker.fs.info.last_inum)))


def test_bulk_pass_asks_tsk_only_about_records_with_data(unlinked_image) -> None:
    image, inodes = unlinked_image
    with assert_unchanged([image]), EvidenceSource(image) as source:
        tables = read_inode_tables(source.tsk.read, 0)
        asked = _candidates(source, source.tsk.read)
    # every used inode (files, folders, lost+found, the unlinked ones) and TSK's virtual orphan folder
    assert set(inodes.values()) <= set(asked)
    assert tables.inodes_count + 1 in asked
    assert len(asked) < 300 < tables.inodes_count


def test_a_table_read_that_disagrees_with_tsk_falls_back(unlinked_image) -> None:
    """Group 0's inode table read as zeros: TSK showed used inodes there, so every inode is asked for."""
    image, inodes = unlinked_image
    with assert_unchanged([image]), EvidenceSource(image) as source:
        tables = read_inode_tables(source.tsk.read, 0)
        start = tables.table_offsets[0]
        end = start + tables.inodes_per_group * tables.inode_size

        def zeroed(offset: int, size: int) -> bytes:
            data = bytearray(source.tsk.read(offset, size))
            for at in range(max(offset, start), min(offset + size, end)):
                data[at - offset] = 0
            return bytes(data)

        assert nonzero_inodes(zeroed, tables, 0, 1, tables.inodes_count) == []
        assert _candidates(source, zeroed) == list(range(11, tables.inodes_count + 2))
        bulk = _walk(source, 0, "ext4", bulk=True, read=zeroed)
        one_by_one = _walk(source, 0, "ext4", bulk=False)
    assert bulk == one_by_one
    assert any(path.endswith(f"OrphanEntry-{inodes['/d1/f3.txt']}") for path, *_ in bulk)


def test_nonzero_inodes_reads_in_bounded_pieces(unlinked_image, monkeypatch) -> None:
    import forensics.evidence.ext_inode_tables as tables_module

    image, _ = unlinked_image
    read = _image_read(image)
    tables = read_inode_tables(read, 0)
    whole = [
        inode
        for group in range(len(tables.table_offsets))
        for inode in nonzero_inodes(read, tables, group, 1, 10**9)
    ]
    sizes: list[int] = []

    def counting(offset: int, size: int) -> bytes:
        sizes.append(size)
        return read(offset, size)

    monkeypatch.setattr(tables_module, "PIECE", 3 * tables.inode_size)
    pieces = [
        inode
        for group in range(len(tables.table_offsets))
        for inode in nonzero_inodes(counting, tables, group, 1, 10**9)
    ]
    assert pieces == whole and max(sizes) <= 3 * tables.inode_size
    assert 2 in whole and 11 in whole  # the root directory and lost+found


EXT_IMAGES = [image for image in ALL_IMAGES if any(fs.fs_type.startswith("ext") for fs in image.filesystems)]


@pytest.mark.parametrize("expected", EXT_IMAGES, ids=[image.key for image in EXT_IMAGES])
def test_published_images_list_the_same(expected) -> None:
    with assert_unchanged(expected.paths):
        survey = survey_image(expected.path)
        with EvidenceSource(expected.path) as source:
            for probe in survey.usable_filesystems:
                if not (probe.fs_type or "").startswith("ext"):
                    continue
                bulk = _walk(source, probe.offset, probe.fs_type, bulk=True)
                assert bulk == _walk(source, probe.offset, probe.fs_type, bulk=False)
