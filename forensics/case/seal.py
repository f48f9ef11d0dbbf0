"""Sealed results: a digest of every result row, signed into the custody log, so that an edit shows.

The results of a case (the listing and hashes of its items, their analysis, the findings and known
marks, the examiners' review, the verifications) are cut into *partitions*: one per table and evidence
item (``files/EXH-1``), plus ``<table>/`` for rows whose item cannot be found. Each row gives a *leaf*:
the SHA-256 of the canonical JSON of ``[table, [key], row]`` (``key`` the row's integer key, ``row``
every column by name; a binary value as ``{"sha256": hex}``). A partition's *root* is the SHA-256 of its
leaves in ascending key order, each as 64 hex digits and a newline. The leaves are kept in
``result_seal_rows``; the roots of the partitions a job wrote go into a signed ``results_sealed``
custody entry when the job ends. A verifier recomputes the leaves from the rows, names every row that
changed, appeared or vanished since the partition's last seal, and checks the kept leaves against the
signed roots (so that the kept leaves cannot be rewritten to hide an edit). Everything streams in key
order: memory does not grow with the case. The algorithm is specified in ``docs/custody.md`` for third
parties.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from forensics.core.sqldialect import execute, has_table

SEAL_FORMAT = 1
# How a row finds its evidence item: the joins from the table ``t`` and the column holding the
# evidence id. "self": the table has evidence_id; "file": through its file; "source": through its
# WhatsApp database; "message": through its WhatsApp message.
HOLDERS: dict[str, tuple[str, str]] = {
    "self": ("", "t.evidence_id"),
    "file": (" LEFT JOIN files f ON f.id = t.file_id", "f.evidence_id"),
    "finding": (
        " LEFT JOIN findings d ON d.id = t.finding_id LEFT JOIN files f ON f.id = d.file_id",
        "f.evidence_id",
    ),
    "source": (" LEFT JOIN whatsapp_sources s ON s.id = t.source_id", "s.evidence_id"),
    "message": (
        " LEFT JOIN whatsapp_messages m ON m.id = t.message_id"
        " LEFT JOIN whatsapp_sources s ON s.id = m.source_id",
        "s.evidence_id",
    ),
}
# table -> (its key: one to three integer columns, how a row finds its evidence item: a key of HOLDERS)
SEALED_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "files": (("id",), "self"),
    "file_analysis": (("file_id",), "file"),
    "file_exif": (("file_id",), "file"),
    "thumbnails": (("file_id",), "file"),
    "file_video": (("file_id",), "file"),
    "video_frames": (("file_id", "frame_number", "inside_bars"), "file"),
    "video_strip": (("file_id", "position"), "file"),
    "file_regions": (("file_id", "region_no"), "file"),
    "findings": (("id",), "file"),
    "file_known": (("id",), "file"),
    "finding_video": (("finding_id",), "finding"),
    "finding_regions": (("finding_id",), "finding"),
    "video_copies": (("file_id",), "file"),
    "review_categories": (("file_id",), "file"),
    "review_tags": (("id",), "file"),
    "review_notes": (("id",), "file"),
    "verifications": (("id",), "self"),
    "whatsapp_sources": (("id",), "self"),
    "whatsapp_messages": (("id",), "source"),
    "whatsapp_links": (("id",), "file"),
    "whatsapp_message_findings": (("id",), "message"),
}
KEY_WIDTH = 3  # kept keys are three integers (k1, k2, k3), unused places 0
Key = tuple[int, int, int]
ROWS_TABLE = "result_seal_rows"
ORPHANS = ""  # the partition of rows whose evidence item cannot be found
KEYS_NAMED = 200  # keys named per partition and kind of difference (the counts are always whole)
_BATCH = 2000


def canonical(value: Any) -> str:
    """The canonical JSON text of the custody log (sorted keys, no whitespace, UTF-8 as itself)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _plain(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"sha256": hashlib.sha256(bytes(value)).hexdigest()}
    # PostgreSQL returns what SQLite stores as 0/1 and as JSON text typed: written as SQLite holds them
    # (a boolean as 0 or 1, a JSON column as its canonical text), so one rule serves both databases.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dict | list):
        return canonical(value)
    return value


