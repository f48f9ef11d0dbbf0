"""Type by content: libmagic MIME type and description of the head bytes, category and entropy."""

from __future__ import annotations

import threading

import magic

from forensics.analysis.entropy import looks_high_entropy, shannon_entropy
from forensics.analysis.filetypes_table import FileTypeTable, load_table
from forensics.analysis.mismatch import judge_extension
from forensics.analysis.results import FileTypeInfo

_MIME_PREFIX_CATEGORIES = {
    "image/": "image",
    "video/": "video",
    "audio/": "audio",
    "text/": "text",
    "message/": "email",
    "font/": "other",
}
_local = threading.local()


def _magic_pair() -> tuple[magic.Magic, magic.Magic]:
    """One MIME and one description libmagic handle per thread (handles are not thread-safe)."""
    pair = getattr(_local, "pair", None)
    if pair is None:
        pair = (magic.Magic(mime=True), magic.Magic())
        _local.pair = pair
    return pair


def libmagic_version() -> int:
    """The libmagic version as an integer (e.g. 544 for 5.44)."""
    return int(magic.version())


def identify(head: bytes) -> tuple[str, str]:
    """libmagic's (MIME type, description) of the given bytes."""
    mime_magic, text_magic = _magic_pair()
    return mime_magic.from_buffer(head), text_magic.from_buffer(head)


def categorise(mime: str | None, description: str | None, entropy: float | None, length: int,
               table: FileTypeTable) -> str:
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
