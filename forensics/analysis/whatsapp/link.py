"""Link WhatsApp media messages to the case items that hold their files (a pure function).

Rules, in order, and the first that finds anything decides:
1. ``sha256``: the item's SHA-256 equals the message's stored content hash, wherever the item lives
   (media folder, another folder, carved, inside an archive, another evidence item); every copy links.
2. ``path``: the item's device path (or its path) ends with the message's stored media path.
3. ``name+size``: the item's name and size equal the stored media name and size.
A link found by path or name whose item hash differs from the stored hash says so (``hash_differs``).
Messages that link to nothing stay in ``unlinked`` with their stored hash, so a hash-list hit on that
hash alone can still be a finding (the file is gone, the message proves it was there).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from forensics.analysis.whatsapp.records import MediaMessage

RULE_SHA256 = "sha256"
RULE_PATH = "path"
RULE_NAME_SIZE = "name+size"


@dataclass(frozen=True)
class CaseItem:
    """What linking needs of a case item: its id, SHA-256 (hex), device path or path, name, size."""

    item_id: int | str
    sha256: str | None
    device_path: str | None
    name: str | None
    size: int | None


@dataclass(frozen=True)
class MediaLink:
    """One message linked to one item, and the rule that linked them."""

    message: MediaMessage
    item_id: int | str
    rule: str
    hash_differs: bool = False


@dataclass
class LinkResult:
    """Links found, and messages whose file is in no item (kept with their stored hash)."""

    links: list[MediaLink] = field(default_factory=list)
    unlinked: list[MediaMessage] = field(default_factory=list)


def _norm(path: str | None) -> str:
    return (path or "").replace("\\", "/").strip("/").lower()


def _basename(message: MediaMessage) -> str | None:
    name = message.media_name or (message.media_path or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name.lower() if name else None


def link_media(messages: Iterable[MediaMessage], items: Iterable[CaseItem]) -> LinkResult:
    """Link each media message to items (see the module's rules); one pass over ``items``.

    Only items that could match (same hash, or same name as a stored media name) are kept in memory.
    """
    messages = list(messages)
    hashes = {m.media_sha256.lower() for m in messages if m.media_sha256}
    names = {name for m in messages if (name := _basename(m))}
    by_hash: dict[str, list[CaseItem]] = defaultdict(list)
    by_name: dict[str, list[CaseItem]] = defaultdict(list)
    for item in items:
        digest = (item.sha256 or "").lower()
        if digest in hashes:
            by_hash[digest].append(item)
        item_name = (item.name or (item.device_path or "").rsplit("/", 1)[-1]).lower()
        if item_name in names:
            by_name[item_name].append(item)
    result = LinkResult()
    for message in messages:
        links = _links_for(message, by_hash, by_name)
        if links:
            result.links.extend(links)
        else:
            result.unlinked.append(message)
    return result


def _links_for(
    message: MediaMessage, by_hash: dict[str, list[CaseItem]], by_name: dict[str, list[CaseItem]]
) -> list[MediaLink]:
    stored = (message.media_sha256 or "").lower() or None
    if stored and by_hash.get(stored):
        return [MediaLink(message, item.item_id, RULE_SHA256) for item in by_hash[stored]]
    candidates = by_name.get(_basename(message) or "", [])

    def differs(item: CaseItem) -> bool:
        return bool(stored and item.sha256 and item.sha256.lower() != stored)

    suffix = _norm(message.media_path)
    if suffix:
        by_path = [
            i
            for i in candidates
            if _norm(i.device_path) == suffix or _norm(i.device_path).endswith("/" + suffix)
        ]
        if by_path:
            return [MediaLink(message, i.item_id, RULE_PATH, differs(i)) for i in by_path]
    if message.size is not None:
        same = [i for i in candidates if i.size == message.size]
        return [MediaLink(message, i.item_id, RULE_NAME_SIZE, differs(i)) for i in same]
    return []
