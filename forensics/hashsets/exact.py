"""Exact matching: case files whose MD5, SHA-1 or SHA-256 equals an entry of the selected sets."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, select, text

from forensics.core.sqldialect import json_ids_sql
from forensics.hashsets.hashes import EXACT_ALGORITHMS
from forensics.hashsets.hits import Hit, hex_bytes
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry

PAGE = 900  # case files per page read


def lookup_exact(
    library: HashSetLibrary, algorithm: str, digests: list[bytes], set_ids: list[int]
) -> list[tuple[int, bytes]]:
    """``(entry_id, digest)`` of the entries of the selected sets holding any of these digests."""
    column = HashEntry.__table__.c[algorithm]
    # Only the hash is constrained in SQL: with ``set_id`` in the WHERE clause SQLite picks the set_id
    # index and scans the whole set for every batch. Few entries share a digest, so the set filter is cheap.
    wanted = set(set_ids)
    query = select(HashEntry.id, HashEntry.set_id, column).where(column.in_(digests))
    with library.engine.connect() as connection:
        return [
            (entry_id, bytes(digest))
            for entry_id, set_id, digest in connection.execute(query)
            if set_id in wanted
        ]


def exact_hits(case_engine: Engine, library: HashSetLibrary, set_ids: list[int]) -> Iterator[Hit]:
    """Files whose MD5, SHA-1 or SHA-256 equals an entry of the selected sets."""
    for algorithm in EXACT_ALGORITHMS:
        last = 0
        while True:
            with case_engine.connect() as connection:
                rows = connection.execute(
                    text(
                        f"SELECT id, {algorithm} FROM files WHERE {algorithm} IS NOT NULL AND id > :last "
                        "ORDER BY id LIMIT :page"
                    ),
                    {"last": last, "page": PAGE},
                ).all()
            if not rows:
                break
            last = rows[-1][0]
            yield from hits_of_digests(library, algorithm, rows, set_ids)


def exact_hits_of(
    case_engine: Engine, library: HashSetLibrary, set_ids: list[int], file_ids: list[int]
) -> Iterator[Hit]:
    """The same as :func:`exact_hits`, for the given files only (matching during an ingest)."""
    for start in range(0, len(file_ids), PAGE):
        page = json.dumps(file_ids[start : start + PAGE])
        with case_engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT id, md5, sha1, sha256 FROM files "
                    f"WHERE id IN ({json_ids_sql(connection, ':ids')}) ORDER BY id"
                ),
                {"ids": page},
            ).all()
        for column, algorithm in enumerate(EXACT_ALGORITHMS, start=1):
            digests = [(row[0], row[column]) for row in rows if row[column] is not None]
            yield from hits_of_digests(library, algorithm, digests, set_ids)


def hits_of_digests(
    library: HashSetLibrary, algorithm: str, rows: Sequence[Any], set_ids: list[int]
) -> Iterator[Hit]:
    """Hits of ``(file_id, stored digest)`` pairs of one algorithm on the selected sets."""
    by_digest: dict[bytes, list[int]] = {}
    for file_id, value in rows:
        digest = hex_bytes(value, algorithm)
        if digest is not None:
            by_digest.setdefault(digest, []).append(file_id)
    if not by_digest:
        return
    for entry_id, digest in lookup_exact(library, algorithm, list(by_digest), set_ids):
        for file_id in by_digest[digest]:
            yield Hit(file_id, entry_id, algorithm)
