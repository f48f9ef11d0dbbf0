"""Hard limits on what a hash-list file may make the importer read or hold, and the readers that keep them.

A hostile list (a million nested arrays, one 512 MiB string, a 2 GiB line) must fail fast with one clear
line, never stall the workstation or exhaust its memory. Every limit is a field of :class:`ImportLimits`
(the defaults are far above what real lists hold); a file that breaks one fails as a whole with
:class:`InputLimitExceeded`, naming the limit and where (line, record or byte offset) it was met.

``BoundedJson`` sits between a JSON file and ijson: it scans each chunk before the parser sees it (nesting
depth, string and number length, bytes of one record), with a few C-level byte operations per chunk
(count, translate, find, numpy over the chunk's quotes and brackets) rather than one Python step per
token, so that it costs little beside the parser itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

import numpy as np

from forensics.hashsets.errors import HashSetError

MIB = 1 << 20
CHUNK = 64 * 1024  # bytes scanned at a time by BoundedJson


class InputLimitExceeded(HashSetError):
    """The list breaks one of the import limits; the whole file is refused."""


@dataclass(frozen=True)
class ImportLimits:
    """The most an import reads or holds at once; a file beyond any of them is refused."""

    max_line_chars: int = MIB  # characters of one line of a text or CSV list
    max_field_bytes: int = MIB  # bytes of one JSON string (a field name or value)
    max_number_chars: int = 64  # characters of one JSON number
    max_depth: int = 32  # nesting of JSON arrays and objects
    max_record_bytes: int = 4 * MIB  # bytes of one JSON record (a Media object)
    max_records: int = 1_000_000_000  # records (lines, rows, JSON records) of one file
    max_batch_bytes: int = 64 * MIB  # raw-record text the importer buffers before writing it


DEFAULT_LIMITS = ImportLimits()

# Largest and smallest value of a signed 64-bit integer (SQLite INTEGER, PostgreSQL BIGINT).
INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)


def _size(count: int) -> str:
    return f"{count // MIB} MiB" if count >= MIB and count % MIB == 0 else f"{count:,} bytes"


def check_record_count(number: int, limits: ImportLimits, unit: str = "record") -> None:
    """Refuse the file once it holds more records than :attr:`ImportLimits.max_records`."""
    if number > limits.max_records:
        raise InputLimitExceeded(
            f"{unit} {number:,}: more than {limits.max_records:,} records (record count limit)"
        )


# -- text lines ---------------------------------------------------------------------------------------
def bounded_lines(stream: io.TextIOBase, limits: ImportLimits) -> Iterator[tuple[int, str]]:
    """``(line_number, line)`` with its line ending kept; a line longer than the limit ends the file.

    ``stream`` must be opened with ``newline=""`` (LF, CRLF and CR all end a line). No more than
    ``max_line_chars + 2`` characters are ever read at once, whatever the file holds.
    """
    limit = limits.max_line_chars
    number = 0
    while True:
        piece = stream.readline(limit + 2)
        if not piece:
            return
        number += 1
        check_record_count(number, limits, "line")
        text = piece.rstrip("\r\n")
        if len(text) > limit or (len(piece) == limit + 2 and text == piece):
            raise InputLimitExceeded(f"line {number:,}: longer than {limit:,} characters (line length limit)")
        yield number, piece


class BoundedLineFile:
    """An iterator of a text stream's lines (endings kept) that keeps the line limits, for ``csv.reader``."""

    def __init__(self, stream: io.TextIOBase, limits: ImportLimits) -> None:
        self._lines = bounded_lines(stream, limits)

    def __iter__(self) -> BoundedLineFile:
        return self

    def __next__(self) -> str:
        return next(self._lines)[1]


Row = TypeVar("Row")


def csv_rows(rows: Iterable[Row], reader: Any) -> Iterator[Row]:
    """The rows of a ``csv`` reader; a field beyond the csv module's field limit refuses the file.

    ``reader`` is the object whose ``line_num`` says where the reader is (the reader itself, or a
    ``DictReader``). A quoted field may run over several lines; csv stops it at its own field limit.
    """
    try:
        yield from rows
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            raise
        raise InputLimitExceeded(
            f"line {reader.line_num:,}: a field longer than {csv.field_size_limit():,} characters "
            "(CSV field length limit)"
        ) from None


# -- JSON ---------------------------------------------------------------------------------------------
# Two escaped backslashes first (left to right, as JSON reads them), then an escaped quote: afterwards
# every remaining '"' opens or closes a string. Same lengths, so offsets do not move.
_ESCAPED_BACKSLASH = (b"\\\\", b"__")
_ESCAPED_QUOTE = (b'\\"', b"_'")
_QUOTE = ord('"')
# Deleting every byte but quotes and brackets leaves a short string from which depth is read.
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_DEPTH_STEP = np.zeros(256, dtype=np.int32)
_DEPTH_STEP[list(b"[{")] = 1
_DEPTH_STEP[list(b"]}")] = -1
# Digits become "0", everything else a space: a long number is then a run of "0"s, found by substring search.
_DIGITS_ONLY = bytes(ord("0") if chr(b).isdigit() and b < 128 else ord(" ") for b in range(256))


