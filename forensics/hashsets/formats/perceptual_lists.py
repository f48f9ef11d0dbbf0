"""Perceptual hash lists: PDQ lists (bare, with metadata, ThreatExchange files), 64-bit imagehash lists.

Accepted PDQ lines: ``<64 hex>``; ``<64 hex>,<quality>[,<name>]`` (reference hasher output);
``<64 hex> <anything>``; ``pdq <64 hex>`` (ThreatExchange local file). The ThreatExchange CLI CSV export
(``signal_type,signal_str,collab,category,tags``) gives PDQ rows and ``video_md5`` rows.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from forensics.hashsets.formats.base import ParseContext, clean, iter_lines, open_text, to_int
from forensics.hashsets.formats.limits import BoundedLineFile, csv_rows
from forensics.hashsets.formats.video_lists import vpdq_signal_entries
from forensics.hashsets.hashes import BadHash, parse_hex
from forensics.hashsets.records import EntryRecord, Problem

TE_CSV_HEADER = ("signal_type", "signal_str")
SEPARATOR = re.compile(r"[,;\t ]+")


def _split(text: str) -> list[str]:
    return [part for part in SEPARATOR.split(text.strip(), maxsplit=2) if part]


def parse_pdq_list(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """One PDQ hash per line, optional quality and free metadata after it."""
    for number, text in iter_lines(path, context.limits):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        parts = _split(text)
        if parts[0].lower() == "pdq" and len(parts) > 1:
            parts = parts[1:]
        try:
            digest = parse_hex(parts[0], "pdq")
        except BadHash as exc:
            yield Problem(number, f"line {number}: {exc}")
            continue
        rest = parts[1:]
        quality = to_int(rest[0]) if rest else None
        if quality is not None and not 0 <= quality <= 100:
            quality = None
        meta = " ".join(rest[1:] if quality is not None else rest) or None
        yield EntryRecord(
            record_no=number,
            pdq=digest,
            pdq_quality=quality,
            file_name=meta,
            raw={"line": text} if meta or quality is not None else None,
        )


def parse_threatexchange_csv(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """``threatexchange dataset --csv`` export: PDQ and video MD5 signals with category and tags."""
    with open_text(path) as stream:
        reader = csv.DictReader(BoundedLineFile(stream, context.limits))
        if tuple((reader.fieldnames or [])[:2]) != TE_CSV_HEADER:
            yield Problem(1, "line 1: header does not start with signal_type,signal_str", fatal=True)
            return
        for row in csv_rows(reader, reader.reader):
            number = reader.line_num
            signal_type = (row.get("signal_type") or "").strip().lower()
            if signal_type == "vpdq":  # one listed video per row, one entry per frame
                extra = {"collab": clean(row.get("collab")), "category": clean(row.get("category"))}
                video = f"{path.name}#{number}"
                yield from vpdq_signal_entries(number, video, row.get("signal_str") or "", extra)
                continue
            algorithm = {"pdq": "pdq", "video_md5": "md5"}.get(signal_type)
            if algorithm is None:
                yield Problem(
                    number, f"line {number}: signal type {signal_type!r} is not pdq, video_md5 or vpdq"
                )
                continue
            try:
                digest = parse_hex(row.get("signal_str") or "", algorithm)
            except BadHash as exc:
                yield Problem(number, f"line {number}: {exc}")
                continue
            yield EntryRecord(
                record_no=number,
                series=clean(row.get("collab")),
                tags=clean(row.get("tags")),
                raw=dict(row),
                **{algorithm: digest},  # type: ignore[arg-type]
            )


def parse_imagehash_list(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """64-bit imagehash strings (16 hex), one per line; the algorithm is the format name."""
    algorithm = context.format
    for number, text in iter_lines(path, context.limits):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        parts = _split(text)
        try:
            digest = parse_hex(parts[0], algorithm)
        except BadHash as exc:
            yield Problem(number, f"line {number}: {exc}")
            continue
        meta = " ".join(parts[1:]) or None
        yield EntryRecord(record_no=number, file_name=meta, **{algorithm: digest})  # type: ignore[arg-type]