def leaf(table: str, key: list[int], row: Mapping[str, Any]) -> str:
    """The hex SHA-256 of one row's canonical record (``key``: the row's key values, in order)."""
    record = [table, key, {name: _plain(v) for name, v in row.items()}]
    return hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()


class RootBuilder:
    """A partition's root, fed its leaves in ascending key order."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self.rows = 0

    def add(self, value: str) -> None:
        self._digest.update(value.encode("ascii") + b"\n")
        self.rows += 1

    def signed_form(self) -> dict[str, Any]:
        return {"rows": self.rows, "root": self._digest.hexdigest()}


def partition_name(table: str, item: str) -> str:
    return f"{table}/{item}"


def split_partition(name: str) -> tuple[str, str]:
    table, _slash, item = name.partition("/")
    return table, item


def _query(conn: Any, sql: str, params: tuple = ()) -> tuple[list[str], Iterable[Any]]:
    """Column names and rows of qmark SQL, from a SQLAlchemy connection or a plain DB-API one (streamed)."""
    result = execute(conn, sql, params, stream=True)
    if hasattr(result, "keys"):
        return list(result.keys()), result
    return [d[0] for d in result.description or ()], result


def _has_table(conn: Any, name: str) -> bool:
    return has_table(conn, name)


def evidence_items(conn: Any) -> list[str]:
    """Every evidence item of the case, and the orphans' partition."""
    _columns, rows = _query(conn, "SELECT item FROM evidence ORDER BY item")
    return [*(r[0] for r in rows), ORPHANS]


def _rows_sql(table: str, item: str) -> tuple[str, tuple]:
    key, how = SEALED_TABLES[table]
    joins, holder = HOLDERS[how]
    source = f"{table} t{joins}"
    if item == ORPHANS:
        where = f"{holder} IS NULL OR {holder} NOT IN (SELECT id FROM evidence)"
        params: tuple = ()
    else:
        where = f"{holder} = (SELECT id FROM evidence WHERE item = ?)"
        params = (item,)
    order = ", ".join(f"t.{column}" for column in key)
    return f"SELECT t.* FROM {source} WHERE {where} ORDER BY {order}", params


def _padded(values: list[int]) -> Key:
    return tuple((values + [0] * KEY_WIDTH)[:KEY_WIDTH])  # type: ignore[return-value]


def key_text(table: str, key: Key) -> str:
    """A row's key as the examiner reads it: ``12`` or ``12/300/0`` (its table's key columns)."""
    return (
        "/".join(str(v) for v in key[: len(SEALED_TABLES[table][0])]) if table in SEALED_TABLES else str(key)
    )


def current_leaves(conn: Any, table: str, item: str) -> Iterator[tuple[Key, str]]:
    """``(key, leaf)`` of a partition's rows now in the database, in key order."""
    if not _has_table(conn, table):
        return
    columns_of_key = SEALED_TABLES[table][0]
    sql, params = _rows_sql(table, item)
    columns, rows = _query(conn, sql, params)
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        key = [int(row[c]) for c in columns_of_key]
        yield _padded(key), leaf(table, key, row)


def kept_leaves(conn: Any, table: str, item: str) -> Iterator[tuple[Key, str]]:
    """``(key, leaf)`` kept for a partition at its last seal, in key order."""
    if not _has_table(conn, ROWS_TABLE):
        return
    _columns, rows = _query(
        conn,
        f"SELECT k1, k2, k3, leaf FROM {ROWS_TABLE} WHERE tbl = ? AND item = ? ORDER BY k1, k2, k3",
        (table, item),
    )
    for k1, k2, k3, value in rows:
        yield (int(k1), int(k2), int(k3)), str(value)


def kept_partitions(conn: Any) -> list[str]:
    """Partitions that have kept leaves."""
    if not _has_table(conn, ROWS_TABLE):
        return []
    _columns, rows = _query(conn, f"SELECT DISTINCT tbl, item FROM {ROWS_TABLE}")
    return sorted(partition_name(t, i) for t, i in rows)


