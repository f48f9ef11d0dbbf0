"""Line-oriented hash lists: plain one-hash-per-line, X-Ways text, md5sum/sha*sum, hashdeep."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from forensics.hashsets.formats.base import ParseContext, iter_lines, to_int
from forensics.hashsets.hashes import BadHash, algorithm_name, guess_crypto_algorithm, parse_hex
from forensics.hashsets.records import EntryRecord, Problem

GNU_SUM = re.compile(r"^\\?([0-9A-Fa-f]+) [ *](.*)$")
BSD_SUM = re.compile(r"^(MD5|SHA1|SHA-1|SHA256|SHA-256) ?\((.*)\) ?= ?([0-9A-Fa-f]+)$", re.IGNORECASE)
XWAYS_HEADERS = {"MD5", "SHA-1", "SHA1", "SHA-256", "SHA256"}


def _skip(text: str) -> bool:
    return not text.strip() or text.lstrip().startswith("#")


def _entry(number: int, value: str, algorithm: str | None, **meta: object) -> EntryRecord | Problem:
    try:
        algorithm = algorithm or guess_crypto_algorithm(value)
        digest = parse_hex(value, algorithm)
    except BadHash as exc:
        return Problem(number, f"line {number}: {exc}")
    return EntryRecord(record_no=number, **{algorithm: digest}, **meta)  # type: ignore[arg-type]


def parse_plain(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """One hash per line; its algorithm from its length (32/40/64), or as forced by the context."""
    forced = context.facts.get("algorithm")
    for number, text in iter_lines(path, context.limits):
        if _skip(text):
            continue
        yield _entry(number, text.strip(), forced)


def parse_sha256_list(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """One SHA-256 per line (``--format sha256``: a list of 64-hex lines named as file hashes)."""
    context.facts["algorithm"] = "sha256"
    yield from parse_plain(path, context)


def parse_xways(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """X-Ways text: the first line names the hash type (``MD5``, ``SHA-1``, ``SHA-256``)."""
    algorithm: str | None = None
    for number, text in iter_lines(path, context.limits):
        if algorithm is None:
            algorithm = algorithm_name(text)
            if algorithm not in ("md5", "sha1", "sha256"):
                yield Problem(number, f"line {number}: {text.strip()!r} is not a hash type name", fatal=True)
                return
            context.facts["algorithm"] = algorithm
            continue
        if _skip(text):
            continue
        yield _entry(number, text.strip(), algorithm)


def parse_sumfile(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """``md5sum``/``sha1sum``/``sha256sum`` output, GNU (text or ``*`` binary) and BSD forms."""
    for number, text in iter_lines(path, context.limits):
        if _skip(text):
            continue
        gnu = GNU_SUM.match(text)
        if gnu:
            yield _entry(number, gnu.group(1), None, file_name=gnu.group(2) or None)
            continue
        bsd = BSD_SUM.match(text)
        if bsd:
            yield _entry(number, bsd.group(3), algorithm_name(bsd.group(1)), file_name=bsd.group(2) or None)
            continue
        yield Problem(number, f"line {number}: not '<hash>  <name>' nor 'ALG (<name>) = <hash>'")


def parse_hashdeep(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """hashdeep/md5deep audit files: ``%%%% size,md5,sha256,filename`` declares the columns."""
    columns: list[str] | None = None
    for number, text in iter_lines(path, context.limits):
        if text.startswith("%%%%"):
            body = text[4:].strip()
            if "," in body:
                columns = [c.strip().lower() for c in body.split(",")]
            continue
        if text.startswith("##") or not text.strip():
            continue
        if columns is None:
            yield Problem(number, f"line {number}: data before the '%%%% size,...' header", fatal=True)
            return
        cells = text.split(",", len(columns) - 1)
        if len(cells) != len(columns):
            yield Problem(number, f"line {number}: {len(cells)} fields, expected {len(columns)}")
            continue
        row = dict(zip(columns, cells, strict=True))
        hashes: dict[str, bytes] = {}
        bad: Problem | None = None
        for column, value in row.items():
            algorithm = algorithm_name(column)
            if algorithm in ("md5", "sha1", "sha256"):
                try:
                    hashes[algorithm] = parse_hex(value, algorithm)
                except BadHash as exc:
                    bad = Problem(number, f"line {number}: {exc}")
                    break
        if bad or not hashes:
            yield bad or Problem(number, f"line {number}: no md5, sha1 or sha256 column")
            continue
        yield EntryRecord(
            record_no=number,
            file_name=row.get("filename"),
            size=to_int(row.get("size")),
            raw=row,
            md5=hashes.get("md5"),
            sha1=hashes.get("sha1"),
            sha256=hashes.get("sha256"),
        )
