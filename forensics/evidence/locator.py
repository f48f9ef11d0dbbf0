"""FileLocator: a saveable value that says where an item lives and reopens it later.

A locator is a chain, in the manner of dfvfs's path specifications: each link names its ``kind``, its
``path`` inside what holds it, the ``params`` that reopen it and its ``parent`` link. A file-system entry
(or a file of a folder source) is a chain of one link of kind ``file``: evidence item, file-system offset
in the image, metadata address, attribute, stream and path. An item found inside another (archive
member, embedded object, video frame, ...) is a link whose parent is the holding item's locator; a
member of a phone extraction that is itself the evidence item is a root link of its extraction kind
(``zip-member``, ``tar-member``, ``adb-backup-member``, ``ios-backup-file``, ``folder-file``); a carved
run is a root link of kind ``carved`` whose params hold its byte runs in the media. Readers for each kind
are registered in :mod:`forensics.evidence.links`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from forensics.evidence.extractions.records import EXTRACTION_FORMATS, EXTRACTION_LINK_KINDS

FILE = "file"  # a file-system entry or a file of a folder source: the root of most chains
CARVED = "carved"  # byte runs of the media, found by content (a root link)
_ROOT_FIELDS = ("item", "partition_offset", "inode", "attr_type", "attr_id", "stream", "path")


def _frozen(params: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    """Params as sorted pairs of JSON values (hashable, comparable, one spelling per value)."""
    if not params:
        return ()
    canonical = json.loads(json.dumps(dict(params), sort_keys=True))
    return tuple(sorted((key, _hashable(value)) for key, value in canonical.items()))


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) for v in value):
            return {k: _plain(v) for k, v in value}
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class FileLocator:
    """One link of an item's chain; see the module docstring.

    For a logical (folder) source ``partition_offset`` and ``attr_*`` are None and ``path`` is the
    path below the folder. ``stream`` names an NTFS alternate data stream or HFS+ fork. Links other
    than ``file`` keep ``item`` (the evidence item) and leave the file-system fields None. ``fs_type``
    (e.g. ``fat16``) says which file system to open where more than one type is valid at the offset;
    None lets TSK detect it (and is left out of the dictionary form).
    """

    item: str
    partition_offset: int | None
    inode: int | None
    attr_type: int | None
    attr_id: int | None
    stream: str | None
    path: str
    kind: str = FILE
    params: tuple[tuple[str, Any], ...] = ()
    parent: FileLocator | None = None
    fs_type: str | None = None

    @classmethod
    def nested(cls, parent: FileLocator, kind: str, path: str, params: Mapping[str, Any]) -> FileLocator:
        """The link of an item found inside ``parent`` (archive member, embedded object, frame, ...)."""
        return cls(parent.item, None, None, None, None, None, path, kind, _frozen(params), parent)

    @classmethod
    def carved(cls, item: str, partition_offset: int | None, path: str, runs: list[list[int]]) -> FileLocator:
        """A carved item: ``runs`` of ``[media_offset, length]`` in the evidence media."""
        return cls(item, partition_offset, None, None, None, None, path, CARVED, _frozen({"runs": runs}))

    @property
    def parameters(self) -> dict[str, Any]:
        """The params as a plain dict (lists, not tuples)."""
        return {key: _plain(value) for key, value in self.params}

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def chain(self) -> list[FileLocator]:
        """The links from the top-level one down to this one."""
        links: list[FileLocator] = []
        link: FileLocator | None = self
        while link is not None:
            links.append(link)
            link = link.parent
        return links[::-1]

    def root(self) -> FileLocator:
        return self.chain()[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; a plain file-system link keeps the seven keys it always had (and ``fs_type``
        only where the offset is ambiguous)."""
        data: dict[str, Any] = {name: getattr(self, name) for name in _ROOT_FIELDS}
        if self.kind != FILE or self.params or self.parent is not None:
            data["kind"] = self.kind
            data["params"] = self.parameters
            data["parent"] = None if self.parent is None else self.parent.to_dict()
        if self.fs_type is not None:
            data["fs_type"] = self.fs_type
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileLocator:
        parent = data.get("parent")
        return cls(
            item=data["item"],
            partition_offset=data.get("partition_offset"),
            inode=data.get("inode"),
            attr_type=data.get("attr_type"),
            attr_id=data.get("attr_id"),
            stream=data.get("stream"),
            path=data["path"],
            kind=data.get("kind") or FILE,
            params=_frozen(data.get("params")),
            parent=None if parent is None else cls.from_dict(parent),
            fs_type=data.get("fs_type"),
        )

    @classmethod
    def from_json(cls, text: str) -> FileLocator:
        return cls.from_dict(json.loads(text))

    def describe(self, fs_type: str | None = None) -> str:
        """The chain in words, innermost first, e.g. ``IMG_0042.jpg, member of Downloads/holiday.zip,
        NTFS at byte offset 1048576, evidence item EXH-01``."""
        parts = list(_describe_links(self.chain()[::-1], fs_type))
        return ", ".join(parts)


def _describe_links(links: list[FileLocator], fs_type: str | None) -> Iterator[str]:
    """Words for each link, innermost first, then the file system and the evidence item."""
    first = links[0]
    yield first.path
    for inner, outer in zip(links, links[1:], strict=False):
        yield f"{_relation(inner.kind)} {outer.path}"
    root = links[-1]
    if root.kind == CARVED:
        runs = root.parameters.get("runs") or []
        yield "carved from byte offset " + (str(runs[0][0]) if runs else "?")
    elif root.kind in EXTRACTION_LINK_KINDS:
        yield f"member of the phone extraction ({fs_type or 'extraction'})"
    elif fs_type in EXTRACTION_FORMATS:  # a folder only the members' paths name
        yield f"folder of the phone extraction ({fs_type})"
    elif root.partition_offset is not None:
        yield f"{(fs_type or 'file system').upper()} at byte offset {root.partition_offset}"
    else:
        yield "folder source"
    yield f"evidence item {root.item}"


_RELATIONS = {
    "frame": "frame of",
    "embedded": "embedded in",
    "ole-embedded": "embedded in",
    "ole-stream": "stream of",
    "image-file": "in disk image",
    "decompressed": "decompressed from",
    "carved": "carved from",
}


def _relation(kind: str) -> str:
    return _RELATIONS.get(kind, "member of")