@dataclass
class Differences:
    """Rows of one kind of difference in a partition: how many, and the first keys."""

    count: int = 0
    keys: list[str] = field(default_factory=list)  # as key_text gives them

    def add(self, key: str) -> None:
        self.count += 1
        if len(self.keys) < KEYS_NAMED:
            self.keys.append(key)

    def as_json(self) -> dict[str, Any]:
        return {"count": self.count, "keys": self.keys}


@dataclass
class SealDifference:
    """How the rows of a case differ from their seals: keys by partition, and broken roots."""

    changed: dict[str, Differences] = field(default_factory=dict)
    appeared: dict[str, Differences] = field(default_factory=dict)
    vanished: dict[str, Differences] = field(default_factory=dict)
    tampered_seal: list[str] = field(default_factory=list)  # partitions whose kept leaves fail their root

    @property
    def clean(self) -> bool:
        return not (self.changed or self.appeared or self.vanished or self.tampered_seal)

    def rows(self) -> int:
        return sum(d.count for kind in (self.changed, self.appeared, self.vanished) for d in kind.values())

    def as_json(self) -> dict[str, Any]:
        def kind(found: dict[str, Differences]) -> dict[str, Any]:
            return {part: d.as_json() for part, d in sorted(found.items())}

        return {
            "changed": kind(self.changed),
            "appeared": kind(self.appeared),
            "vanished": kind(self.vanished),
            "tampered_seal": sorted(self.tampered_seal),
        }

    def lines(self, limit: int = 20) -> list[str]:
        """What differs, one line per partition and kind (at most ``limit`` keys named), for the examiner."""
        out: list[str] = []
        for label, found in (
            ("changed", self.changed),
            ("appeared", self.appeared),
            ("vanished", self.vanished),
        ):
            for part, d in sorted(found.items()):
                shown = ", ".join(d.keys[:limit])
                more = f" and {d.count - min(limit, len(d.keys))} more" if d.count > limit else ""
                out.append(f"{d.count} row(s) {label} since the last seal in {part}: keys {shown}{more}")
        for part in sorted(self.tampered_seal):
            out.append(
                f"the kept row digests of {part} do not give its signed root: the seal itself was altered"
            )
        return out


