"""RAR 5 block headers, read just far enough to know which members are encrypted.

libarchive 3.6 lists RAR 5 members without saying that their data is encrypted and hands back the
ciphertext as content; this walk of the headers (format as published with RAR 5.0: vint fields, the
file header's extra area, record type 1 = file encryption) says which names are encrypted, and whether
the archive's headers themselves are (block type 4).
"""

from __future__ import annotations

from collections.abc import Callable

SIGNATURE = b"Rar!\x1a\x07\x01\x00"
FILE_BLOCK = 2
ENCRYPTION_BLOCK = 4
END_BLOCK = 5
ENCRYPTION_RECORD = 1
MAX_BLOCKS = 1_000_000


def _vint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            break
    raise ValueError("bad vint")


def encrypted_members(read_at: Callable[[int, int], bytes]) -> tuple[set[str], bool]:
    """(names of encrypted members, True when the headers are encrypted) of a RAR 5 archive."""
    if read_at(0, 8) != SIGNATURE:
        return set(), False
    names: set[str] = set()
    pos = 8
    for _ in range(MAX_BLOCKS):
        head = read_at(pos, 4 + 3)
        if len(head) < 5:
            break
        size, after = _vint(head, 4)
        header = read_at(pos + 4, after - 4 + size)
        if len(header) < after - 4 + size:
            break
        body_start = after - 4
        kind, cursor = _vint(header, body_start)
        flags, cursor = _vint(header, cursor)
        extra_size = data_size = 0
        if flags & 0x01:
            extra_size, cursor = _vint(header, cursor)
        if flags & 0x02:
            data_size, cursor = _vint(header, cursor)
        if kind == ENCRYPTION_BLOCK:
            return names, True
        if kind == FILE_BLOCK:
            file_flags, cursor = _vint(header, cursor)
            _unpacked, cursor = _vint(header, cursor)
            _attributes, cursor = _vint(header, cursor)
            cursor += 4 if file_flags & 0x02 else 0
            cursor += 4 if file_flags & 0x04 else 0
            _compression, cursor = _vint(header, cursor)
            _host, cursor = _vint(header, cursor)
            name_length, cursor = _vint(header, cursor)
            name = header[cursor : cursor + name_length].decode("utf-8", "replace")
            extra = header[len(header) - extra_size :] if extra_size else b""
            at = 0
            while at < len(extra):
                record_size, after_size = _vint(extra, at)
                record_type, _ = _vint(extra, after_size)
                if record_type == ENCRYPTION_RECORD:
                    names.add(name)
                at = after_size + record_size
        if kind == END_BLOCK:
            break
        pos += after + size + data_size
    return names, False
