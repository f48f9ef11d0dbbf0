"""Open an SQLite database from its bytes, in memory, read-only, with its write-ahead log applied.

Evidence databases (WhatsApp's ``msgstore.db``, iOS ``Manifest.db``) are never opened from a path: a
path would let SQLite write a ``-wal``/``-shm`` beside the evidence, and a decrypted copy must not be
left on disk.  The bytes are handed to ``sqlite3.Connection.deserialize`` instead.

A ``-wal`` file beside the database holds committed transactions not yet copied into it.  SQLite
cannot attach a WAL to an in-memory database, so this module replays it as SQLite's own recovery does
(file format in sqlite.org/fileformat2.html, "The WAL File Format"): the header's magic gives the byte
order of the checksums; frames are taken in order while their salts match the header and their
cumulative checksum holds; only frames up to the last commit frame (non-zero "database size") are
applied, each page written at its number, the image cut to the committed size.  Hot rollback journals
(``-journal``) are not replayed: the database is read as it is.
"""

from __future__ import annotations

import sqlite3
import struct

from forensics.core.errors import EvidenceError

SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_MAGICS = (0x377F0682, 0x377F0683)
WAL_HEADER = struct.Struct(">IIIIIIII")
WAL_FRAME_HEADER = struct.Struct(">IIIIII")
MAX_DATABASE_BYTES = 1024 * 1024 * 1024  # an evidence database above 1 GiB is refused, not loaded


class NotSqlite(EvidenceError):
    """The bytes are not an SQLite database (or are damaged beyond opening)."""


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack((">" if big_endian else "<") + f"{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def apply_wal(image: bytearray, wal: bytes) -> int:
    """Replay the committed frames of ``wal`` onto ``image``; returns the number of frames applied."""
    if len(wal) < WAL_HEADER.size:
        return 0
    magic, _version, page_size, _seq, salt1, salt2, ck1, ck2 = WAL_HEADER.unpack_from(wal)
    if magic not in WAL_MAGICS or page_size < 512 or page_size & (page_size - 1):
        return 0
    big = magic == 0x377F0683
    if _checksum(wal[:24], big, 0, 0) != (ck1, ck2):
        return 0
    s0, s1 = ck1, ck2
    pending: list[tuple[int, int]] = []  # (page number, offset of the page data in the WAL)
    applied = 0
    pos = WAL_HEADER.size
    frame_size = WAL_FRAME_HEADER.size + page_size
    while pos + frame_size <= len(wal):
        pgno, commit, fsalt1, fsalt2, fck1, fck2 = WAL_FRAME_HEADER.unpack_from(wal, pos)
        if (fsalt1, fsalt2) != (salt1, salt2) or pgno == 0:
            break
        s0, s1 = _checksum(wal[pos : pos + 8], big, s0, s1)
        data_at = pos + WAL_FRAME_HEADER.size
        s0, s1 = _checksum(wal[data_at : data_at + page_size], big, s0, s1)
        if (s0, s1) != (fck1, fck2):
            break
        pending.append((pgno, data_at))
        if commit:
            for number, at in pending:
                start = (number - 1) * page_size
                if len(image) < start + page_size:
                    image.extend(bytes(start + page_size - len(image)))
                image[start : start + page_size] = wal[at : at + page_size]
            del image[commit * page_size :]
            applied += len(pending)
            pending = []
        pos += frame_size
    return applied


def open_sqlite_bytes(data: bytes, wal: bytes | None = None, where: str = "database") -> sqlite3.Connection:
    """A read-only in-memory connection to the database ``data`` (with ``wal`` replayed when given)."""
    if len(data) > MAX_DATABASE_BYTES:
        raise NotSqlite(f"{where}: database larger than {MAX_DATABASE_BYTES} bytes, not loaded")
    if not data.startswith(SQLITE_MAGIC):
        raise NotSqlite(f"{where}: not an SQLite database (no 'SQLite format 3' header)")
    image = bytearray(data)
    if wal:
        apply_wal(image, wal)
    if image[18:20] == b"\x02\x02":  # WAL mode: an in-memory image must say rollback journal
        image[18:20] = b"\x01\x01"
    connection = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        connection.deserialize(bytes(image))
        connection.execute("PRAGMA query_only = ON")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise NotSqlite(f"{where}: SQLite database damaged ({exc})") from exc
    return connection
