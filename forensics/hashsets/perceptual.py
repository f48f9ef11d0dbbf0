"""Perceptual matching: case pictures within a Hamming distance of an entry (PDQ, pHash, dHash).

The library side is a Hamming index over the selected sets' codes (cached on disk for multi-index
hashing) with the extra codes of lists built by Custos (``hash_entry_variants``: crops of each listed
picture); the case side is every stored hash of ``file_analysis`` with its eight dihedral variants (PDQ's in
``file_analysis``, pHash/dHash's in the ``whole`` row of ``file_regions``) and the hashes of the content
regions found inside each picture (``file_regions``), docs/matching.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, inspect, select, text

from forensics.core.sqldialect import json_ids_sql
from forensics.hashsets.hamming import HammingIndex, choose_index
from forensics.hashsets.hashes import HEX_LENGTH
from forensics.hashsets.hits import DIHEDRAL_VARIANTS, Hit, MatchSettings, Region, hex_bytes
from forensics.hashsets.index_cache import IndexCache, cache_key, default_cache_root
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.mih import MultiIndexHashIndex
from forensics.hashsets.models import HashEntry, HashEntryVariant

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


def load_variant_codes(
    library: HashSetLibrary, set_ids: list[int], algorithm: str, min_quality: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Extra codes of list entries (lists built by Custos): ids are the NEGATED variant row ids."""
    width = HEX_LENGTH[algorithm] // 2
    table = HashEntryVariant.__table__
    where = [
        table.c.set_id.in_(set_ids),
        table.c.algorithm == algorithm,
        func.length(table.c.code) == width,
    ]
    if algorithm == "pdq" and min_quality is not None:
        where.append(table.c.quality.is_(None) | (table.c.quality >= min_quality))
    with library.engine.connect() as connection:
        rows = connection.execute(select(table.c.id, table.c.code).where(*where).order_by(table.c.id)).all()
    if not rows:
        return np.zeros(0, np.int64), np.zeros((0, width), np.uint8)
    ids = -np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    codes = np.frombuffer(b"".join(bytes(row[1]) for row in rows), dtype=np.uint8).reshape(len(rows), width)
    return ids, codes


def _joined(ids: list[np.ndarray], codes: list[np.ndarray], width: int) -> tuple[np.ndarray, np.ndarray]:
    if not ids:
        return np.zeros(0, np.int64), np.zeros((0, width), np.uint8)
    return np.concatenate(ids), np.concatenate(codes)


Owner = tuple[int, str, Region | None]  # file id, dihedral variant, content region


def _columns(algorithm: str, settings: MatchSettings) -> tuple[str, str]:
    """Columns and condition of the case rows that have a code of ``algorithm`` to compare (quality gate)."""
    gate = "(pdq_quality IS NULL OR pdq_quality >= :quality)"
    if algorithm == "pdq":
        return "file_id, pdq, pdq_dihedral", f"pdq IS NOT NULL AND {gate}"
    where = f"{algorithm} IS NOT NULL" + (f" AND {gate}" if settings.gate_64bit else "")
    return f"file_id, {algorithm}, NULL", where


def _case_perceptual_rows(
    case_engine: Engine, algorithm: str, settings: MatchSettings
) -> Iterator[Sequence[Any]]:
    """Pages of ``(file_id, code, dihedral)`` from ``file_analysis`` (quality gate applied)."""
    columns, where = _columns(algorithm, settings)
    last = 0
    while True:
        with case_engine.connect() as connection:
            rows = connection.execute(
                text(
                    f"SELECT {columns} FROM file_analysis WHERE {where} AND file_id > :last "
                    "ORDER BY file_id LIMIT :page"
                ),
                {"last": last, "page": PAGE, "quality": settings.pdq_min_quality},
            ).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _region_rows(
    case_engine: Engine, algorithm: str, settings: MatchSettings, file_ids: list[int]
) -> Sequence[Any]:
    """``file_regions`` rows of these files: (file_id, kind, x, y, w, h, code, dihedral)."""
    where = f"file_id IN ({json_ids_sql(case_engine, ':ids')})"
    if algorithm == "pdq":
        where += " AND kind != 'whole' AND pdq IS NOT NULL AND pdq_quality >= :quality"
    elif settings.gate_64bit:
        where += " AND (kind = 'whole' OR pdq_quality >= :quality)"
    with case_engine.connect() as connection:
        return connection.execute(
            text(
                f"SELECT file_id, kind, x, y, w, h, {algorithm}, {algorithm}_dihedral FROM file_regions "
                f"WHERE {where} ORDER BY file_id, region_no"
            ),
            {"ids": json.dumps(file_ids), "quality": settings.pdq_min_quality},
        ).all()


def _add_code(
    codes: list[bytes], owners: list[Owner], algorithm: str, value: Any, dihedral: Any, owner: Owner
) -> None:
    """One query code, or its 8 dihedral variants when they are stored."""
    width = HEX_LENGTH[algorithm] // 2
    code = hex_bytes(value, algorithm)
    if code is None:
        return
    file_id, _, region = owner
    variants = bytes(dihedral) if dihedral is not None else b""
    if len(variants) == width * len(DIHEDRAL_VARIANTS):
        for index, name in enumerate(DIHEDRAL_VARIANTS):
            codes.append(variants[index * width : (index + 1) * width])
            owners.append((file_id, name, region))
    else:
        codes.append(code)
        owners.append(owner)


