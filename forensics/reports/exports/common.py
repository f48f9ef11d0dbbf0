"""Helpers shared by the exports: deterministic JSON, stable identifiers, output writing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

# Namespace of the stable identifiers Custos gives exported objects (uuid5 of case number + object key).
CUSTOS_NAMESPACE = uuid.UUID("7b0f7c52-6a54-4b8e-9a8f-2f6a3c1e5d10")


def stable_uuid(case_number: str, key: str) -> str:
    """The same identifier for the same object of the same case, in every export run."""
    return str(uuid.uuid5(CUSTOS_NAMESPACE, f"{case_number}\x1f{key}"))


def json_bytes(data: Any) -> bytes:
    """JSON with sorted keys, two-space indent, UTF-8, LF line ends, final newline."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_bytes(path: Path | str, data: bytes) -> bytes:
    """Write an export file; returns the bytes (for the custody record of its SHA-256)."""
    Path(path).write_bytes(data)
    return data
