"""SQL for the file table: filters and sorting done by the database, never in Python.

The SQL text is built apart from its execution, so that the GUI's table and the benchmark share it.
Joins are added only when a filter or the sort needs them: the unfiltered list of a million ids stays
a single index scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forensics.case.db import CaseDatabase
from forensics.case.queries.cursor import raw_cursor

SORT_COLUMNS: dict[str, tuple[str, str | None]] = {
    # key: (SQL expression, join it needs)
    "id": ("f.id", None),
    "name": ("f.name COLLATE NOCASE", None),
    "path": ("f.path COLLATE NOCASE", None),
    "size": ("f.size", None),
    "mtime": ("f.mtime_ns", None),
    "deleted": ("f.deleted", None),
    "md5": ("f.md5", None),
    "item": ("f.evidence_id", None),
    "type": ("a.mime", "analysis"),
    "category": ("a.category", "analysis"),
    "review": ("r.category", "review"),
}

JOINS = {
    "analysis": "LEFT JOIN file_analysis a ON a.file_id = f.id",
    "exif": "LEFT JOIN file_exif x ON x.file_id = f.id",
    "review": "LEFT JOIN review_categories r ON r.file_id = f.id",
}


@dataclass
class FileFilter:
    """What the examiner asked to see; every field narrows the list (None/False = no restriction)."""

    evidence_id: int | None = None
    filesystem_id: int | None = None
    folder: str | None = None  # direct children of this folder of ``filesystem_id`` ("/" for the root)
    text: str | None = None  # substring of the path (case-insensitive)
    category: str | None = None  # file_analysis.category: image, video, document, ...
    deleted: bool = False
    orphan: bool = False
    extension_mismatch: bool = False
    hashset_hit: bool = False
    hide_known: bool = False
    mtime_from_ns: int | None = None
    mtime_to_ns: int | None = None
    camera: str | None = None  # substring of EXIF make or model
    has_gps: bool = False
    review_category: int | None = None  # files the examiner gave this category number
    reviewed: bool | None = None  # True: files with any category; False: files with none
    tag: str | None = None  # files carrying this review tag (exact)
    files_only: bool = False  # hide directories
    carved: bool = False  # only files carved from unallocated space
    nested: bool = False  # only items found inside others (archive members, embedded objects, carved)
    inside: int | None = None  # only the items directly inside this one (an archive's members)
    extra_ids: list[int] = field(default_factory=list)  # restrict to these ids (findings -> table)


def _folder_clause(folder: str) -> tuple[str, list[Any]]:
    prefix = folder.rstrip("/") + "/"
    clause = "substr(f.path, 1, ?) = ? AND instr(substr(f.path, ?), '/') = 0 AND f.path != ?"
    return clause, [len(prefix), prefix, len(prefix) + 1, prefix.rstrip("/") or "/"]


def build_id_query(flt: FileFilter, sort: str = "id", descending: bool = False) -> tuple[str, list[Any]]:
    """``SELECT f.id ...`` with the filter's WHERE and the sort; returns SQL text and qmark params."""
    where: list[str] = []
    params: list[Any] = []
    joins: set[str] = set()
    if flt.evidence_id is not None:
        where.append("f.evidence_id = ?")
        params.append(flt.evidence_id)
    if flt.filesystem_id is not None:
        where.append("f.filesystem_id = ?")
        params.append(flt.filesystem_id)
        if flt.folder:
            clause, values = _folder_clause(flt.folder)
            where.append(clause)
            params.extend(values)
    if flt.text:
        where.append("instr(lower(f.path), ?) > 0")
        params.append(flt.text.lower())
    if flt.category:
        joins.add("analysis")
        where.append("a.category = ?")
        params.append(flt.category)
    if flt.deleted:
        where.append("f.deleted = TRUE")
    if flt.orphan:
        where.append("f.orphan = TRUE")
    if flt.extension_mismatch:
        joins.add("analysis")
        where.append("a.extension_mismatch = TRUE")
    if flt.hashset_hit:
        where.append("EXISTS (SELECT 1 FROM findings h WHERE h.file_id = f.id)")
    if flt.hide_known:
        where.append("NOT EXISTS (SELECT 1 FROM file_known k WHERE k.file_id = f.id)")
    if flt.mtime_from_ns is not None:
        where.append("f.mtime_ns >= ?")
        params.append(flt.mtime_from_ns)
    if flt.mtime_to_ns is not None:
        where.append("f.mtime_ns < ?")
        params.append(flt.mtime_to_ns)
    if flt.camera:
        joins.add("exif")
        where.append("(instr(lower(x.make), ?) > 0 OR instr(lower(x.model), ?) > 0)")
        params.extend([flt.camera.lower(), flt.camera.lower()])
    if flt.has_gps:
        joins.add("exif")
        where.append("x.gps_lat IS NOT NULL AND x.gps_lon IS NOT NULL")
    if flt.review_category is not None:
        joins.add("review")
        where.append("r.category = ?")
        params.append(flt.review_category)
    if flt.reviewed is not None:
        joins.add("review")
        where.append("r.file_id IS NOT NULL" if flt.reviewed else "r.file_id IS NULL")
    if flt.tag:
        where.append("EXISTS (SELECT 1 FROM review_tags t WHERE t.file_id = f.id AND t.tag = ?)")
        params.append(flt.tag)
    if flt.files_only:
        where.append("f.kind NOT IN ('directory', 'virtual-dir')")
    if flt.carved:
        where.append("json_extract(f.link_json, '$.kind') = 'carved'")
    if flt.nested:
        where.append("f.parent_id IS NOT NULL")
    if flt.inside is not None:
        where.append("f.parent_id = ?")
        params.append(flt.inside)
    if flt.extra_ids:
        where.append(f"f.id IN ({','.join('?' * len(flt.extra_ids))})")
        params.extend(flt.extra_ids)
    expression, join = SORT_COLUMNS.get(sort, SORT_COLUMNS["id"])
    if join:
        joins.add(join)
    direction = "DESC" if descending else "ASC"
    sql = "SELECT f.id FROM files f"
    for name in ("analysis", "exif", "review"):
        if name in joins:
            sql += " " + JOINS[name]
    if where:
        sql += " WHERE " + " AND ".join(where)
    order = f"{expression} {direction}, f.id {direction}" if expression != "f.id" else f"f.id {direction}"
    return sql + " ORDER BY " + order, params


