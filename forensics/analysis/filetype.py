"""Type by content: libmagic MIME type and description of the head bytes, category and entropy.

``identify`` gives the category and extension verdict of two full libmagic calls (MIME and description,
``identify_full``) at a fraction of the cost on text: libmagic's text patterns cost ~1 ms per call on
every text head, so a plain-text head is answered by libmagic's built-in tests plus its binary patterns,
and goes through the full check only when it shows a cue that a text pattern could make it more than
plain text (``textcues``). MIME type and description are the full ones too, except that a rare
plain-text head without any cue gets libmagic's plain-text answer ("text/plain", "ASCII text") instead of
a finer text type ("text/x-asm", "assembler source, ASCII text"). The MIME call is also skipped when the
description is libmagic's own "data".
"""

from __future__ import annotations

from forensics.analysis import libmagic
from forensics.analysis.entropy import looks_high_entropy, shannon_entropy
from forensics.analysis.filetypes_table import FileTypeTable, load_table
from forensics.analysis.libmagic import BINARY_PATTERNS, NO_SOFT, libmagic_version
from forensics.analysis.mismatch import judge_extension
from forensics.analysis.results import FileTypeInfo
from forensics.analysis.textcues import has_text_cues

__all__ = ["analyse_type", "categorise", "identify", "identify_full", "libmagic_version"]

_MIME_PREFIX_CATEGORIES = {
    "image/": "image",
    "video/": "video",
    "audio/": "audio",
    "text/": "text",
    "message/": "email",
    "font/": "other",
}
# Built-in results that end libmagic's check before its magic database is consulted: the full check
# gives exactly these too.
_FINAL_BUILTIN_MIMES = frozenset(
    {"application/json", "application/x-ndjson", "text/csv", "application/x-empty"}
)
# What libmagic prints when nothing matched; its MIME type is fixed by libmagic's code.
_NOTHING_MATCHED = ("data", "application/octet-stream")


def identify_full(head: bytes) -> tuple[str, str]:
    """libmagic's (MIME type, description) with every test: the reference ``identify`` agrees with."""
    return libmagic.mime_type(head), libmagic.describe(head)


def _plain_text(head: bytes) -> bool:
    """True when no binary pattern matches and no text pattern could matter (see ``textcues``)."""
    return not has_text_cues(head) and libmagic.describe(head, BINARY_PATTERNS) == _NOTHING_MATCHED[0]


def identify(head: bytes) -> tuple[str, str]:
    """libmagic's (MIME type, description) of the given bytes, the cheap way where that is safe."""
    if b"\x00" not in head:  # NUL bytes: binary (or UTF-16/32 text), always the full check
        builtin_mime = libmagic.mime_type(head, NO_SOFT)
        if builtin_mime in _FINAL_BUILTIN_MIMES or (builtin_mime == "text/plain" and _plain_text(head)):
            return builtin_mime, libmagic.describe(head, NO_SOFT)
    description = libmagic.describe(head)
    if description == _NOTHING_MATCHED[0]:
        return _NOTHING_MATCHED[1], description
    return libmagic.mime_type(head), description


def categorise(
    mime: str | None, description: str | None, entropy: float | None, length: int, table: FileTypeTable
) -> str:
    """One of the categories in filetypes_table.CATEGORIES for this content."""
    lowered = (description or "").lower()
    for needles, category in table.description_rules:
        if any(needle in lowered for needle in needles):
            return category
    entry = table.entry(mime)
    if entry is not None:
        return entry.category
    mime = (mime or "").lower()
    for prefix, category in _MIME_PREFIX_CATEGORIES.items():
        if mime.startswith(prefix):
            return category
    if table.is_text_mime(mime):
        return "text"
    if (not mime or mime in table.generic_mimes) and looks_high_entropy(entropy, length):
        return "encrypted"
    return "other"


def analyse_type(name: str, head: bytes, table: FileTypeTable | None = None) -> FileTypeInfo:
    """MIME, description, category, head entropy and the extension verdict for one file."""
    table = table or load_table()
    mime, description = identify(head)
    entropy = shannon_entropy(head)
    verdict = judge_extension(name, mime, table)
    return FileTypeInfo(
        mime=mime,
        description=description,
        category=categorise(mime, description, entropy, len(head), table),
        entropy=entropy,
        extension_mismatch=verdict.mismatch,
        mismatch_detail=verdict.detail,
    )
