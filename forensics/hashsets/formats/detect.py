"""Tell a hash-set file's format from its content (never from its name)."""

from __future__ import annotations

import re
from pathlib import Path

from forensics.hashsets.formats.base import head_text
from forensics.hashsets.formats.csvlists import HASHKEEPER_HEADER_START, ICSE_HEADER_START
from forensics.hashsets.formats.limits import DEFAULT_LIMITS, ImportLimits
from forensics.hashsets.formats.nsrl import SQLITE_MAGIC
from forensics.hashsets.formats.perceptual_lists import TE_CSV_HEADER
from forensics.hashsets.formats.textlists import BSD_SUM, GNU_SUM, XWAYS_HEADERS
from forensics.hashsets.formats.vics import NotVics, model_version, read_data_model
from forensics.hashsets.formats.video_lists import looks_like_vpdq
from forensics.hashsets.hashes import CRYPTO_BY_LENGTH

HEX_LINE = re.compile(r"^[0-9A-Fa-f]+$")
PDQ_WITH_META = re.compile(r"^(pdq\s+[0-9A-Fa-f]{64}|[0-9A-Fa-f]{64}[,;\t])", re.IGNORECASE)


class UnknownFormat(ValueError):
    """The content matches no supported hash-set format."""


def _first_lines(text: str, count: int = 20) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")][:count]


def _csv_header(line: str, delimiter: str) -> tuple[str, ...]:
    return tuple(cell.strip().strip('"') for cell in line.split(delimiter))


def detect_format(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> str:
    """The name of the format of ``path`` (a key of ``formats.PARSERS``)."""
    with open(path, "rb") as stream:
        if stream.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
            return "rds3"
    text = head_text(path)
    if looks_like_vpdq(text):
        return "vpdq"
    if text.lstrip().startswith("{"):
        try:
            uri = read_data_model(path, limits)
        except NotVics as exc:
            raise UnknownFormat(f"JSON but not VICS: {exc}") from exc
        return "nist-caid" if model_version(uri) == "1.2" else "vics"
    lines = _first_lines(text)
    if not lines:
        raise UnknownFormat("no data lines")
    first = lines[0]
    if first.startswith("%%%% HASHDEEP") or first.startswith("%%%% size"):
        return "hashdeep"
    if _csv_header(first, ",")[:3] == ("SHA-1", "MD5", "CRC32") or _csv_header(first, ",")[:2] == (
        "SHA-1",
        "FileName",
    ):
        return "rds2"
    if _csv_header(first, ",")[: len(HASHKEEPER_HEADER_START)] == HASHKEEPER_HEADER_START:
        return "hashkeeper"
    if _csv_header(first, ";")[: len(ICSE_HEADER_START)] == ICSE_HEADER_START:
        return "icse"
    if _csv_header(first, ",")[:2] == TE_CSV_HEADER:
        return "te-csv"
    if first.upper() in XWAYS_HEADERS:
        return "xways"
    if GNU_SUM.match(first) or BSD_SUM.match(first):
        return "md5sum"
    if PDQ_WITH_META.match(first):
        return "pdq"
    first_tokens = [line.split()[0] for line in lines]
    if all(HEX_LINE.match(token) and len(token) == 16 for token in first_tokens):
        raise UnknownFormat("16-hex lines are 64-bit image hashes: name them with --format phash or dhash")
    if HEX_LINE.match(first) and len(first) in CRYPTO_BY_LENGTH:
        return "plain"
    raise UnknownFormat(f"unrecognised first line: {first[:80]!r}")
