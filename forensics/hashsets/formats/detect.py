"""Tell a hash-set file's format from its content; for lists of 64-hex lines, from every cue there is.

A file of 64-hex lines is a SHA-256 list or a PDQ list, and the two look alike. The cues read, in order:
a ThreatExchange form (``pdq <hash>`` lines, the ``signal_type,signal_str`` CSV header), a quality column
(``<hash>,<0-100>``), comment lines naming the algorithm, shorter hex lines beside them (32 or 40 digits:
a cryptographic list), and the file's name (``...pdq...``, ``...sha256...``). When no cue decides, or cues
disagree, the file is refused with a message naming both choices (``--format sha256``/``--format pdq``).
"""

from __future__ import annotations

import re
from pathlib import Path

from forensics.hashsets.formats.base import head_text
from forensics.hashsets.formats.csvlists import HASHKEEPER_HEADER_START, ICSE_HEADER_START
from forensics.hashsets.formats.limits import DEFAULT_LIMITS, ImportLimits
from forensics.hashsets.formats.nsrl import SQLITE_MAGIC
from forensics.hashsets.formats.perceptual_lists import TE_CSV_HEADER
from forensics.hashsets.formats.picture_lists import is_picture_list
from forensics.hashsets.formats.textlists import BSD_SUM, GNU_SUM, XWAYS_HEADERS
from forensics.hashsets.formats.vics import NotVics, model_version, read_data_model
from forensics.hashsets.formats.video_lists import looks_like_vpdq
from forensics.hashsets.hashes import CRYPTO_BY_LENGTH

HEX_LINE = re.compile(r"^[0-9A-Fa-f]+$")
PDQ_WITH_META = re.compile(
    r"^(pdq\s+[0-9A-Fa-f]{64}|[0-9A-Fa-f]{64}[,;\t ]\s*(100|[1-9]?[0-9])\s*([,;\t ]|$))", re.IGNORECASE
)
HEX64_FIRST = re.compile(r"^[0-9A-Fa-f]{64}(\s|[,;]|$)")
PDQ_NAME = re.compile(r"pdq", re.IGNORECASE)
SHA256_NAME = re.compile(r"sha-?2(56)?", re.IGNORECASE)
AMBIGUOUS_HINT = (
    "name the format with --format sha256 (SHA-256 file hashes) or --format pdq (PDQ image hashes)"
)


class UnknownFormat(ValueError):
    """The content matches no supported hash-set format."""


class AmbiguousFormat(UnknownFormat):
    """Lines of 64 hex digits with no cue telling SHA-256 from PDQ (or cues that disagree)."""


def _comment_cues(text: str) -> set[str]:
    """Algorithms named by the comment lines at the head of a list."""
    cues: set[str] = set()
    for line in text.splitlines()[:50]:
        stripped = line.strip()
        if stripped.startswith("#"):
            if PDQ_NAME.search(stripped):
                cues.add("pdq")
            if SHA256_NAME.search(stripped):
                cues.add("sha256")
    return cues


def hex64_list_format(path: Path, text: str, lines: list[str]) -> str:
    """``sha256`` or ``pdq`` for a list whose lines start with 64 hex digits; :class:`AmbiguousFormat`."""
    tokens = [re.split(r"[\s,;]+", line)[0] for line in lines]
    if any(HEX_LINE.match(t) and len(t) in (32, 40) for t in tokens):
        return "plain"  # MD5/SHA-1 lines beside them: a cryptographic list
    cues = _comment_cues(text)
    if any(PDQ_WITH_META.match(line) for line in lines):
        cues.add("pdq")
    name = path.name
    if PDQ_NAME.search(name):
        cues.add("pdq")
    if SHA256_NAME.search(name):
        cues.add("sha256")
    if len(cues) == 1:
        return "pdq" if cues == {"pdq"} else "sha256"
    why = "the cues disagree" if cues else "nothing in the file or its name tells which"
    raise AmbiguousFormat(f"lines of 64 hex digits may be SHA-256 or PDQ hashes and {why}: {AMBIGUOUS_HINT}")


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
    if is_picture_list(text):
        return "custos"
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
    if first.lower().startswith("pdq") and PDQ_WITH_META.match(first):
        return "pdq"
    first_tokens = [line.split()[0] for line in lines]
    if all(HEX_LINE.match(token) and len(token) == 16 for token in first_tokens):
        raise UnknownFormat("16-hex lines are 64-bit image hashes: name them with --format phash or dhash")
    if HEX64_FIRST.match(first):
        return hex64_list_format(path, text, lines)
    if HEX_LINE.match(first) and len(first) in CRYPTO_BY_LENGTH:
        return "plain"
    raise UnknownFormat(f"unrecognised first line: {first[:80]!r}")
