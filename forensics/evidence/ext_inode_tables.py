"""Which ext2/3/4 inode records hold any byte other than zero, from the inode tables read in bulk.

The walker's pass over the metadata table looks for inodes that TSK marks as used (TSK: "used" when the
inode's change time is not zero) and that no name reached. Asking TSK for each of the file system's
inodes costs about a microsecond of Python per inode, most of them never used; reading the inode tables
in large pieces and skipping the records of only zero bytes (change time zero, so never "used" for TSK)
leaves TSK only the records that hold something. The walker checks the result against what TSK showed
for the inodes its directory walk met, and falls back to asking TSK for every inode on any doubt.

Layout (ext4 documentation in the Linux kernel, "The Super Block" and "Block Group Descriptors"): the
superblock lies 1024 bytes into the file system, magic 0xEF53 (u16 at 0x38); inode count (u32 at 0),
block count (u32 at 4, high half u32 at 0x150 with the 64bit feature), first data block (u32 at 0x14),
log2(block size) - 10 (u32 at 0x18), blocks per group (u32 at 0x20), inodes per group (u32 at 0x28),
revision (u32 at 0x4C), inode size (u16 at 0x58, 128 for revision 0), incompatible features (u32 at 0x60:
0x10 meta_bg, 0x80 64bit), group descriptor size (u16 at 0xFE, with 64bit). The descriptor table starts
in the block after the superblock; each descriptor gives its group's inode table block (u32 at 8, high
half u32 at 0x28 in 64-byte descriptors). The same locations as TSK's ``ext2fs_dinode_load``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

SUPERBLOCK_AT = 1024
MAGIC = 0xEF53
INCOMPAT_META_BG = 0x10
INCOMPAT_64BIT = 0x80
# With either checksum feature the kernel keeps each descriptor's count of never-used records at the end
# of the group's inode table (bg_itable_unused: u16 at 0x1C, high half u16 at 0x32 in 64-byte descriptors).
RO_COMPAT_GDT_CSUM = 0x10
RO_COMPAT_METADATA_CSUM = 0x400
PIECE = 8 << 20  # bytes of inode table read at a time: memory stays bounded whatever the file system
BLOCK_OF_RECORDS = 4096  # compared with zeros at once before single records are looked at

Reader = Callable[[int, int], bytes]  # (byte offset in the image, length) -> bytes


@dataclass(frozen=True)
class InodeTables:
    """Where each block group's inode records lie (byte offsets in the image)."""

    inodes_count: int
    inodes_per_group: int
    inode_size: int
    table_offsets: tuple[int, ...]
    # Per group, how many records from the table's start may have been used (the rest never was), when
    # the file system keeps that count (checksum features); None otherwise.
    in_use: tuple[int, ...] | None = None

    def group_of(self, inode: int) -> int:
        return (inode - 1) // self.inodes_per_group


def read_inode_tables(read: Reader, fs_offset: int) -> InodeTables | None:
    """The inode-table layout of the ext file system at ``fs_offset``; None when it cannot be trusted.

    None for file systems with the meta_bg feature (descriptors spread over the disk), for values that
    do not fit together, and for short reads: the caller then asks TSK for every inode.
    """
    sb = read(fs_offset + SUPERBLOCK_AT, 1024)
    if len(sb) < 1024 or struct.unpack_from("<H", sb, 0x38)[0] != MAGIC:
        return None
    inodes_count, blocks_lo = struct.unpack_from("<II", sb, 0)
    first_data_block, log_block = struct.unpack_from("<II", sb, 0x14)
    blocks_per_group = struct.unpack_from("<I", sb, 0x20)[0]
    inodes_per_group = struct.unpack_from("<I", sb, 0x28)[0]
    revision = struct.unpack_from("<I", sb, 0x4C)[0]
    incompat = struct.unpack_from("<I", sb, 0x60)[0]
    inode_size = struct.unpack_from("<H", sb, 0x58)[0] if revision >= 1 else 128
    wide = bool(incompat & INCOMPAT_64BIT)
    blocks = blocks_lo | (struct.unpack_from("<I", sb, 0x150)[0] << 32 if wide else 0)
    desc_size = struct.unpack_from("<H", sb, 0xFE)[0] if wide else 32
    if (
        incompat & INCOMPAT_META_BG
        or log_block > 6
        or not blocks_per_group
        or not inodes_per_group
        or inode_size < 128
        or inode_size & (inode_size - 1)
        or desc_size < 32
        or blocks <= first_data_block
    ):
        return None
    block_size = 1024 << log_block
    groups = -(-(blocks - first_data_block) // blocks_per_group)
    if groups * inodes_per_group < inodes_count:
        return None
    table = read(fs_offset + (first_data_block + 1) * block_size, groups * desc_size)
    if len(table) < groups * desc_size:
        return None
    offsets = []
    unused = []
    for group in range(groups):
        at = group * desc_size
        block = struct.unpack_from("<I", table, at + 8)[0]
        never = struct.unpack_from("<H", table, at + 0x1C)[0]
        if wide and desc_size >= 64:
            block |= struct.unpack_from("<I", table, at + 0x28)[0] << 32
            never |= struct.unpack_from("<H", table, at + 0x32)[0] << 16
        offsets.append(fs_offset + block * block_size)
        unused.append(max(0, inodes_per_group - never))
    ro_compat = struct.unpack_from("<I", sb, 0x64)[0]
    counted = bool(ro_compat & (RO_COMPAT_GDT_CSUM | RO_COMPAT_METADATA_CSUM))
    return InodeTables(
        inodes_count, inodes_per_group, inode_size, tuple(offsets), tuple(unused) if counted else None
    )


def nonzero_inodes(read: Reader, tables: InodeTables, group: int, first: int, last: int) -> list[int]:
    """Inode numbers of ``group`` within ``first``..``last`` whose record holds a byte other than zero.

    Raises OSError when the table cannot be read in full.
    """
    base = group * tables.inodes_per_group + 1  # inode number of the group's first record
    low, high = max(first, base), min(last, base + tables.inodes_per_group - 1, tables.inodes_count)
    if low > high:
        return []
    size = tables.inode_size
    per_piece = max(1, PIECE // size)
    found: list[int] = []
    inode = low
    while inode <= high:
        count = min(per_piece, high - inode + 1)
        data = read(tables.table_offsets[group] + (inode - base) * size, count * size)
        if len(data) != count * size:
            raise OSError(f"inode table of group {group}: short read")
        found.extend(inode + index for index in _nonzero_records(data, size))
        inode += count
    return found


def _nonzero_records(data: bytes, size: int) -> Iterator[int]:
    """Indexes of the ``size``-byte records of ``data`` that are not all zero bytes."""
    step = max(size, BLOCK_OF_RECORDS - BLOCK_OF_RECORDS % size)
    zero_block, zero_record = bytes(step), bytes(size)
    for start in range(0, len(data), step):
        block = data[start : start + step]
        if block == zero_block[: len(block)]:
            continue
        for at in range(0, len(block), size):
            if block[at : at + size] != zero_record:
                yield (start + at) // size
