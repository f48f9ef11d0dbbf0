"""VHDX and dynamic VHD, converted by qemu-img from the dfvfs ext2 split raw: the dfvfs listing holds.

No third-party VHDX test image is available, so the scripted conversion of a published image stands in:
the facts asserted are dfvfs's (inode, size, MD5 of each file), not ones Custos produced.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from forensics.evidence.containers import detect_container, open_image
from tests.data.expected import DFVFS_EXT2_FS, DFVFS_EXT2_MEDIA_MD5
from tests.evidence.helpers import by_path, list_image
from tests.fixtures import assert_unchanged

DATA = Path(__file__).resolve().parents[1] / "data" / "dfvfs"


def _raw_ext2(tmp_path: Path) -> Path:
    raw = tmp_path / "ext2.raw"
    with raw.open("wb") as out:
        for part in ("ext2.splitraw.000", "ext2.splitraw.001"):
            out.write((DATA / part).read_bytes())
    return raw


@pytest.mark.parametrize(("qemu_format", "container"), [("vhdx", "vhdx"), ("vpc", "vhd")])
def test_qemu_converted_disk_lists_the_published_files(tmp_path, qemu_format, container):
    raw = _raw_ext2(tmp_path)
    image = tmp_path / f"ext2.{container}"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", qemu_format, str(raw), str(image)], check=True)
    assert detect_container(image) == container
    with assert_unchanged([image]):
        survey, items = list_image(image)
    assert survey.container == container
    listed = by_path(items)
    for expected in DFVFS_EXT2_FS.files:
        item = listed[expected.path]
        assert item.entry.inode == expected.inode
        assert item.entry.size == expected.size
        if expected.md5:
            assert item.md5 == expected.md5
    # The converted media starts with dfvfs's published volume, byte for byte (a VHD rounds the disk
    # size up to its geometry, as dfvfs notes for ext2.vhd).
    with open_image(image) as opened:
        volume = opened.media.read_at(0, raw.stat().st_size)
    assert hashlib.md5(volume).hexdigest() == DFVFS_EXT2_MEDIA_MD5
