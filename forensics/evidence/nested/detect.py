"""Name a container from its bytes, never from its name: archives, compressed streams, OLE, disk images.

``detect_format(stream)`` looks at the first 64 KiB (and the last 512 bytes for a VHD footer) and
returns one of :data:`FORMATS`, or None when the bytes are no container this package opens. Office zips
(OOXML, ODF) are named by :mod:`zip_reader` once their member list is read.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

from forensics.evidence.nested.streams import read_at_of, stream_size

HEAD_SIZE = 64 * 1024

ARCHIVE_FORMATS = ("zip", "tar", "gzip", "bzip2", "xz", "7z", "rar", "rar5", "cab", "cpio")
IMAGE_FORMATS = ("ewf", "qcow", "vhd", "vhdx", "vmdk", "vmdk-descriptor", "iso9660", "disk")
FORMATS = (*ARCHIVE_FORMATS, "ole", *IMAGE_FORMATS)

_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip: its end record only
    (b"PK\x07\x08PK\x03\x04", "zip"),  # split-archive marker before the first member
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07\x01\x00", "rar5"),
    (b"Rar!\x1a\x07\x00", "rar"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"MSCF\x00\x00\x00\x00", "cab"),
    (b"070701", "cpio"),
    (b"070702", "cpio"),
    (b"070707", "cpio"),
    (b"\xc7\x71", "cpio"),  # old binary cpio, little-endian
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"EVF\x09\x0d\x0a\xff\x00", "ewf"),
    (b"EVF2\x0d\x0a\x81\x00", "ewf"),
    (b"QFI\xfb", "qcow"),
    (b"vhdxfile", "vhdx"),
    (b"conectix", "vhd"),
    (b"KDMV", "vmdk"),
    (b"COWD", "vmdk"),
)


def tar_checksum_ok(header: bytes) -> bool:
    """True when a 512-byte block is a tar header: its stored checksum matches (also pre-POSIX tar)."""
    if len(header) < 512 or header[:1] == b"\0":
        return False
    field = header[148:156].split(b"\0", 1)[0].strip()
    if not field or any(c not in b"01234567" for c in field):
        return False
    stored = int(field, 8)
    unsigned = sum(header[:148]) + 8 * 32 + sum(header[156:512])
    return stored == unsigned


def _is_gzip(head: bytes) -> bool:
    return head[:3] == b"\x1f\x8b\x08" and head[3] & 0xE0 == 0


def _is_bzip2(head: bytes) -> bool:
    return head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90")


def _mbr_plausible(head: bytes) -> bool:
    """A boot sector signature with partition entries that make sense (status byte, non-zero type)."""
    if len(head) < 512 or head[510:512] != b"\x55\xaa":
        return False
    entries = [head[446 + 16 * i : 462 + 16 * i] for i in range(4)]
    used = [e for e in entries if e[4] != 0]
    if not used:
        return False
    for entry in used:
        if entry[0] not in (0x00, 0x80):
            return False
        start, count = struct.unpack_from("<II", entry, 8)
        if start == 0 or count == 0:
            return False
    return True


def _filesystem_magic(head: bytes) -> bool:
    """A volume boot record or superblock of a file system The Sleuth Kit reads."""
    if head[3:11] in (b"NTFS    ", b"EXFAT   "):
        return True
    if head[510:512] == b"\x55\xaa" and (head[54:57] == b"FAT" or head[82:87] == b"FAT32"):
        return True
    if len(head) > 1082 and head[1080:1082] == b"\x53\xef":  # ext2/3/4 superblock magic
        return True
    if len(head) > 1026 and head[1024:1026] in (b"H+", b"HX"):
        return True
    return head[32:36] == b"NXSB"


def detect_head(head: bytes, tail: bytes = b"") -> str | None:
    """The container format named by the first bytes (and the last 512), or None."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if _is_gzip(head):
        return "gzip"
    if _is_bzip2(head):
        return "bzip2"
    if head.lstrip()[:21] == b"# Disk DescriptorFile":
        return "vmdk-descriptor"
    if tail.startswith(b"conectix"):
        return "vhd"
    if tar_checksum_ok(head[:512]):
        return "tar"
    if len(head) >= 32774 and head[32769:32774] == b"CD001":
        return "iso9660"
    if len(head) >= 520 and head[512:520] == b"EFI PART":
        return "disk"
    if _mbr_plausible(head) or _filesystem_magic(head):
        return "disk"
    return None


def detect_format(stream: BinaryIO, size: int | None = None) -> str | None:
    """The container format of a seekable stream, by content (position kept), or None."""
    size = stream_size(stream) if size is None else size
    read_at = read_at_of(stream)
    here = stream.tell() if hasattr(stream, "tell") else 0
    try:
        head = read_at(0, min(HEAD_SIZE, size))
        tail = read_at(size - 512, 512) if size >= 1024 else b""
    except (OSError, io.UnsupportedOperation):
        return None
    finally:
        try:
            stream.seek(here)
        except (OSError, io.UnsupportedOperation):
            pass
    return detect_head(head, tail)
