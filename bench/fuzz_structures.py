"""Structure-aware mutations for the fuzzing campaign: the fields a damaged or hostile input gets wrong.

Random bit flips rarely land on the few bytes that matter (an inode's size, a BPB field, an MFT
attribute's length), so each kind of seed also gets mutations aimed at its structures, drawn from the
attacks of issue 21: ext inode sizes and superblock counts set to extremes, FAT images truncated to a few
KiB and BPB fields set to extremes, NTFS boot-sector and MFT-attribute sizes set to extremes, JSON
nested a hundred thousand deep or holding one huge string, and a text list whose second line is 2 GiB
(a sparse file). Each function takes the seed's bytes and a random generator and returns a
:class:`Mutant` (bytes, and optionally a size to extend the written file to with a sparse tail).
"""

from __future__ import annotations

import random
import struct
from collections.abc import Callable
from dataclasses import dataclass

EXTREME_32 = (0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x48000074)
EXTREME_64 = (0xFFFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF, 0x0000A80000000000, 0)
EXT_SUPERBLOCK_FIELDS = ((0x00, 4), (0x04, 4), (0x14, 4), (0x18, 4), (0x20, 4), (0x28, 4), (0x58, 2))
FAT_BPB_FIELDS = ((0x0B, 2), (0x0D, 1), (0x0E, 2), (0x10, 1), (0x11, 2), (0x13, 2), (0x16, 2), (0x20, 4))
FAT_TRUNCATIONS = (512, 1024, 1536, 2048, 2300, 3000, 4096, 8192)
NTFS_BOOT_FIELDS = ((0x0B, 2), (0x0D, 1), (0x28, 8), (0x30, 8), (0x38, 8), (0x40, 1), (0x44, 1))
LONG_LINE = 2 << 30  # the 2 GiB line, as a sparse tail


@dataclass(frozen=True)
class Mutant:
    """A mutated input: its bytes, and the size to extend the file to with zeros (sparse) if any."""

    data: bytes
    extend_to: int | None = None


def _put(data: bytearray, at: int, width: int, value: int) -> None:
    if at >= 0 and at + width <= len(data):
        data[at : at + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")


def ext_structure(data: bytes, rng: random.Random) -> Mutant:
    """An ext file system at offset 0: an inode's size fields, or a superblock count, set to an extreme."""
    out = bytearray(data)
    sb = 1024
    if rng.random() < 0.3 or len(data) < 2048:
        at, width = rng.choice(EXT_SUPERBLOCK_FIELDS)
        _put(out, sb + at, width, rng.choice(EXTREME_32))
        return Mutant(bytes(out))
    log_block = struct.unpack_from("<I", data, sb + 0x18)[0]
    block = 1024 << min(log_block, 6)
    first_data = struct.unpack_from("<I", data, sb + 0x14)[0]
    revision = struct.unpack_from("<I", data, sb + 0x4C)[0]
    inode_size = struct.unpack_from("<H", data, sb + 0x58)[0] if revision else 128
    per_group = struct.unpack_from("<I", data, sb + 0x28)[0] or 1
    table = struct.unpack_from("<I", data, (first_data + 1) * block + 8)[0] * block
    inode = rng.randint(2, min(per_group, 64))
    record = table + (inode - 1) * inode_size
    _put(out, record + 4, 4, rng.choice(EXTREME_32))
    if rng.random() < 0.5:
        _put(out, record + 108, 4, rng.choice((0xA800, 0xFFFFFFFF, 1)))
    return Mutant(bytes(out))


def fat_structure(data: bytes, rng: random.Random) -> Mutant:
    """A FAT volume: cut to a few KiB (the issue's truncated image), or a BPB field set to an extreme."""
    if rng.random() < 0.5:
        return Mutant(data[: rng.choice(FAT_TRUNCATIONS)])
    out = bytearray(data)
    at, width = rng.choice(FAT_BPB_FIELDS)
    _put(out, at, width, rng.choice(EXTREME_32))
    return Mutant(bytes(out))


def ntfs_structure(data: bytes, rng: random.Random) -> Mutant:
    """An NTFS volume: a boot-sector field, or the sizes of a $DATA attribute in an MFT record."""
    out = bytearray(data)
    if rng.random() < 0.3:
        at, width = rng.choice(NTFS_BOOT_FIELDS)
        _put(out, at, width, rng.choice(EXTREME_64 if width == 8 else EXTREME_32))
        return Mutant(bytes(out))
    records = [at for at in range(0, len(data) - 1024, 1024) if data[at : at + 4] == b"FILE"]
    if not records:
        return Mutant(bytes(out))
    record = rng.choice(records[16:] or records)
    at = record + struct.unpack_from("<H", data, record + 0x14)[0]
    while at + 16 < record + 1024:
        kind, length = struct.unpack_from("<II", data, at)
        if kind == 0xFFFFFFFF or length < 16:
            break
        if kind == 0x80:  # $DATA: resident size at 0x10, or non-resident allocated/real/initialized sizes
            if data[at + 8]:
                _put(out, at + rng.choice((0x28, 0x30, 0x38)), 8, rng.choice(EXTREME_64))
            else:
                _put(out, at + 0x10, 4, rng.choice(EXTREME_32))
            break
        at += length
    return Mutant(bytes(out))


def json_structure(data: bytes, rng: random.Random) -> Mutant:
    """A VICS list with a record nested 200,000 deep, or one 64 MiB string, before its last records."""
    cut = data.rfind(b"}")
    head, tail = (data[:cut], data[cut:]) if cut > 0 else (data, b"")
    if rng.random() < 0.5:
        depth = 200_000
        insert = b', "Nested": ' + b"[" * depth + b"]" * depth
    else:
        insert = b', "Notes": "' + b"x" * (64 << 20) + b'"'
    return Mutant(head + insert + tail)


def text_structure(data: bytes, rng: random.Random) -> Mutant:
    """A line list whose next line is 2 GiB of NUL characters (a sparse tail, as in the issue)."""
    return Mutant(data if data.endswith(b"\n") else data + b"\n", extend_to=LONG_LINE)


Structure = Callable[[bytes, random.Random], Mutant]
