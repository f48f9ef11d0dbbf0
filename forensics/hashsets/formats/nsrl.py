"""NIST NSRL: RDS v3 SQLite databases (full and minimal) and the RDS 2.x ``NSRLFile.txt`` CSV.

RDS v3 variants are told apart as NSRLConvert-PY does: a ``DISTINCT_HASH`` view means *minimal*
(``FILE`` is a table), a ``FILE`` view over ``METADATA`` means *full*. Both expose ``FILE(sha256,
sha1, md5, file_name, file_size, package_id)`` with upper-case hex, which is what is read. The
database is opened read-only and immutable, so no journal file is ever created beside it.
"""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from forensics.hashsets.formats.base import ParseContext, clean, open_text, parse_hash_pairs, to_int
from forensics.hashsets.formats.limits import (
    BoundedLineFile,
    InputLimitExceeded,
    check_record_count,
    csv_rows,
)
from forensics.hashsets.records import EntryRecord, Problem

SQLITE_MAGIC = b"SQLite format 3\x00"
RDS2_HEADER = ("SHA-1", "MD5", "CRC32", "FileName", "FileSize", "ProductCode", "OpSystemCode")


RDS3_ROWS = "SELECT sha256, sha1, md5, file_name, file_size, package_id FROM FILE"


class NotRds(ValueError):
    """The SQLite database is not shaped like an RDS v3 release."""


def open_readonly(path: Path) -> sqlite3.Connection:
    """A read-only, immutable connection: the source file is never written."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def rds3_variant(connection: sqlite3.Connection) -> str:
    """``minimal`` or ``full`` from the objects in ``sqlite_master``."""
    objects = {
        (name.upper(), kind) for kind, name in connection.execute("SELECT type, name FROM sqlite_master")
    }
    if ("DISTINCT_HASH", "view") in objects and ("FILE", "table") in objects:
        return "minimal"
    if ("FILE", "view") in objects and ("METADATA", "table") in objects:
        return "full"
    raise NotRds("no FILE view over METADATA (full) nor FILE table with DISTINCT_HASH view (minimal)")


def rds3_version(connection: sqlite3.Connection) -> str | None:
    """The newest ``VERSION.version`` of the release, if the table has one."""
    try:
        row = connection.execute("SELECT version FROM VERSION ORDER BY version DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _text(value: bytes) -> str:
    return value.decode("utf-8", "replace")


def _plain(value: object) -> object:
    """A column value as JSON can hold it (a BLOB as hex)."""
    return value.hex() if isinstance(value, bytes) else value


def _rows_of(connection: sqlite3.Connection, context: ParseContext) -> Iterator[tuple]:
    """The rows of ``FILE``; a value beyond the field limit refuses the file, naming the last good row.

    (The driver reads a row ahead, so the row that broke the limit is the next one or the one after.)
    """
    number = 0
    try:
        for number, row in enumerate(connection.execute(RDS3_ROWS), start=1):  # noqa: B007
            yield row
    except sqlite3.DataError as exc:
        limit = context.limits.max_field_bytes
        raise InputLimitExceeded(
            f"after row {number:,}: a value longer than {limit:,} bytes (field length limit): {exc}"
        ) from None


def parse_rds3(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """Rows of the ``FILE`` object of an RDS v3 database."""
    connection = open_readonly(path)
    try:
        # SQLite refuses to load a value beyond the field limit (a hostile database may hold a 1 GB name)
        # instead of reading it into memory; text that is not UTF-8 is kept with replacement characters.
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, context.limits.max_field_bytes)
        connection.text_factory = _text
        try:
            variant = rds3_variant(connection)
        except sqlite3.DatabaseError as exc:
            raise NotRds(f"not a readable SQLite database: {exc}") from exc
        context.facts.update(variant=variant, version=rds3_version(connection))
        for number, (sha256, sha1, md5, name, size, package) in enumerate(_rows_of(connection, context), 1):
            check_record_count(number, context.limits, "row")
            hashes = parse_hash_pairs(number, (("sha256", sha256), ("sha1", sha1), ("md5", md5)), "row")
            if isinstance(hashes, Problem):
                yield hashes
                continue
            yield EntryRecord(
                record_no=number,
                file_name=clean(name),
                size=to_int(size),
                raw={"file_name": _plain(name), "file_size": _plain(size), "package_id": _plain(package)},
                md5=hashes.get("md5"),
                sha1=hashes.get("sha1"),
                sha256=hashes.get("sha256"),
            )
    finally:
        connection.close()


def parse_rds2(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """Lines of an RDS 2.x ``NSRLFile.txt`` (header line with the field names first)."""
    with open_text(path) as stream:
        reader = csv.reader(BoundedLineFile(stream, context.limits))
        header = next(csv_rows(reader, reader), None)
        if not header or "SHA-1" not in header or "MD5" not in header:
            yield Problem(1, "line 1: not an NSRLFile.txt header", fatal=True)
            return
        columns = {name: index for index, name in enumerate(header)}
        for row in csv_rows(reader, reader):
            number = reader.line_num
            if len(row) != len(header):
                yield Problem(number, f"line {number}: {len(row)} fields, expected {len(header)}")
                continue
            values = {name: row[index] for name, index in columns.items()}
            hashes = parse_hash_pairs(number, (("sha1", values.get("SHA-1")), ("md5", values.get("MD5"))))
            if isinstance(hashes, Problem):
                yield hashes
                continue
            yield EntryRecord(
                record_no=number,
                file_name=clean(values.get("FileName")),
                size=to_int(values.get("FileSize")),
                raw=values,
                md5=hashes.get("md5"),
                sha1=hashes.get("sha1"),
                sha256=hashes.get("sha256"),
            )
