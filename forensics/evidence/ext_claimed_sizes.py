"""ext2/3/4 inodes that claim more bytes than the file system holds, and a TSK view with those claims capped.

One flipped byte in an inode's size (1.2 GB to 168 TiB claimed on a 16 MiB image) makes TSK build the
block map of the whole claimed size when the file is opened (one run per unmapped indirect block, each
appended by a walk of the run list): 35 CPU s for 1.2 GB in a single C call that no time limit can
interrupt, and a reader then hashes the claimed size of zeros. So before a walk, the inode tables are
read in bulk (:mod:`forensics.evidence.ext_inode_tables`) and every record whose size, as TSK reads it,
exceeds the file system's own size is found. When there is any, TSK reads the file system through
:class:`CappedImgInfo`, which hands it those records with the size capped to the file system's size (in
memory: the evidence is never written). The walker notes each such item with the size it claimed.

TSK's reading of the size (checked against ``istat``): ``i_size`` (u32 at 4), plus ``i_size_high`` (u32
at 108) << 32 for regular files when the superblock has the ``large_file`` read-only feature (0x2 at
0x64). A sparse file larger than its file system is legal but rare; it is capped and noted the same way.
Reserved inodes (below ``s_first_ino``) are left alone: the resize inode of every ext4 with the
``resize_inode`` feature legitimately claims 4 GiB, and no name (nor the walker's metadata pass) reaches
them. With nothing to cap, TSK keeps reading through its own image reader at full speed.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytsk3

from forensics.evidence.ext_inode_tables import PIECE, SUPERBLOCK_AT, InodeTables, Reader, read_inode_tables

RO_COMPAT_LARGE_FILE = 0x2
MODE_TYPE_MASK = 0xF000
MODE_REGULAR = 0x8000
SIZE_LO_AT = 4
SIZE_HIGH_AT = 108
GOOD_OLD_FIRST_INODE = 11  # first non-reserved inode of revision 0 file systems (s_first_ino otherwise)


@dataclass(frozen=True)
class OversizedClaims:
    """Inodes claiming more than ``cap`` (the file system's bytes), and the byte patches that cap them."""

    cap: int
    claimed: dict[int, int]  # inode number -> size it claims
    patches: tuple[tuple[int, bytes], ...]  # (image offset, bytes to show TSK there), sorted


def _fs_facts(read: Reader, fs_offset: int) -> tuple[int, bool, int] | None:
    """(bytes of the file system, large_file feature, first non-reserved inode) from the superblock."""
    sb = read(fs_offset + SUPERBLOCK_AT, 1024)
    if len(sb) < 1024:
        return None
    blocks_lo, log_block = struct.unpack_from("<I", sb, 4)[0], struct.unpack_from("<I", sb, 0x18)[0]
    wide = bool(struct.unpack_from("<I", sb, 0x60)[0] & 0x80)
    blocks = blocks_lo | (struct.unpack_from("<I", sb, 0x150)[0] << 32 if wide else 0)
    large_file = bool(struct.unpack_from("<I", sb, 0x64)[0] & RO_COMPAT_LARGE_FILE)
    revision = struct.unpack_from("<I", sb, 0x4C)[0]
    first_inode = struct.unpack_from("<I", sb, 0x54)[0] if revision >= 1 else GOOD_OLD_FIRST_INODE
    if log_block > 6:
        return None
    return blocks * (1024 << log_block), large_file, first_inode


def _records(read: Reader, tables: InodeTables, budget: int) -> Iterator[tuple[int, int, bytes]]:
    """(first inode number, image offset, bytes) of each piece of every group's inode table.

    At most ``budget`` bytes are read (the size of the media: intact tables fit in it, hostile ones may
    point every group at the same blocks); a table that cannot be read ends the scan of its group. Where
    the file system counts each table's never-used records (ext4 checksum features), they are skipped:
    on a file system with room for 300,000 files holding 3,000 the scan reads a hundredth of the tables.
    """
    size = tables.inode_size
    per_piece = max(1, PIECE // size)
    for group, offset in enumerate(tables.table_offsets):
        first = group * tables.inodes_per_group + 1
        count = min(tables.inodes_per_group, tables.inodes_count - first + 1)
        if tables.in_use is not None:
            count = min(count, tables.in_use[group])  # the never-used tail holds no size to claim
        done = 0
        while done < count:
            take = min(per_piece, count - done, budget // size)
            if take <= 0:
                return
            try:
                data = read(offset + done * size, take * size)
            except OSError:
                break
            budget -= len(data)
            usable = len(data) // size
            if usable:
                yield first + done, offset + done * size, data[: usable * size]
            if usable < take:
                break  # the table runs past the end of the image: nothing more to read there
            done += take


def find_oversized(read: Reader, fs_offset: int, media_size: int) -> OversizedClaims | None:
    """The inodes of the ext file system at ``fs_offset`` that claim more than the file system holds.

    None when there are none, or when the inode tables cannot be located (TSK then reads as usual).
    """
    try:
        tables = read_inode_tables(read, fs_offset)
        facts = _fs_facts(read, fs_offset)
    except OSError:
        return None
    if tables is None or facts is None:
        return None
    cap, large_file, first_inode = facts
    size = tables.inode_size
    claimed: dict[int, int] = {}
    patches: list[tuple[int, bytes]] = []
    for first, offset, data in _records(read, tables, media_size):
        records = np.frombuffer(data, dtype=np.uint8).reshape(-1, size)
        mode = records[:, 0:2].copy().view("<u2")[:, 0]
        low = records[:, SIZE_LO_AT : SIZE_LO_AT + 4].copy().view("<u4")[:, 0].astype(np.uint64)
        high = records[:, SIZE_HIGH_AT : SIZE_HIGH_AT + 4].copy().view("<u4")[:, 0].astype(np.uint64)
        regular = (mode & MODE_TYPE_MASK) == MODE_REGULAR
        sizes = low | np.where(regular & large_file, high << np.uint64(32), np.uint64(0))
        for index in np.flatnonzero(sizes > np.uint64(cap)):
            inode = first + int(index)
            if inode < first_inode:
                continue  # reserved inodes (the sparse resize inode claims 4 GiB); no name reaches them
            claimed[inode] = int(sizes[index])
            at = offset + int(index) * size
            if regular[index] and large_file:
                patches.append((at + SIZE_LO_AT, struct.pack("<I", cap & 0xFFFFFFFF)))
                patches.append((at + SIZE_HIGH_AT, struct.pack("<I", cap >> 32)))
            else:  # the size is i_size alone, which exceeds the cap: the cap fits in 32 bits
                patches.append((at + SIZE_LO_AT, struct.pack("<I", cap)))
    if not claimed:
        return None
    return OversizedClaims(cap, claimed, tuple(sorted(patches)))


def apply_patches(data: bytes, offset: int, patches: tuple[tuple[int, bytes], ...]) -> bytes:
    """``data`` read at ``offset`` with the patches that overlap it applied (a copy; the input is kept)."""
    end = offset + len(data)
    touching = [(at, value) for at, value in patches if at < end and offset < at + len(value)]
    if not touching:
        return data
    patched = bytearray(data)
    for at, value in touching:
        start = max(at, offset)
        stop = min(at + len(value), end)
        patched[start - offset : stop - offset] = value[start - at : stop - at]
    return bytes(patched)


class CappedImgInfo(pytsk3.Img_Info):
    """A TSK image that reads through ``read`` and shows the capped size of oversized inodes."""

    def __init__(self, read: Reader, size: int, claims: OversizedClaims) -> None:
        self._base_read = read
        self._size = size
        self._patches = claims.patches
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        return apply_patches(self._base_read(offset, size), offset, self._patches)

    def get_size(self) -> int:
        return self._size

    def close(self) -> None:
        """The underlying image is closed by its owner."""
