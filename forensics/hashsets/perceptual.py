"""Perceptual matching: case pictures within a Hamming distance of an entry (PDQ, pHash, dHash).

The library side is a Hamming index over the selected sets' codes (cached on disk for multi-index
hashing); the case side is every stored hash of ``file_analysis``, with PDQ's eight dihedral variants.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select, text

from forensics.hashsets.hamming import HammingIndex, choose_index
from forensics.hashsets.hashes import HEX_LENGTH
from forensics.hashsets.hits import DIHEDRAL_VARIANTS, Hit, MatchSettings, hex_bytes
from forensics.hashsets.index_cache import IndexCache, cache_key, default_cache_root
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.mih import MultiIndexHashIndex
from forensics.hashsets.models import HashEntry

PAGE = 900  # case pictures per page read
LOAD_BATCH = 100_000  # rows per fetch of load_codes


def load_codes(
    library: HashSetLibrary, set_ids: list[int], algorithm: str, min_quality: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Entry ids and ``uint8`` codes of one perceptual algorithm over the selected sets."""
    width = HEX_LENGTH[algorithm] // 2
    if not set_ids:
        return np.zeros(0, np.int64), np.zeros((0, width), np.uint8)
    if library.engine.dialect.name == "sqlite":
        return _load_codes_sqlite(library, set_ids, algorithm, min_quality, width)
    return _load_codes_generic(library, set_ids, algorithm, min_quality, width)


