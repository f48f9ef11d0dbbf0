"""Pictures derived from evidence (thumbnails, previews, frame strips) are kept encrypted in the case.

Each picture is sealed with the case key (AES-256-GCM, a fresh 12-byte nonce, associated data naming
the table and the file it belongs to, so a sealed picture cannot be moved to another file unnoticed):
``CSE1`` + nonce + ciphertext. Whoever copies the case folder without an examiner's key sees no picture.
File metadata and hashes stay searchable in the clear (see docs/custody.md, "Encryption at rest").
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from forensics.core.sqldialect import execute, has_table

MAGIC = b"CSE1"
# Tables of pictures: (table, column of the picture, column of its file id).
PICTURE_TABLES: list[tuple[str, str, str]] = [
    ("thumbnails", "data", "file_id"),
    ("video_strip", "data", "file_id"),  # a video's frame strip
]
# Each picture table's primary key (its rows are read a batch at a time in this order).
PICTURE_KEYS: dict[str, tuple[str, ...]] = {
    "thumbnails": ("file_id",),
    "video_strip": ("file_id", "position"),
}


class PictureCipher:
    """Seals and opens the case's pictures with its case key."""

    def __init__(self, case_key: bytes) -> None:
        self._aes = AESGCM(case_key)
        self._nonce_key = hmac.new(case_key, b"custos picture nonce v1", "sha256").digest()

    @staticmethod
    def _aad(table: str, file_id: int) -> bytes:
        return f"{table}:{file_id}".encode("ascii")

    def seal(self, table: str, file_id: int, data: bytes) -> bytes:
        """The sealed picture. The nonce is derived from the key, the place and the content (a synthetic
        IV): two different pictures never share one, and the same picture seals the same way."""
        if data.startswith(MAGIC):
            return data
        nonce = hmac.new(self._nonce_key, self._aad(table, file_id) + b"\0" + bytes(data), "sha256").digest()[
            :12
        ]
        return MAGIC + nonce + self._aes.encrypt(nonce, bytes(data), self._aad(table, file_id))

    def open(self, table: str, file_id: int, blob: bytes) -> bytes:
        """The picture's bytes (a picture stored in the clear by an older version comes back as it is)."""
        blob = bytes(blob)
        if not blob.startswith(MAGIC):
            return blob
        nonce, sealed = blob[len(MAGIC) : len(MAGIC) + 12], blob[len(MAGIC) + 12 :]
        return self._aes.decrypt(nonce, sealed, self._aad(table, file_id))


def is_sealed(blob: bytes | memoryview | None) -> bool:
    return blob is None or bytes(blob[:4]) == MAGIC


def _pictures(conn: Any, table: str, column: str, owner: str) -> Iterator[tuple[tuple, int, bytes | None]]:
    """``(key, file id, picture)`` of a picture table in key order, a batch at a time (bounded memory)."""
    if not has_table(conn, table):
        return
    key = PICTURE_KEYS[table]
    names = ", ".join(key)
    after = f"({names}) > ({', '.join('?' * len(key))})"
    last: tuple | None = None
    while True:
        where = f"WHERE {after} " if last is not None else ""
        rows = execute(
            conn,
            f"SELECT {names}, {owner}, {column} FROM {table} {where}ORDER BY {names} LIMIT 200",
            last or (),
        ).all()
        if not rows:
            return
        for row in rows:
            blob = row[-1]
            yield tuple(row[: len(key)]), int(row[-2]), None if blob is None else bytes(blob)
        last = tuple(rows[-1][: len(key)])


def _update(conn: Any, table: str, column: str, key: tuple, value: bytes) -> None:
    match = " AND ".join(f"{name} = ?" for name in PICTURE_KEYS[table])
    execute(conn, f"UPDATE {table} SET {column} = ? WHERE {match}", (value, *key))


def seal_plain_pictures(conn: Any, cipher: PictureCipher) -> int:
    """Seal every picture still stored in the clear (cases made by older versions); returns how many."""
    sealed = 0
    for table, column, owner in PICTURE_TABLES:
        for key, file_id, blob in _pictures(conn, table, column, owner):
            if blob is None or is_sealed(blob):
                continue
            value = cipher.seal(table, file_id, blob)
            _update(conn, table, column, key, value)
            sealed += 1
    return sealed


def reseal_pictures(conn: Any, old: PictureCipher, new: PictureCipher) -> int:
    """Seal every picture again under a new case key (an examiner was taken off the case)."""
    count = 0
    for table, column, owner in PICTURE_TABLES:
        for key, file_id, blob in _pictures(conn, table, column, owner):
            if blob is None:
                continue
            value = new.seal(table, file_id, old.open(table, file_id, blob))
            _update(conn, table, column, key, value)
            count += 1
    return count
