"""The canonical serialisation of a custody entry and its SHA-256 (``docs/custody.md`` section 3).

A record is a JSON object serialised with keys sorted, no insignificant whitespace, UTF-8, and
non-ASCII characters written as themselves. This module is the single place that defines it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text (sorted keys, ``,``/``:`` separators, no NaN/Infinity)."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"custody data is not plain JSON: {exc}") from exc


def record_dict(
    *,
    seq: int,
    ts: str,
    examiner: str,
    key_id: str,
    action: str,
    item: str | None,
    target: dict | None,
    details: dict,
    prev_hash: str,
    version: int = FORMAT_VERSION,
) -> dict[str, Any]:
    """The object that is serialised and hashed for one entry (everything except hash and signature)."""
    return {
        "v": version,
        "seq": seq,
        "ts": ts,
        "examiner": examiner,
        "key_id": key_id,
        "action": action,
        "item": item,
        "target": target,
        "details": details,
        "prev_hash": prev_hash,
    }


def canonical_bytes(record: dict[str, Any]) -> bytes:
    """UTF-8 bytes of the canonical record; refuses strings that are not valid Unicode."""
    try:
        return canonical_json(record).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"custody data holds text that is not valid Unicode: {exc}") from exc


def entry_hash(record: dict[str, Any]) -> str:
    """Lowercase hex SHA-256 of the canonical record."""
    return hashlib.sha256(canonical_bytes(record)).hexdigest()