def _load_codes_generic(
    library: HashSetLibrary, set_ids: list[int], algorithm: str, min_quality: int | None, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Any database: streamed SQLAlchemy rows."""
    column = HashEntry.__table__.c[algorithm]
    where = [HashEntry.set_id.in_(set_ids), column.is_not(None), func.length(column) == width]
    if algorithm == "pdq" and min_quality is not None:
        where.append((HashEntry.pdq_quality.is_(None)) | (HashEntry.pdq_quality >= min_quality))
    ids: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    query = select(HashEntry.id, column).where(*where)
    with library.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=LOAD_BATCH).execute(query)
        for chunk in result.partitions(LOAD_BATCH):
            ids.append(np.fromiter((row[0] for row in chunk), dtype=np.int64, count=len(chunk)))
            blob = b"".join(bytes(row[1]) for row in chunk)
            codes.append(np.frombuffer(blob, dtype=np.uint8).reshape(len(chunk), width))
    return _joined(ids, codes, width)


def _load_codes_sqlite(
    library: HashSetLibrary, set_ids: list[int], algorithm: str, min_quality: int | None, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """SQLite: the driver's rows taken apart in C (``itemgetter``, ``bytes.join``), no per-row Python code.

    SQLAlchemy's row objects cost about 1 CPU s per million codes, more than SQLite's own reading.
    """
    column = HashEntry.__table__.c[algorithm].name  # a known column name, never user text
    sql = (
        f"SELECT id, {column} FROM hash_entries WHERE set_id IN ({', '.join('?' * len(set_ids))}) "
        f"AND {column} IS NOT NULL AND length({column}) = ?"
    )
    params: list[int] = [*set_ids, width]
    if algorithm == "pdq" and min_quality is not None:
        sql += " AND (pdq_quality IS NULL OR pdq_quality >= ?)"
        params.append(min_quality)
    ids: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    with library.engine.connect() as connection:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(LOAD_BATCH):
                ids.append(np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=len(rows)))
                blob = b"".join(map(itemgetter(1), rows))
                codes.append(np.frombuffer(blob, dtype=np.uint8).reshape(len(rows), width))
        finally:
            cursor.close()
    return _joined(ids, codes, width)


def _joined(ids: list[np.ndarray], codes: list[np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
    if not ids:
        return np.zeros(0, np.int64), np.zeros((0, width), np.uint8)
    return np.concatenate(ids), np.concatenate(codes)


def _columns(algorithm: str) -> tuple[str, str]:
    """Columns and condition of the case rows that have a code of ``algorithm`` to compare."""
    if algorithm == "pdq":
        return (
            "file_id, pdq, pdq_dihedral",
            "pdq IS NOT NULL AND (pdq_quality IS NULL OR pdq_quality >= :quality)",
        )
    return f"file_id, {algorithm}, NULL", f"{algorithm} IS NOT NULL"


def _case_perceptual_rows(case_engine: Engine, algorithm: str, min_quality: int) -> Iterator[Sequence[Any]]:
    """Pages of ``(file_id, code, dihedral)`` from ``file_analysis``."""
    columns, where = _columns(algorithm)
    last = 0
    while True:
        with case_engine.connect() as connection:
            rows = connection.execute(
                text(
                    f"SELECT {columns} FROM file_analysis WHERE {where} AND file_id > :last "
                    "ORDER BY file_id LIMIT :page"
                ),
                {"last": last, "page": PAGE, "quality": min_quality},
            ).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _queries(rows: Iterable[Any], algorithm: str) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Query codes (all dihedral variants when stored) and who each one belongs to."""
    width = HEX_LENGTH[algorithm] // 2
    codes: list[bytes] = []
    owners: list[tuple[int, str]] = []
    for file_id, value, dihedral in rows:
        code = hex_bytes(value, algorithm)
        if code is None:
            continue
        variants = bytes(dihedral) if dihedral is not None else b""
        if len(variants) == width * len(DIHEDRAL_VARIANTS):
            for index, name in enumerate(DIHEDRAL_VARIANTS):
                codes.append(variants[index * width : (index + 1) * width])
                owners.append((file_id, name))
        else:
            codes.append(code)
            owners.append((file_id, "original"))
    matrix = np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(len(codes), width)
    return matrix, owners


def perceptual_index(
    library: HashSetLibrary,
    set_ids: list[int],
    algorithm: str,
    settings: MatchSettings,
    index_factory: Callable[[int, int, int], HammingIndex] = choose_index,
    cache: IndexCache | None = None,
) -> tuple[np.ndarray, HammingIndex] | None:
    """Library entry ids (by index label) and the index of one algorithm over the selected sets.

    A multi-index hashing index is taken from the index cache when a valid entry exists for exactly these
    sets and settings, else built from the library and stored there. ``None`` when no code qualifies.
    """
    threshold = settings.threshold(algorithm)
    assert threshold is not None
    wanted = set(set_ids)
    sets = [info for info in library.sets() if info.id in wanted]
    expected = sum(getattr(info, f"{algorithm}_count") for info in sets)
    if not expected:
        return None
    index = index_factory(HEX_LENGTH[algorithm] * 4, expected, threshold)
    key = None
    if isinstance(index, MultiIndexHashIndex):
        cache = cache or IndexCache(default_cache_root(library.location))
        key = cache_key(library.location, sets, algorithm, settings.pdq_min_quality, index)
        cached = cache.load(key)
        if cached is not None:
            return cached.entry_ids, cached.index
    entry_ids, codes = load_codes(library, set_ids, algorithm, settings.pdq_min_quality)
    if not len(entry_ids):
        return None
    index.add(codes)
    if cache is not None and key is not None and isinstance(index, MultiIndexHashIndex):
        cache.store(key, entry_ids, index)
    return entry_ids, index


def perceptual_hits(
    case_engine: Engine,
    library: HashSetLibrary,
    set_ids: list[int],
    algorithm: str,
    settings: MatchSettings,
    index_factory: Callable[[int, int, int], HammingIndex] = choose_index,
    cache: IndexCache | None = None,
) -> Iterator[Hit]:
    """Files whose perceptual hash (any stored dihedral variant) is within the threshold of an entry."""
    built = perceptual_index(library, set_ids, algorithm, settings, index_factory, cache)
    if built is None:
        return
    entry_ids, index = built
    threshold = settings.threshold(algorithm)
    assert threshold is not None
    for rows in _case_perceptual_rows(case_engine, algorithm, settings.pdq_min_quality):
        yield from hits_in_rows(rows, algorithm, entry_ids, index, threshold)


def hits_in_rows(
    rows: Iterable[Any], algorithm: str, entry_ids: np.ndarray, index: HammingIndex, threshold: int
) -> list[Hit]:
    """The hits of ``(file_id, code, dihedral)`` rows on an index: the nearest variant per file and entry."""
    queries, owners = _queries(rows, algorithm)
    if not len(owners):
        return []
    lims, distances, labels = index.search_within(queries, threshold)
    best: dict[tuple[int, int], tuple[int, str]] = {}
    for q, (file_id, variant) in enumerate(owners):
        for distance, label in zip(
            distances[lims[q] : lims[q + 1]], labels[lims[q] : lims[q + 1]], strict=True
        ):
            key = (file_id, int(entry_ids[label]))
            if key not in best or int(distance) < best[key][0]:
                best[key] = (int(distance), variant)
    return [
        Hit(file_id, entry_id, algorithm, distance, variant)
        for (file_id, entry_id), (distance, variant) in sorted(best.items())
    ]


def case_rows_of(case_engine: Engine, algorithm: str, min_quality: int, file_ids: list[int]) -> list[Any]:
    """``(file_id, code, dihedral)`` of the given files that have a code of ``algorithm`` to compare."""
    columns, where = _columns(algorithm)
    with case_engine.connect() as connection:
        return connection.execute(
            text(
                f"SELECT {columns} FROM file_analysis WHERE {where} "
                "AND file_id IN (SELECT value FROM json_each(:ids)) ORDER BY file_id"
            ),
            {"ids": json.dumps(file_ids), "quality": min_quality},
        ).all()
