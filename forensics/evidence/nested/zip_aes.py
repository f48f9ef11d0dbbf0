"""WinZip AES zip members: the password checked from the member's header, the content through libarchive.

The standard library's zipfile reads no AES member. The member's header (salt, then a two-byte password
verifier) tells a wrong password before anything is decrypted (PBKDF2-HMAC-SHA1, 1,000 rounds, as the
WinZip AE-1/AE-2 specification says); libarchive, given the password, decrypts and inflates the member.
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.streams import read_at_of

AES_EXTRA = 0x9901  # the AES extra field: version, vendor "AE", strength, real compression method
SALT_SIZES = {1: 8, 2: 12, 3: 16}  # by strength: AES-128, AES-192, AES-256
KEY_SIZES = {1: 16, 2: 24, 3: 32}
PBKDF2_ROUNDS = 1000
BLOCK_SIZE = 256 * 1024


def aes_strength(info: zipfile.ZipInfo) -> int | None:
    """The AES strength (1-3) named in the member's extra field, None when there is none."""
    extra = info.extra
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        if tag == AES_EXTRA and length >= 7:
            strength = extra[pos + 8]
            return strength if strength in SALT_SIZES else None
        pos += 4 + length
    return None


def aes_password_fits(parent: BinaryIO, info: zipfile.ZipInfo, data_offset: int, password: bytes) -> bool:
    """Whether ``password`` gives the member's password verifier (a wrong one passes 1 time in 65,536)."""
    strength = aes_strength(info)
    if strength is None:
        return False
    salt_size = SALT_SIZES[strength]
    header = read_at_of(parent)(data_offset, salt_size + 2)
    if len(header) != salt_size + 2:
        return False
    key_size = KEY_SIZES[strength]
    derived = hashlib.pbkdf2_hmac("sha1", password, header[:salt_size], PBKDF2_ROUNDS, 2 * key_size + 2)
    return derived[-2:] == header[salt_size:]


def aes_member_chunks(
    parent: BinaryIO, name: str, occurrence: int, password: bytes, where: str
) -> Iterator[bytes]:
    """The decrypted content of the ``occurrence``-th member called ``name`` (0 for the first), in blocks."""
    from forensics.evidence.nested.libarchive_reader import _libarchive

    libarchive, _ = _libarchive()
    parent.seek(0)
    seen = 0
    try:
        with libarchive.stream_reader(
            parent, format_name="zip", block_size=BLOCK_SIZE, passphrase=password
        ) as archive:
            for entry in archive:
                if entry.pathname != name:
                    continue
                if seen < occurrence:
                    seen += 1
                    continue
                yield from entry.get_blocks(BLOCK_SIZE)
                return
    except libarchive.ArchiveError as exc:
        reason = " ".join(str(exc).split())
        if "passphrase" in reason.lower():
            raise EvidenceError(f"{where}: {name}: wrong password") from exc
        raise EvidenceError(f"{where}: {name}: unreadable AES member: {reason}") from exc
    raise EvidenceError(f"{where}: {name}: AES member not found by libarchive")
