"""Shared helpers of the format parsers: parse context, line reading that survives bad bytes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensics.hashsets.hashes import BadHash, parse_hex
from forensics.hashsets.records import Problem

BOM = b"\xef\xbb\xbf"


@dataclass
class ParseContext:
    """What a parser is told (format name as chosen) and what it reports back (facts)."""

    format: str
    facts: dict[str, Any] = field(default_factory=dict)


def open_text(path: Path) -> io.TextIOWrapper:
    """A text stream over a list file: UTF-8 (BOM dropped), undecodable bytes replaced, any newline."""
    return open(path, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """``(line_number, text)`` of every line, 1-based, without its line ending (LF, CRLF or CR)."""
    with open_text(path) as stream:
        for number, line in enumerate(stream, start=1):
            yield number, line.rstrip("\r\n")


def head_text(path: Path, size: int = 65536) -> str:
    """The first bytes of a file as text, for format detection."""
    with open(path, "rb") as stream:
        data = stream.read(size)
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return data.decode("utf-8", errors="replace")


def clean(value: Any) -> str | None:
    """A stripped string, or None when empty or missing."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def to_int(value: Any) -> int | None:
    """An integer from an int, a float with no fraction or a digit string; None otherwise."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return None


def parse_hash_pairs(
    number: int, pairs: tuple[tuple[str, str | None], ...], unit: str = "line"
) -> dict[str, bytes] | Problem:
    """The non-empty hashes of one record as bytes, or the problem with its line/row number."""
    found: dict[str, bytes] = {}
    for algorithm, value in pairs:
        if clean(value) is None:
            continue
        try:
            found[algorithm] = parse_hex(str(value), algorithm)
        except BadHash as exc:
            return Problem(number, f"{unit} {number}: {exc}")
    return found or Problem(number, f"{unit} {number}: no hash")
