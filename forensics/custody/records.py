"""A custody entry as stored, and its conversion from a table row."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forensics.core.timeutil import utc_now_iso
from forensics.custody.canonical import record_dict

# Column order used by every reader of the table.
COLUMNS = (
    "seq",
    "format_version",
    "ts",
    "examiner",
    "key_id",
    "action",
    "item",
    "target_json",
    "details_json",
    "prev_hash",
    "entry_hash",
    "signature",
)


def utc_now() -> str:
    """Current UTC time as stored in entries, e.g. ``2026-11-22T15:48:52.123456Z``."""
    return utc_now_iso()


@dataclass(frozen=True)
class CustodyEntry:
    """One signed entry of the custody log."""

    seq: int
    ts: str
    examiner: str
    key_id: str
    action: str
    item: str | None
    target: dict[str, Any] | None
    details: dict[str, Any]
    prev_hash: str
    entry_hash: str
    signature: str
    format_version: int = 1

    def record(self) -> dict[str, Any]:
        """The hashed part of the entry (docs/custody.md section 3)."""
        return record_dict(
            seq=self.seq,
            ts=self.ts,
            examiner=self.examiner,
            key_id=self.key_id,
            action=self.action,
            item=self.item,
            target=self.target,
            details=self.details,
            prev_hash=self.prev_hash,
            version=self.format_version,
        )

    def as_json(self) -> dict[str, Any]:
        """Everything about the entry, for ``custody log --jsonl`` and exports."""
        return {**self.record(), "entry_hash": self.entry_hash, "signature": self.signature}


def entry_from_row(row: Mapping[Any, Any]) -> CustodyEntry:
    """Parse a stored row (keyed by column name); ValueError when its JSON columns are not JSON objects."""
    target = json.loads(row["target_json"]) if row["target_json"] is not None else None
    details = json.loads(row["details_json"])
    if not isinstance(details, dict) or not (target is None or isinstance(target, dict)):
        raise ValueError("details and target must be JSON objects")
    return CustodyEntry(
        seq=int(row["seq"]),
        ts=row["ts"],
        examiner=row["examiner"],
        key_id=row["key_id"],
        action=row["action"],
        item=row["item"],
        target=target,
        details=details,
        prev_hash=row["prev_hash"],
        entry_hash=row["entry_hash"],
        signature=row["signature"],
        format_version=int(row["format_version"]),
    )
