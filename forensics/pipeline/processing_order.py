"""The order in which an ingest hands items to its workers: ranked rules, kept as data in the profile.

The walk lists every item first; the feed then hands items out rank by rank (walk order inside a rank),
so that what an examiner looks at first is processed first: pictures and videos of the user's media
folders, deleted pictures, unallocated space (carved pictures), containers. An item takes the rank of
the first rule it meets; an item no rule names comes last. The order decides only how soon each result
is known, never what it is (docs/engine.md, "Processing order").

An item's type for the rules (``picture``, ``video``, ``container``) comes from its extension, or, where
the name says nothing of the kind (no extension, an unknown or a weak one such as ``.dat``), from its
first bytes (:mod:`forensics.evidence.head_probe`, read by the feed).
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from forensics.analysis.filetypes_table import load_table
from forensics.analysis.media_kind import media_container
from forensics.analysis.signatures import image_kind
from forensics.core.errors import CustosError
from forensics.evidence.nested.detect import detect_head

PICTURE, VIDEO, CONTAINER = "picture", "video", "container"
ITEM_TYPES = (PICTURE, VIDEO, CONTAINER)
RULE_KEYS = frozenset({"name", "types", "paths", "deleted", "links"})
# Extensions of disk images and of documents whose pictures are listed as members (OOXML, ODF): the
# file-type table files the first under "archive" only in part and the second under "document".
CONTAINER_EXTENSIONS = frozenset(
    {"e01", "ex01", "s01", "vmdk", "vhd", "vhdx", "qcow", "qcow2", "dd", "raw", "dmg", "iso", "img", "tar"}
    | {"docx", "docm", "xlsx", "xlsm", "pptx", "pptm", "odt", "ods", "odp", "odg", "epub", "msg", "doc"}
)
# Audio-only containers are no videos (their facts are read, but no picture is in them).
AUDIO_CONTAINERS = frozenset({"wav", "mp3", "ogg", "flac", "amr", "aac"})
HEADER_CHECK_ITEMS = 200_000  # items per job whose first bytes are read to type them (profile default)


@dataclass(frozen=True)
class RankRule:
    """One rank: the items it takes (every condition given must hold)."""

    name: str
    types: frozenset[str] = frozenset()  # any of these types (empty: any item)
    paths: tuple[str, ...] = ()  # any of these patterns on the lower-cased path (``*`` crosses ``/``)
    deleted: bool | None = None  # only deleted (True) or only allocated (False) items
    links: frozenset[str] = frozenset()  # only items of these root link kinds (``unallocated``)

    def takes(self, lowered_path: str, item_type: str | None, deleted: bool, link: str | None) -> bool:
        """Whether the rule takes an item (``lowered_path``: its path in lower case)."""
        if self.types and item_type not in self.types:
            return False
        if self.deleted is not None and bool(deleted) != self.deleted:
            return False
        if self.links and link not in self.links:
            return False
        return not self.paths or _path_pattern(self.paths).match(lowered_path) is not None


@lru_cache(maxsize=64)
def _path_pattern(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled expression for a rule's path patterns (shell-style, case-insensitive)."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p.lower())})" for p in patterns), re.DOTALL)


@dataclass(frozen=True)
class ProcessingOrder:
    """A profile's ranks; no rules: walk order (the feed as it always was)."""

    rules: tuple[RankRule, ...] = ()
    header_check_items: int = HEADER_CHECK_ITEMS

    @property
    def ranked(self) -> bool:
        return bool(self.rules)

    @property
    def last(self) -> int:
        """The rank of items no rule takes."""
        return len(self.rules)

    def rank_name(self, rank: int) -> str:
        return self.rules[rank].name if rank < len(self.rules) else "everything else, in walk order"

    def rank(self, path: str, item_type: str | None, deleted: bool, link: str | None) -> int:
        """The rank of an item: the first rule that takes it, else :attr:`last`."""
        lowered = path.lower()
        for number, rule in enumerate(self.rules):
            if rule.takes(lowered, item_type, deleted, link):
                return number
        return self.last

    def could_rise(self, path: str, deleted: bool, link: str | None, rank: int) -> bool:
        """Whether a type read from the item's bytes could give it a rank before ``rank``."""
        lowered = path.lower()
        return any(
            any(rule.takes(lowered, kind, deleted, link) for kind in rule.types) for rule in self.rules[:rank]
        )

    def describe(self) -> list[str]:
        """The ranks in words, first to last (for docs, progress output and the report)."""
        return [*(rule.name for rule in self.rules), self.rank_name(self.last)] if self.rules else []


def parse_order(profile: str, section: dict[str, Any]) -> ProcessingOrder:
    """A profile's ``[order]`` section (``[[order.rank]]`` tables, first rank first)."""
    unknown = set(section) - {"rank", "header_check_items"}
    if unknown:
        raise CustosError(f"profile {profile!r}: unknown [order] keys {sorted(unknown)}")
    rules = []
    for number, raw in enumerate(section.get("rank", []), start=1):
        where = f"profile {profile!r}: [[order.rank]] {number}"
        if not isinstance(raw, dict) or not raw.get("name"):
            raise CustosError(f"{where}: a rank needs a name")
        extra = set(raw) - RULE_KEYS
        if extra:
            raise CustosError(f"{where}: unknown keys {sorted(extra)}")
        types = frozenset(raw.get("types", []))
        if types - set(ITEM_TYPES):
            raise CustosError(
                f"{where}: unknown types {sorted(types - set(ITEM_TYPES))} (known: {ITEM_TYPES})"
            )
        deleted = raw.get("deleted")
        if deleted is not None and not isinstance(deleted, bool):
            raise CustosError(f"{where}: deleted must be true or false")
        rules.append(
            RankRule(
                name=str(raw["name"]),
                types=types,
                paths=tuple(str(p) for p in raw.get("paths", [])),
                deleted=deleted,
                links=frozenset(str(k) for k in raw.get("links", [])),
            )
        )
    limit = int(section.get("header_check_items", HEADER_CHECK_ITEMS))
    if limit < 0:
        raise CustosError(f"profile {profile!r}: [order] header_check_items must not be negative")
    return ProcessingOrder(tuple(rules), limit)


@lru_cache(maxsize=1)
def _extension_types() -> dict[str, str]:
    """Extension -> type, from the file-type table; weak extensions (``.dat``, ``.ts``...) name none."""
    table = load_table()
    types: dict[str, str] = {}
    for entry in table.by_mime.values():
        kind = {"image": PICTURE, "video": VIDEO, "archive": CONTAINER}.get(entry.category)
        if kind is None:
            continue
        for extension in entry.extensions:
            types.setdefault(extension, kind)
    types.update(dict.fromkeys(CONTAINER_EXTENSIONS - types.keys(), CONTAINER))
    for weak in table.weak_extensions:
        types.pop(weak, None)
    return types


def extension_type(extension: str | None) -> str | None:
    """The type an extension names (``picture``, ``video``, ``container``), None when it names none."""
    return _extension_types().get((extension or "").lower()) if extension else None


def head_type(head: bytes) -> str | None:
    """The type an item's first bytes show, None when they show none of the three."""
    if image_kind(head) is not None:
        return PICTURE
    container = media_container(head)
    if container is not None:
        return None if container in AUDIO_CONTAINERS else VIDEO
    return CONTAINER if detect_head(head) is not None else None
