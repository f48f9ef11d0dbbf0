"""Header-driven CSV hash lists: Interpol ICSE baseline (``;``) and HashKeeper (NDIC)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from forensics.hashsets.formats.base import ParseContext, clean, open_text, parse_hash_pairs, to_int
from forensics.hashsets.formats.limits import DEFAULT_LIMITS, BoundedLineFile, ImportLimits, csv_rows
from forensics.hashsets.records import EntryRecord, Problem

ICSE_HEADER_START = ("MD5", "SHA1", "PhotoDNA", "Image ID")
HASHKEEPER_HEADER_START = ("file_id", "hashset_id", "file_name", "directory", "hash")


def _rows(
    path: Path, delimiter: str, expected: tuple[str, ...], limits: ImportLimits = DEFAULT_LIMITS
) -> Iterator[tuple[int, dict[str, str]] | Problem]:
    with open_text(path) as stream:
        reader = csv.reader(BoundedLineFile(stream, limits), delimiter=delimiter)
        header = [name.strip() for name in next(csv_rows(reader, reader), [])]
        if tuple(header[: len(expected)]) != expected:
            yield Problem(1, f"line 1: header does not start with {', '.join(expected)}", fatal=True)
            return
        for row in csv_rows(reader, reader):
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield Problem(number, f"line {number}: {len(row)} fields, expected {len(header)}")
                continue
            yield number, dict(zip(header, row, strict=True))


def parse_icse(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """Interpol ICSE baseline CSV: ``MD5;SHA1;PhotoDNA;Image ID;...;Series name;...``."""
    for item in _rows(path, ";", ICSE_HEADER_START, context.limits):
        if isinstance(item, Problem):
            yield item
            continue
        number, row = item
        hashes = parse_hash_pairs(number, (("md5", row.get("MD5")), ("sha1", row.get("SHA1"))))
        if isinstance(hashes, Problem):
            yield hashes
            continue
        yield EntryRecord(
            record_no=number,
            media_id=clean(row.get("Image ID")),
            series=clean(row.get("Series name")),
            raw=row,
            md5=hashes.get("md5"),
            sha1=hashes.get("sha1"),
            sha256=hashes.get("sha256"),
        )


def parse_hashkeeper(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """HashKeeper CSV: quoted header ``"file_id","hashset_id","file_name","directory","hash",...``."""
    for item in _rows(path, ",", HASHKEEPER_HEADER_START, context.limits):
        if isinstance(item, Problem):
            yield item
            continue
        number, row = item
        hashes = parse_hash_pairs(number, (("md5", row.get("hash")),))
        if isinstance(hashes, Problem):
            yield hashes
            continue
        yield EntryRecord(
            record_no=number,
            file_name=clean(row.get("file_name")),
            size=to_int(row.get("file_size")),
            raw=row,
            md5=hashes.get("md5"),
            sha1=hashes.get("sha1"),
            sha256=hashes.get("sha256"),
        )
