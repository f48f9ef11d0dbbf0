"""The MIME-to-extensions table (``resources/filetypes/filetypes.toml``) loaded into lookups."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from forensics.core.resources import resource_path

CATEGORIES = (
    "image",
    "video",
    "audio",
    "document",
    "archive",
    "executable",
    "database",
    "email",
    "text",
    "encrypted",
    "other",
)
DEFAULT_TABLE_PATH = resource_path("filetypes", "filetypes.toml")


@dataclass(frozen=True)
class TypeEntry:
    """One kind of content: its MIME aliases, category, agreeing extensions and family."""

    mimes: tuple[str, ...]
    category: str
    extensions: tuple[str, ...]
    family: str | None
    signature: bool


@dataclass(frozen=True)
class FileTypeTable:
    """Lookups over the table: by MIME, by extension, by family; plus the general rules."""

    by_mime: dict[str, TypeEntry]
    family_extensions: dict[str, frozenset[str]]
    signature_extensions: dict[str, tuple[TypeEntry, ...]]
    generic_mimes: frozenset[str]
    neutral_suffixes: frozenset[str]
    weak_extensions: frozenset[str]
    text_mimes: frozenset[str]
    description_rules: tuple[tuple[tuple[str, ...], str], ...]

    def entry(self, mime: str | None) -> TypeEntry | None:
        """The table entry of a MIME type (case-insensitive), if any."""
        return self.by_mime.get((mime or "").lower())

    def accepted_extensions(self, entry: TypeEntry) -> frozenset[str]:
        """Extensions that agree with content of this entry (its own plus its family's)."""
        own = frozenset(entry.extensions)
        return own | self.family_extensions.get(entry.family, frozenset()) if entry.family else own

    def is_text_mime(self, mime: str | None) -> bool:
        mime = (mime or "").lower()
        return mime.startswith("text/") or mime in self.text_mimes


def _parse(data: dict) -> FileTypeTable:
    by_mime: dict[str, TypeEntry] = {}
    families: dict[str, set[str]] = {}
    signature_exts: dict[str, list[TypeEntry]] = {}
    for raw in data.get("type", []):
        entry = TypeEntry(
            mimes=tuple(m.lower() for m in raw["mimes"]),
            category=raw["category"],
            extensions=tuple(e.lower() for e in raw.get("extensions", [])),
            family=raw.get("family"),
            signature=bool(raw.get("signature", True)),
        )
        if entry.category not in CATEGORIES:
            raise ValueError(f"filetypes table: unknown category {entry.category!r} for {entry.mimes}")
        for mime in entry.mimes:
            by_mime.setdefault(mime, entry)
        if entry.family:
            families.setdefault(entry.family, set()).update(entry.extensions)
        if entry.signature:
            for ext in entry.extensions:
                signature_exts.setdefault(ext, []).append(entry)
    rules = tuple(
        (tuple(s.lower() for s in rule["contains"]), rule["category"])
        for rule in data.get("description_rule", [])
    )
    return FileTypeTable(
        by_mime=by_mime,
        family_extensions={name: frozenset(exts) for name, exts in families.items()},
        signature_extensions={ext: tuple(entries) for ext, entries in signature_exts.items()},
        generic_mimes=frozenset(m.lower() for m in data.get("generic_mimes", [])),
        neutral_suffixes=frozenset(s.lower() for s in data.get("neutral_suffixes", [])),
        weak_extensions=frozenset(s.lower() for s in data.get("weak_extensions", [])),
        text_mimes=frozenset(m.lower() for m in data.get("text_mimes", [])),
        description_rules=rules,
    )


@lru_cache(maxsize=4)
def load_table(path: Path | None = None) -> FileTypeTable:
    """Load (once per process) the file-type table; ``path`` defaults to the bundled resource."""
    with open(path or DEFAULT_TABLE_PATH, "rb") as fh:
        return _parse(tomllib.load(fh))
