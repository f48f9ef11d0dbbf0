"""Picture lists built by Custos (``forensics.hashsets.picture_list``): JSON lines with extra hashes.

The first line is the header; each later line one picture: its file hashes, its PDQ (with quality), pHash
and dHash, optional category and names, and ``variants``, the extra hashes of its central crops and turned
copies, which the importer stores in ``hash_entry_variants``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensics.hashsets.formats.base import ParseContext, clean, iter_lines, to_int
from forensics.hashsets.hashes import PERCEPTUAL_ALGORITHMS, BadHash, parse_hex
from forensics.hashsets.records import EntryRecord, Problem

FORMAT_NAME = "custos-picture-list"
FORMAT_VERSION = 1
MAX_VARIANTS = 256  # per picture; a list built by Custos has 66


def _variants(number: int, items: Any) -> list[tuple[str, str, bytes, int | None]] | Problem:
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > MAX_VARIANTS:
        return Problem(number, f"line {number}: 'variants' is not a list of at most {MAX_VARIANTS} objects")
    found = []
    for item in items:
        if not isinstance(item, dict) or item.get("algorithm") not in PERCEPTUAL_ALGORITHMS:
            return Problem(number, f"line {number}: a variant without a pdq/phash/dhash algorithm")
        label = clean(item.get("label")) or "variant"
        try:
            code = parse_hex(str(item.get("hash") or ""), item["algorithm"])
        except BadHash as exc:
            return Problem(number, f"line {number}: variant {label}: {exc}")
        quality = to_int(item.get("quality"))
        found.append(
            (item["algorithm"], label[:40], code, quality if quality is None or 0 <= quality <= 100 else None)
        )
    return found


def parse_picture_list(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """Records of a picture list; the header's facts go into ``context.facts``."""
    for number, text in iter_lines(path):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except ValueError as exc:
            yield Problem(number, f"line {number}: not JSON: {exc}")
            continue
        if not isinstance(item, dict):
            yield Problem(number, f"line {number}: not a JSON object")
            continue
        if number == 1:
            if item.get("format") != FORMAT_NAME:
                yield Problem(1, f"line 1: not a {FORMAT_NAME} header", fatal=True)
                return
            context.facts.update(list_version=item.get("version"), created_by=item.get("created_by"))
            continue
        hashes: dict[str, bytes] = {}
        problem = None
        for algorithm in ("md5", "sha1", "sha256", "pdq", "phash", "dhash"):
            value = clean(item.get(algorithm))
            if value is None:
                continue
            try:
                hashes[algorithm] = parse_hex(value, algorithm)
            except BadHash as exc:
                problem = Problem(number, f"line {number}: {exc}")
                break
        variants = _variants(number, item.get("variants"))
        if problem is None and isinstance(variants, Problem):
            problem = variants
        if problem is not None or not hashes:
            yield problem or Problem(number, f"line {number}: no hash")
            continue
        quality = to_int(item.get("pdq_quality"))
        yield EntryRecord(
            record_no=number,
            pdq_quality=quality if quality is None or 0 <= quality <= 100 else None,
            media_id=clean(item.get("media_id")),
            category=to_int(item.get("category")),
            series=clean(item.get("series")),
            tags=clean(item.get("tags")),
            file_name=clean(item.get("name")),
            size=to_int(item.get("size")),
            raw={key: value for key, value in item.items() if key != "variants"},
            variants=variants if isinstance(variants, list) else None,
            **hashes,
        )


def is_picture_list(head: str) -> bool:
    """Whether a file's first line is a picture-list header."""
    first = head.lstrip("\ufeff").split("\n", 1)[0].strip()
    if not first.startswith("{") or FORMAT_NAME not in first:
        return False
    try:
        value = json.loads(first)
    except (ValueError, RecursionError):  # not JSON, or nested past the interpreter's depth (hostile)
        return False
    return isinstance(value, dict) and value.get("format") == FORMAT_NAME