ROW_COLUMNS = (
    "id",
    "item",
    "name",
    "path",
    "size",
    "kind",
    "deleted",
    "orphan",
    "mtime_ns",
    "md5",
    "status",
    "mime",
    "category",
    "extension_mismatch",
    "hits",
    "known",
    "review_label",
    "parent_id",
    "link",
    "children",
    "fs_type",
    "time_zone",
    "encrypted",
)


def build_rows_query(count: int) -> str:
    """The table's display fields for ``count`` ids (qmark placeholders)."""
    marks = ",".join("?" * count)
    return (
        "SELECT f.id, e.item, f.name, f.path, f.size, f.kind, f.deleted, f.orphan, f.mtime_ns, f.md5, "
        "f.status, a.mime, a.category, a.extension_mismatch, "
        "(SELECT count(*) FROM findings h WHERE h.file_id = f.id), "
        "EXISTS (SELECT 1 FROM file_known k WHERE k.file_id = f.id), r.label, f.parent_id, "
        "json_extract(f.link_json, '$.kind'), (SELECT count(*) FROM files c WHERE c.parent_id = f.id), "
        "s.fs_type, e.time_zone, "
        "EXISTS (SELECT 1 FROM json_each(f.link_json, '$.flags') j WHERE j.value = 'encrypted') "
        "FROM files f JOIN evidence e ON e.id = f.evidence_id JOIN filesystems s ON s.id = f.filesystem_id "
        "LEFT JOIN file_analysis a ON a.file_id = f.id "
        "LEFT JOIN review_categories r ON r.file_id = f.id "
        f"WHERE f.id IN ({marks})"
    )


def file_ids(
    db: CaseDatabase, flt: FileFilter, sort: str = "id", descending: bool = False, limit: int | None = None
) -> list[int]:
    """Ids of the files the filter keeps, in display order (the first ``limit`` only, if given)."""
    sql, params = build_id_query(flt, sort, descending)
    if limit is not None:
        sql, params = sql + " LIMIT ?", [*params, limit]
    with raw_cursor(db) as cur:
        cur.execute(sql, params)
        return [r[0] for r in cur.fetchall()]


def file_rows(db: CaseDatabase, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Display fields of the given files, keyed by id."""
    if not ids:
        return {}
    with raw_cursor(db) as cur:
        cur.execute(build_rows_query(len(ids)), ids)
        return {r[0]: dict(zip(ROW_COLUMNS, r, strict=True)) for r in cur.fetchall()}