def _merge(
    now: Iterator[tuple[Key, str]], kept: Iterator[tuple[Key, str]], part: str, out: SealDifference
) -> RootBuilder:
    """Walk both key-ordered streams once, noting differences; returns the kept leaves' root."""
    table = split_partition(part)[0]
    built = RootBuilder()
    a: tuple[Key, str] | None = next(now, None)
    b: tuple[Key, str] | None = next(kept, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            out.appeared.setdefault(part, Differences()).add(key_text(table, a[0]))
            a = next(now, None)
            continue
        built.add(b[1])
        if a is None or b[0] < a[0]:
            out.vanished.setdefault(part, Differences()).add(key_text(table, b[0]))
        else:
            if a[1] != b[1]:
                out.changed.setdefault(part, Differences()).add(key_text(table, a[0]))
            a = next(now, None)
        b = next(kept, None)
    return built


def compare(
    conn: Any,
    signed: Mapping[str, Mapping[str, Any]],
    scope: Mapping[str, Iterable[str]] | None = None,
) -> SealDifference:
    """The rows now against their seals: ``signed`` holds each partition's last signed root; ``scope``
    (table -> items) limits the check (default: every table and item)."""
    out = SealDifference()
    items = evidence_items(conn)
    kept_parts = set(kept_partitions(conn))
    for table in SEALED_TABLES:
        if scope is not None and table not in scope:
            continue
        if scope is not None:
            chosen = set(scope[table])
        else:
            chosen = set(items) | {
                split_partition(p)[1] for p in kept_parts | set(signed) if p.startswith(table + "/")
            }
        for item in sorted(chosen):
            part = partition_name(table, item)
            built = _merge(current_leaves(conn, table, item), kept_leaves(conn, table, item), part, out)
            expected = signed.get(part)
            if expected is None:
                if built.rows:
                    out.tampered_seal.append(part)  # kept leaves no seal ever signed
            elif dict(expected) != built.signed_form():
                out.tampered_seal.append(part)
    return out


def seal(conn: Any, scope: Mapping[str, Iterable[str]]) -> dict[str, dict[str, Any]]:
    """Recompute and keep the leaves of ``scope`` (table -> items); returns each partition's root.

    The caller signs the returned roots into the custody log in the same transaction (the kept leaves
    alone prove nothing).
    """
    roots: dict[str, dict[str, Any]] = {}
    for table, items in scope.items():
        for item in sorted(set(items)):
            execute(conn, f"DELETE FROM {ROWS_TABLE} WHERE tbl = ? AND item = ?", (table, item))
            built = RootBuilder()
            batch: list[tuple[str, str, int, int, int, str]] = []
            for key, value in current_leaves(conn, table, item):
                built.add(value)
                batch.append((table, item, *key, value))
                if len(batch) >= _BATCH:
                    _keep(conn, batch)
            _keep(conn, batch)
            roots[partition_name(table, item)] = built.signed_form()
    return roots


def _keep(conn: Any, batch: list[tuple[str, str, int, int, int, str]]) -> None:
    if batch:
        execute(
            conn, f"INSERT INTO {ROWS_TABLE} (tbl, item, k1, k2, k3, leaf) VALUES (?, ?, ?, ?, ?, ?)", batch
        )
        batch.clear()


def full_scope(conn: Any) -> dict[str, list[str]]:
    """Every table and every item (with the orphans' partition)."""
    items = evidence_items(conn)
    return {table: list(items) for table in SEALED_TABLES if _has_table(conn, table)}


def signed_roots(seal_details: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each partition's last signed root, from the details of the ``results_sealed`` entries in order."""
    latest: dict[str, dict[str, Any]] = {}
    for details in seal_details:
        latest.update(details.get("partitions", {}))
    return latest


# Custody actions whose entries sign partition roots (``details.partitions``): the seal after a job, and
# the two that rewrite the pictures (a new case key seals them, a removal re-seals them under a new key).
SEALING_ACTIONS = ("results_sealed", "case_key_created", "examiner_removed")


def signed_in_log(conn: Any) -> dict[str, dict[str, Any]] | None:
    """Each partition's last signed root from the case's custody log; None when nothing was ever sealed."""
    marks = ", ".join("?" * len(SEALING_ACTIONS))
    _columns, rows = _query(
        conn,
        f"SELECT details_json FROM custody_log WHERE action IN ({marks}) ORDER BY seq",
        tuple(SEALING_ACTIONS),
    )
    found = [d for d in (json.loads(r[0]) for r in rows) if "partitions" in d]
    return signed_roots(found) if found else None


@dataclass
class SealPlan:
    """What a rewrite found before it began, and what it will seal when it ends."""

    scope: dict[str, list[str]] | None  # None: the case's first seal, of everything
    found: dict[str, Any] | None = None
    signed: dict[str, dict[str, Any]] = field(default_factory=dict)  # the roots signed before


def plan_seal(conn: Any, tables: Iterable[str], items: Iterable[str] | None = None) -> SealPlan:
    """Before a rewrite of ``tables`` (for ``items``, default all): compare them with their seals."""
    signed = signed_in_log(conn)
    if signed is None:
        return SealPlan(None)
    everything = full_scope(conn)
    chosen = sorted(set(items)) if items is not None else None
    scope = {t: (chosen if chosen is not None else everything[t]) for t in tables if t in everything}
    before = compare(conn, signed, scope)
    return SealPlan(scope, None if before.clean else before.as_json(), signed)


def finish_seal(conn: Any, plan: SealPlan) -> dict[str, Any]:
    """After the rewrite, in the transaction of the custody entry: keep the leaves; the details to sign."""
    scope = plan.scope if plan.scope is not None else full_scope(conn)
    details: dict[str, Any] = {
        "partitions": seal(conn, scope),
        "rules": {table: [list(SEALED_TABLES[table][0]), SEALED_TABLES[table][1]] for table in sorted(scope)},
    }
    if plan.found is not None:
        details["found_before"] = plan.found
    return details