def _queries(
    rows: Iterable[Any], algorithm: str, regions: Iterable[Any] = ()
) -> tuple[np.ndarray, list[Owner]]:
    """Query codes (all dihedral variants when stored, content regions too) and who each one belongs to.

    A file's ``whole`` row of ``file_regions`` gives the dihedral variants of its 64-bit hashes; it replaces
    the single stored code. Only files of ``rows`` (which passed the quality gate) are queried.
    """
    width = HEX_LENGTH[algorithm] // 2
    codes: list[bytes] = []
    owners: list[Owner] = []
    whole_variants: dict[int, Any] = {}
    by_file: dict[int, list[Any]] = {}
    for row in regions:
        if row[1] == "whole":
            whole_variants[row[0]] = row[7]
        else:
            by_file.setdefault(row[0], []).append(row)
    for file_id, value, dihedral in rows:
        if dihedral is None:
            dihedral = whole_variants.get(file_id)
        _add_code(codes, owners, algorithm, value, dihedral, (file_id, "original", None))
        for _, kind, x, y, w, h, code, variants in by_file.get(file_id, ()):
            _add_code(codes, owners, algorithm, code, variants, (file_id, "original", (kind, x, y, w, h)))
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
    variant_ids, variant_codes = load_variant_codes(library, set_ids, algorithm, settings.pdq_min_quality)
    if len(variant_ids):
        entry_ids = np.concatenate([entry_ids, variant_ids])
        codes = np.concatenate([codes, variant_codes])
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
    """Files whose perceptual hash is within the threshold of an entry: any stored dihedral variant of the
    whole picture or of a content region, against an entry's own code or its extra codes (list crops).

    One hit per (file, entry): the closest code; the whole picture wins ties.
    """
    built = perceptual_index(library, set_ids, algorithm, settings, index_factory, cache)
    if built is None:
        return
    entry_ids, index = built
    threshold = settings.threshold(algorithm)
    assert threshold is not None
    with_regions = settings.regions and inspect(case_engine).has_table("file_regions")
    for rows in _case_perceptual_rows(case_engine, algorithm, settings):
        yield from hits_in_rows(case_engine, library, rows, algorithm, settings, built, with_regions)


def hits_in_rows(
    case_engine: Engine,
    library: HashSetLibrary,
    rows: Sequence[Any],
    algorithm: str,
    settings: MatchSettings,
    built: tuple[np.ndarray, HammingIndex],
    with_regions: bool,
) -> list[Hit]:
    """The hits of ``(file_id, code, dihedral)`` rows (and their files' content regions) on an index.

    One hit per (file, entry): the closest code; the whole picture wins ties (it comes first).
    """
    entry_ids, index = built
    threshold = settings.threshold(algorithm)
    assert threshold is not None
    if not rows:
        return []
    regions = _region_rows(case_engine, algorithm, settings, [row[0] for row in rows]) if with_regions else []
    queries, owners = _queries(rows, algorithm, regions)
    if not len(owners):
        return []
    lims, distances, labels = index.search_within(queries, threshold)
    best: dict[tuple[int, int], tuple[int, Owner]] = {}
    for q, owner in enumerate(owners):
        for distance, label in zip(
            distances[lims[q] : lims[q + 1]], labels[lims[q] : lims[q + 1]], strict=True
        ):
            key = (owner[0], int(entry_ids[label]))
            if key not in best or int(distance) < best[key][0]:
                best[key] = (int(distance), owner)
    variants = _variant_rows(library, [-row for _, row in best if row < 0])
    per_entry: dict[tuple[int, int], Hit] = {}
    for (file_id, row), (distance, (_, variant, region)) in sorted(best.items()):
        list_variant = code = None
        entry_id = row
        if row < 0:
            entry_id, list_variant, code = variants[-row]
        hit = Hit(file_id, entry_id, algorithm, distance, variant, region, list_variant, code)
        key = (file_id, entry_id)
        if key not in per_entry or distance < per_entry[key].distance:
            per_entry[key] = hit
    return [per_entry[key] for key in sorted(per_entry)]


def _variant_rows(library: HashSetLibrary, ids: list[int]) -> dict[int, tuple[int, str, bytes]]:
    """``id -> (entry_id, label, code)`` of list-entry variant rows."""
    found: dict[int, tuple[int, str, bytes]] = {}
    table = HashEntryVariant.__table__
    with library.engine.connect() as connection:
        for start in range(0, len(ids), PAGE):
            query = select(table.c.id, table.c.entry_id, table.c.label, table.c.code).where(
                table.c.id.in_(ids[start : start + PAGE])
            )
            for variant_id, entry_id, label, code in connection.execute(query):
                found[variant_id] = (entry_id, label, bytes(code))
    return found


def case_rows_of(
    case_engine: Engine, algorithm: str, settings: MatchSettings, file_ids: list[int]
) -> list[Any]:
    """``(file_id, code, dihedral)`` of the given files that have a code of ``algorithm`` to compare."""
    columns, where = _columns(algorithm, settings)
    with case_engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    f"SELECT {columns} FROM file_analysis WHERE {where} "
                    f"AND file_id IN ({json_ids_sql(connection, ':ids')}) ORDER BY file_id"
                ),
                {"ids": json.dumps(file_ids), "quality": settings.pdq_min_quality},
            ).all()
        )
