"""Shared helpers of the format parsers: parse context, line reading that survives bad bytes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensics.hashsets.formats.limits import (
    DEFAULT_LIMITS,
    INT64_MAX,
    INT64_MIN,
    ImportLimits,
    bounded_lines,
)
from forensics.hashsets.hashes import BadHash, parse_hex
from forensics.hashsets.records import Problem

BOM = b"\xef\xbb\xbf"


@dataclass
class ParseContext:
    """What a parser is told (format name as chosen) and what it reports back (facts)."""

    format: str
    facts: dict[str, Any] = field(default_factory=dict)
    limits: ImportLimits = DEFAULT_LIMITS


def open_text(path: Path) -> io.TextIOWrapper:
    """A text stream over a list file: UTF-8 (BOM dropped), undecodable bytes replaced, any newline."""
    return open(path, encoding="utf-8-sig", errors="replace", newline="")  # noqa: SIM115


def iter_lines(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> Iterator[tuple[int, str]]:
    """``(line_number, text)`` of every line, 1-based, without its line ending (LF, CRLF or CR).

    A line longer than ``limits.max_line_chars`` is never read whole: it ends the file with
    :class:`~forensics.hashsets.formats.limits.InputLimitExceeded`.
    """
    with open_text(path) as stream:
        for number, line in bounded_lines(stream, limits):
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


# Digits of the longest decimal a signed 64-bit integer needs (a longer digit string is never converted).
INT64_DIGITS = len(str(INT64_MAX))


def to_int(value: Any) -> int | None:
    """A signed 64-bit integer from an int, a float with no fraction or a digit string; None otherwise.

    Values the database cannot store (beyond signed 64 bits) are None, as are non-numbers.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if not isinstance(value, int):
        text = str(value).strip()
        digits = text[1:] if text.startswith("-") else text
        if not (digits.isascii() and digits.isdigit()) or len(digits) > INT64_DIGITS:
            return None
        value = int(text)
    return value if INT64_MIN <= value <= INT64_MAX else None


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
