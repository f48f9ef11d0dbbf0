"""Containers are named by their bytes; look-alikes are not containers."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from forensics.evidence.nested.detect import detect_format, detect_head, tar_checksum_ok
from forensics.evidence.nested.walk import open_container

DATA = Path(__file__).resolve().parents[1] / "data"


def _noise(size: int) -> bytearray:
    return bytearray(b"".join(hashlib.sha256(i.to_bytes(4, "little")).digest() for i in range(size // 32)))


def test_pictures_and_noise_are_no_containers():
    for path in (DATA / "exif-py" / "jpg" / "Canon_40D.jpg", DATA / "imagehash" / "imagehash.png"):
        with path.open("rb") as stream:
            assert detect_format(stream) is None
            assert open_container(stream, name=path.name) is None
    assert detect_head(bytes(_noise(70_000))) is None


def test_a_superblock_look_alike_with_no_file_system_is_no_container_and_no_note():
    noise = _noise(8192)
    noise[1080:1082] = b"\x53\xef"  # the ext magic alone
    assert detect_head(bytes(noise)) == "disk"
    assert open_container(io.BytesIO(bytes(noise)), name="noise.bin") is None


def test_published_disk_images_are_named_by_content():
    expected = {
        "dfvfs/ext2.E01": "ewf",
        "dfvfs/ext2.qcow2": "qcow",
        "dfvfs/ext2.vhd": "vhd",
        "dfvfs/ext2.vmdk": "vmdk",
        "dfvfs/iso9660.raw": "iso9660",
        "dfvfs/hfsplus.raw": "disk",
        "plaso/tsk_volume_system.raw": "disk",
        "pytsk/image.raw": "disk",
    }
    for relative, fmt in expected.items():
        with (DATA / relative).open("rb") as stream:
            assert detect_format(stream) == fmt, relative


def test_tar_header_checksum():
    header = bytearray(512)
    header[:8] = b"file.txt"
    header[100:108] = b"0000644\0"
    header[124:136] = b"00000000012\0"
    header[148:156] = b" " * 8
    checksum = sum(header)
    header[148:156] = f"{checksum:06o}\0 ".encode()
    assert tar_checksum_ok(bytes(header))
    header[0] ^= 1
    assert not tar_checksum_ok(bytes(header))