class BoundedJson(io.RawIOBase):
    """A read-only byte stream over a JSON file that refuses input beyond the limits before ijson parses it.

    ``record_depth`` is the nesting depth of the records (2 for ``value[]`` items of a VICS set): while the
    scan stays deeper than that, it is inside one record, whose bytes are bounded. The scan keeps only a
    few numbers between chunks (inside a string or not, how long the open string and number are, the
    depth), so a string or number of any length costs no memory here.
    """

    def __init__(self, raw: BinaryIO, limits: ImportLimits, record_depth: int = 2, start: int = 0) -> None:
        super().__init__()
        self._raw = raw
        self._limits = limits
        self._record_depth = record_depth
        self._long_number = b"0" * (limits.max_number_chars + 1)
        # Chunks of at most a quarter record, so that a record's size is known to within a quarter.
        self._step = max(256, min(CHUNK, limits.max_record_bytes // 4))
        self._position = start  # file offset of the chunk being scanned
        self._chunk = 0  # its length
        self._in_string = False
        self._escaped = False  # the chunk's first byte is escaped (a backslash ended the previous chunk)
        self._string_length = 0  # bytes of the open string so far
        self._number_length = 0  # digits of the number that ended the previous chunk
        self._depth = 0
        self._record_start: int | None = None  # offset at which the current record began, when inside one

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        super().close()
        self._raw.close()

    def readinto(self, buffer) -> int:
        data = self._raw.read(min(len(buffer), self._step))
        if not data:
            return 0
        self._chunk = len(data)
        self._scan(data)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _fail(self, what: str) -> None:
        raise InputLimitExceeded(f"in bytes {self._position:,}-{self._position + self._chunk:,}: {what}")

    def _scan(self, data: bytes) -> None:
        body = data[1:] if self._escaped else data  # an escaped first byte is string content, never a quote
        if b"\\" in body:
            body = body.replace(*_ESCAPED_BACKSLASH).replace(*_ESCAPED_QUOTE)
            self._escaped = body.endswith(b"\\")
        else:
            self._escaped = False
        started_in_string = self._in_string
        quotes = body.count(b'"')
        self._in_string = started_in_string ^ bool(quotes & 1)
        self._check_strings(body, started_in_string, quotes, len(data) - len(body))
        self._check_numbers(body, started_in_string)
        self._track_depth(body.translate(None, _NOT_STRUCTURE), started_in_string, len(data))

    def _check_strings(self, body: bytes, started_in_string: bool, quotes: int, skipped: int) -> None:
        limit = self._limits.max_field_bytes
        too_long = f"a string longer than {_size(limit)} (field length limit)"
        if not quotes:
            if started_in_string:
                self._string_length += len(body) + skipped
                if self._string_length > limit:
                    self._fail(too_long)
            return
        first = body.index(b'"')
        if started_in_string and self._string_length + skipped + first > limit:
            self._fail(too_long)
        if len(body) > limit:  # a string wholly inside this chunk may be too long as well
            marks = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == _QUOTE)
            opening = marks[1::2] if started_in_string else marks[0::2]
            closing = marks[2::2] if started_in_string else marks[1::2]
            if len(closing) and int((closing - opening[: len(closing)]).max()) - 1 > limit:
                self._fail(too_long)
        if self._in_string:
            self._string_length = len(body) - body.rindex(b'"') - 1
            if self._string_length > limit:
                self._fail(too_long)

    def _check_numbers(self, body: bytes, started_in_string: bool) -> None:
        digits = body.translate(_DIGITS_ONLY)
        run = self._long_number
        carried = 0 if started_in_string else self._number_length
        if carried and carried + len(digits) - len(digits.lstrip(b"0")) > len(run) - 1:
            self._fail(f"a number longer than {len(run) - 1} digits (number length limit)")
        found = digits.find(run)
        if found >= 0:  # digit runs inside strings are fine: look where the quotes are
            marks = np.flatnonzero(np.frombuffer(body, dtype=np.uint8) == _QUOTE)
            while found >= 0:
                before = int(np.searchsorted(marks, found))
                if (before + started_in_string) % 2 == 0:  # outside any string
                    self._fail(f"a number longer than {len(run) - 1} digits (number length limit)")
                found = digits.find(run, int(marks[before]) + 1) if before < len(marks) else -1
        trailing = len(digits) - len(digits.rstrip(b"0"))
        if self._in_string:
            self._number_length = 0
        elif trailing == len(digits):
            self._number_length = carried + trailing
        else:
            self._number_length = trailing

    def _track_depth(self, structure: bytes, started_in_string: bool, length: int) -> None:
        limits = self._limits
        marks = np.frombuffer(structure, dtype=np.uint8)
        inside = (np.cumsum(marks == _QUOTE, dtype=np.int32) + started_in_string) & 1
        steps = np.where(inside == 0, _DEPTH_STEP[marks], 0)
        depths = np.cumsum(steps, dtype=np.int64) + self._depth
        deepest = int(depths.max()) if len(depths) else self._depth
        lowest = min(int(depths.min()) if len(depths) else self._depth, self._depth)
        if deepest > limits.max_depth:
            self._fail(f"arrays and objects nested deeper than {limits.max_depth} (nesting depth limit)")
        if len(depths):
            self._depth = int(depths[-1])
        if lowest <= self._record_depth:
            # Between records somewhere in this chunk: a record still open at its end began in it.
            self._record_start = self._position if self._depth > self._record_depth else None
        if self._record_start is not None and self._position + length - self._record_start > (
            limits.max_record_bytes
        ):
            self._fail(f"one record longer than {_size(limits.max_record_bytes)} (record size limit)")


def bounded_json(path_stream: BinaryIO, limits: ImportLimits, record_depth: int = 2) -> BoundedJson:
    """``path_stream`` (already past any BOM) behind :class:`BoundedJson`.

    Unbuffered on purpose: each read scans and returns at most one chunk, so that a parser that asks for
    little (detection reads only the first key) makes the guard judge no more than that.
    """
    return BoundedJson(path_stream, limits, record_depth, path_stream.tell())
