"""Project VIC VICS JSON (1.x ``odata.metadata``, 2.0 ``@odata.context``), including NIST "CAID" sets.

Streams ``value[]`` (hash-set files) or ``value[].Media[]`` (case exports) with ijson, so that files of
millions of records are read in bounded memory; the bytes reach ijson through
:class:`~forensics.hashsets.formats.limits.BoundedJson`, which refuses hostile nesting, strings, numbers
and records before the parser sees them. A truncated file yields every complete record before the break,
then one fatal problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

from forensics.hashsets.formats.base import BOM, ParseContext, clean, to_int
from forensics.hashsets.formats.limits import (
    DEFAULT_LIMITS,
    BoundedJson,
    ImportLimits,
    InputLimitExceeded,
    bounded_json,
    check_record_count,
)
from forensics.hashsets.hashes import BadHash, parse_hex
from forensics.hashsets.records import EntryRecord, Problem

MODEL_KEYS = ("odata.metadata", "@odata.context")
MODEL_VERSION = re.compile(r"DataModels/(\d+(?:\.\d+)*)\.xml", re.IGNORECASE)
# Nesting depth of the records: ``{"value": [ {record} ]}`` (sets), ``{"value": [{"Media": [ {record} ]}]}``
# (case exports).
SET_RECORD_DEPTH = 2
DETECTION_READ = 4096  # bytes read at a time while looking for the data-model key
CASE_RECORD_DEPTH = 4


class NotVics(ValueError):
    """The JSON does not start with a VICS data-model key."""


def _open_json(path: Path, limits: ImportLimits, record_depth: int = SET_RECORD_DEPTH) -> BoundedJson:
    stream = open(path, "rb")  # noqa: SIM115
    if stream.read(len(BOM)) != BOM:
        stream.seek(0)
    return bounded_json(stream, limits, record_depth)


def read_data_model(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> str:
    """The data-model URI of a VICS file (first top-level key ``odata.metadata``/``@odata.context``)."""
    with _open_json(path, limits) as stream:
        events = ijson.parse(stream, buf_size=DETECTION_READ)
        try:
            for prefix, event, value in events:
                if prefix == "" and event == "map_key":
                    if value not in MODEL_KEYS:
                        raise NotVics(f"first key is {value!r}, not a VICS data-model key")
                    _, event, uri = next(events)
                    if event != "string":
                        raise NotVics("the data-model key has no string value")
                    return uri
                if prefix == "" and event != "start_map":
                    break
        except ijson.JSONError as exc:
            raise NotVics(f"not JSON: {exc}") from exc
    raise NotVics("not a JSON object with a VICS data-model key")


def model_version(uri: str) -> str | None:
    """``1.2``, ``1.3``, ``2.0`` ... from a data-model URI."""
    match = MODEL_VERSION.search(uri)
    return match.group(1) if match else None


def parse_vics(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """Media records of a VICS hash set or case export."""
    limits = context.limits
    uri = read_data_model(path, limits)
    context.facts.update(data_model=uri, vics_version=model_version(uri))
    is_case = uri.rstrip("/").lower().endswith("#cases")
    prefix = "value.item.Media.item" if is_case else "value.item"
    number = 0
    with _open_json(path, limits, CASE_RECORD_DEPTH if is_case else SET_RECORD_DEPTH) as stream:
        try:
            for item in ijson.items(stream, prefix, use_float=True):
                number += 1
                check_record_count(number, limits)
                yield media_record(number, item)
        except ijson.JSONError as exc:
            yield Problem(number + 1, f"JSON broken after record {number}: {exc}", fatal=True)
        except InputLimitExceeded as exc:
            # The guard reads ahead of the parser: the offending record is at or after the next one.
            raise InputLimitExceeded(f"after record {number:,}, {exc}") from None
    context.facts["records"] = number


def _alternative_sha256(item: dict[str, Any]) -> Any:
    for alt in item.get("AlternativeHashes") or []:
        if isinstance(alt, dict) and str(alt.get("HashName", "")).replace("-", "").upper() == "SHA256":
            return alt.get("HashValue")
    return None


def _file_name(item: dict[str, Any]) -> str | None:
    files = item.get("MediaFiles")
    if isinstance(files, list) and files and isinstance(files[0], dict):
        return clean(files[0].get("FileName"))
    return clean(item.get("FileName"))


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        return clean(", ".join(str(v) for v in value))
    return clean(value)


def media_record(number: int, item: Any) -> EntryRecord | Problem:
    """One VICS Media object as an entry, or the problem that makes it unusable."""
    if not isinstance(item, dict):
        return Problem(number, f"record {number} is not a JSON object")
    hashes: dict[str, bytes] = {}
    for algorithm, value in (
        ("md5", item.get("MD5")),
        ("sha1", item.get("SHA1")),
        ("sha256", item.get("SHA256") or _alternative_sha256(item)),
    ):
        if clean(value) is None:
            continue
        try:
            hashes[algorithm] = parse_hex(str(value), algorithm)
        except BadHash as exc:
            return Problem(number, f"record {number}: {exc}")
    if not hashes:
        return Problem(number, f"record {number}: no MD5, SHA1 or SHA256")
    raw_category = item.get("Category")
    category = to_int(raw_category)
    if category is None and clean(raw_category) is not None:
        return Problem(number, f"record {number}: Category {str(raw_category)[:80]!r} is not a number")
    return EntryRecord(
        record_no=number,
        media_id=clean(item.get("MediaID")),
        category=category,
        series=_text(item.get("Series")),
        tags=_text(item.get("Tags")),
        file_name=_file_name(item),
        size=to_int(item.get("MediaSize")),
        raw=item,
        md5=hashes.get("md5"),
        sha1=hashes.get("sha1"),
        sha256=hashes.get("sha256"),
    )
