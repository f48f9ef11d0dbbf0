"""The initialized size of an NTFS attribute, read from its MFT record (pytsk3 does not expose it).

NTFS keeps three sizes per non-resident attribute: allocated, data (the file size) and initialized. Bytes
between the initialized size and the data size were never written; TSK's ``read_random`` returns them as
zeros, whatever the clusters hold. A direct read must do the same, so it needs the initialized size: this
module reads the attribute header from the file's MFT record (through TSK's own ``$MFT``), after applying
the record's update-sequence fixups. Records that are not a plain base record (bad signature or fixups,
an ``$ATTRIBUTE_LIST``, an extension record) give None and the file is read through TSK.

Layout (NTFS documentation of the Linux-NTFS project, "MFT record" and "attribute header"): the record
starts with "FILE", the update-sequence offset (u16 at 4) and count (u16 at 6), the base-record reference
(u64 at 0x20) and the offset of the first attribute (u16 at 0x14). Each attribute: type (u32 at 0),
length (u32 at 4), non-resident flag (u8 at 8), attribute id (u16 at 0x0E); for non-resident ones the data
size (u64 at 0x30) and initialized size (u64 at 0x38). The attribute list is type 0x20; the end marker
is 0xFFFFFFFF.
"""

from __future__ import annotations

import struct

import pytsk3

from forensics.core.errors import EvidenceError

ATTRIBUTE_LIST = 0x20
END_MARKER = 0xFFFFFFFF
SECTOR = 512


def record_size_from_boot(boot: bytes) -> int | None:
    """The MFT record size the NTFS boot sector declares (None when the values make no sense)."""
    if len(boot) < 0x48 or boot[3:11] != b"NTFS    ":
        return None
    bytes_per_sector = struct.unpack_from("<H", boot, 0x0B)[0]
    sectors_per_cluster = boot[0x0D]
    clusters_per_record = struct.unpack_from("<b", boot, 0x40)[0]
    if clusters_per_record > 0:
        size = clusters_per_record * sectors_per_cluster * bytes_per_sector
    else:
        size = 1 << -clusters_per_record
    return size if SECTOR <= size <= 65536 and size % SECTOR == 0 else None


def apply_fixups(record: bytes) -> bytes | None:
    """The record with its update-sequence fixups applied; None when a sector's check value differs."""
    if len(record) < 0x30 or record[:4] != b"FILE":
        return None
    offset, count = struct.unpack_from("<HH", record, 4)
    if count < 1 or (count - 1) * SECTOR > len(record) or offset + 2 * count > len(record):
        return None
    fixed = bytearray(record)
    check = record[offset : offset + 2]
    for index in range(1, count):
        end = index * SECTOR
        if fixed[end - 2 : end] != check:
            return None
        fixed[end - 2 : end] = record[offset + 2 * index : offset + 2 * index + 2]
    return bytes(fixed)


def initialized_size(record: bytes, attr_type: int, attr_id: int, data_size: int) -> int | None:
    """The initialized size of attribute (type, id) in a fixed-up base record; None when not provable."""
    if struct.unpack_from("<Q", record, 0x20)[0]:
        return None  # an extension record: its base record holds the attribute list
    position = struct.unpack_from("<H", record, 0x14)[0]
    found = None
    while position + 16 <= len(record):
        kind, length = struct.unpack_from("<II", record, position)
        if kind == END_MARKER:
            break
        if kind == ATTRIBUTE_LIST:
            return None  # attributes may live in other records
        if length < 16 or position + length > len(record):
            return None
        non_resident, (number,) = record[position + 8], struct.unpack_from("<H", record, position + 0x0E)
        if kind == attr_type and number == attr_id:
            if not non_resident or length < 0x40:
                return None
            size, initialized = struct.unpack_from("<QQ", record, position + 0x30)
            found = initialized if size == data_size and initialized <= size else None
        position += length
    return found


class MftRecords:
    """Reads MFT records of one NTFS file system through TSK's ``$MFT`` file."""

    def __init__(self, fs: pytsk3.FS_Info, record_size: int) -> None:
        self._mft = fs.open_meta(inode=0)
        self.record_size = record_size

    def initialized_size(self, inode: int, attr_type: int, attr_id: int, data_size: int) -> int | None:
        """The attribute's initialized size, or None when the record cannot be read or parsed."""
        try:
            raw = self._mft.read_random(inode * self.record_size, self.record_size)
        except (OSError, RuntimeError, EvidenceError):
            return None  # TSK then reports the damaged record itself
        record = apply_fixups(raw) if len(raw) == self.record_size else None
        if record is None:
            return None
        return initialized_size(record, attr_type, attr_id, data_size)
