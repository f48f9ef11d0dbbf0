"""Walk an item's nested content to the bottom: containers in containers, each child hashed once.

This is the reference of how ingest uses the readers: list the children of a container (one pass over
its bytes, each child's content streamed while listed), open a child that is itself a container as a
seekable stream (:func:`openers.open_seekable`) and go down, with the defences of :mod:`limits` applied
per container and to the whole tree (members, expanded bytes and ratio to the top item's stored size,
time). Every problem is a note; nothing raises out of :meth:`NestedTree.items`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from forensics.core.errors import EvidenceError
from forensics.evidence.nested.detect import HEAD_SIZE, detect_head
from forensics.evidence.nested.embedded import EmbeddedReader
from forensics.evidence.nested.limits import DEFAULT_LIMITS, LimitExceeded, NestedLimits
from forensics.evidence.nested.openers import open_seekable
from forensics.evidence.nested.records import FLAG_ERROR, FLAG_STOPPED, NestedChild
from forensics.evidence.nested.streams import stream_size
from forensics.evidence.nested.walk import ContainerWalk, open_container


@dataclass(frozen=True)
class Link:
    """One link of a locator chain below a file: its kind, its path inside the parent, its params."""

    kind: str
    path: str
    params: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "params": self.params}


@dataclass
class NestedItem:
    """A child found at some depth: its chain of links from the top item, its record and its MD5."""

    chain: tuple[Link, ...]
    child: NestedChild
    md5: str | None = None
    sha256: str | None = None
    error: str | None = None
    opened_as: str | None = None  # the container format when the child was opened in turn

    @property
    def depth(self) -> int:
        return len(self.chain)

    def chain_text(self) -> str:
        """'IMG_0042.jpg < holiday.zip' style: the child and each enclosing member, innermost first."""
        return " < ".join(link.path for link in reversed(self.chain))


@dataclass
class NestedTree:
    """The nested content of one top item (a file of the evidence's file system)."""

    stream: BinaryIO
    name: str
    limits: NestedLimits = DEFAULT_LIMITS
    passwords: dict[str, bytes] = field(default_factory=dict)  # by chain text of the archive ('' = top)
    embedded: bool = False  # also carve files embedded at offsets inside items that are no container
    # Who reads each readable child's bytes (given the item and its chunks, returns the head and tail
    # bytes it kept): ingest hashes and analyses them; by default MD5 and SHA-256 only.
    consume: Callable[[NestedItem, Iterator[bytes]], tuple[bytes, bytes]] | None = None
    notes: list[str] = field(default_factory=list)
    stopped: bool = False

    def __post_init__(self) -> None:
        self._started = time.monotonic()
        self._members = 0
        self._expanded = 0
        self._top_size = max(stream_size(self.stream), 1)

    def items(self) -> Iterator[NestedItem]:
        """Every nested item, parents before their children (depth first)."""
        walk = open_container(
            self.stream, name=self.name, limits=self.limits, password=self.passwords.get(""), depth=0
        )
        if walk is None and self.embedded:
            walk = self._embedded_walk(self.stream, self.name)
        if walk is None:
            return
        yield from self._walk(walk, self.stream, ())

    def _walk(self, walk: ContainerWalk, parent: BinaryIO, chain: tuple[Link, ...]) -> Iterator[NestedItem]:
        try:
            for child in walk.children():
                if self.stopped:
                    break
                link = Link(child.link_kind, child.path, child.params)
                item = NestedItem(chain + (link,), child)
                head, tail = self._hash(item)
                yield item
                if item.error is None and child.readable and not self.stopped:
                    yield from self._descend(item, parent, head, tail)
        finally:
            self.notes.extend(walk.notes)
            walk.close()

    def _chunks(self, item: NestedItem) -> Iterator[bytes]:
        """The child's content, counted against the whole tree's defences."""
        for data in item.child.chunks(self.limits.chunk_size):
            self._count(len(data), item)
            yield data

    def _hash(self, item: NestedItem) -> tuple[bytes, bytes]:
        """Stream the child once: MD5 and SHA-256, its head and tail kept for format detection."""
        child = item.child
        if not child.readable:
            return b"", b""
        md5, sha256 = hashlib.md5(), hashlib.sha256()
        head = bytearray()
        tail = b""
        try:
            if self.consume is not None:
                return self.consume(item, self._chunks(item))
            for data in self._chunks(item):
                md5.update(data)
                sha256.update(data)
                if len(head) < HEAD_SIZE:
                    head += data[: HEAD_SIZE - len(head)]
                tail = data[-512:] if len(data) >= 512 else (tail + data)[-512:]
        except LimitExceeded as exc:
            item.error = str(exc)
            if FLAG_STOPPED not in child.flags:
                child.flags.append(FLAG_STOPPED)
            child.note = str(exc)
            return b"", b""
        except EvidenceError as exc:
            item.error = str(exc)
            child.flags.append(FLAG_ERROR)
            return b"", b""
        item.md5, item.sha256 = md5.hexdigest(), sha256.hexdigest()
        return bytes(head), tail

    def _count(self, size: int, item: NestedItem) -> None:
        """The whole tree's defences: expanded bytes and ratio to the top item, members and time."""
        self._expanded += size
        limits = self.limits
        if self._expanded > limits.max_expanded_bytes:
            self._stop(f"{self.name}: more than {limits.max_expanded_bytes} expanded bytes in all: stopped")
        elif self._expanded > limits.ratio_grace_bytes and self._expanded > limits.max_ratio * self._top_size:
            self._stop(
                f"{self.name}: expansion ratio above {limits.max_ratio:g} (nested containers, at "
                f"{item.chain_text()}): stopped"
            )
        elif time.monotonic() - self._started > limits.max_seconds:
            self._stop(f"{self.name}: reading took over {limits.max_seconds:g} s: stopped")
        if self.stopped:
            raise LimitExceeded(self.notes[-1])

    def _stop(self, note: str) -> None:
        self.stopped = True
        self.notes.append(note)

    def _descend(self, item: NestedItem, parent: BinaryIO, head: bytes, tail: bytes) -> Iterator[NestedItem]:
        child = item.child
        fmt = detect_head(head, tail)
        if fmt is None and not self.embedded:
            return
        self._members += 1
        if self._members > self.limits.max_members:
            self._stop(f"{self.name}: more than {self.limits.max_members} nested containers: stopped")
            return
        where = (
            f"{child.path} in {self.name}" if len(item.chain) == 1 else f"{item.chain_text()} in {self.name}"
        )
        try:
            stream = open_seekable(
                child.link_kind,
                parent,
                child.params,
                size=child.size,
                password=self.passwords.get(self.chain_key(item.chain[:-1])),
                limits=self.limits,
            )
        except EvidenceError as exc:
            self.notes.append(f"{where}: cannot reopen to look inside: {exc}")
            return
        walk = None
        if fmt is not None:
            walk = open_container(
                stream,
                name=child.path,
                where=where,
                limits=self.limits,
                password=self.passwords.get(item.chain_text()),
                depth=len(item.chain),
                fmt=fmt,
            )
        elif child.link_kind not in ("embedded", "carved", "ole-embedded"):
            walk = self._embedded_walk(stream, where)
        if walk is None:
            return
        item.opened_as = walk.format
        yield from self._walk(walk, stream, item.chain)

    def _embedded_walk(self, stream: BinaryIO, where: str) -> ContainerWalk | None:
        walk = ContainerWalk("embedded", where, EmbeddedReader(stream, self.limits, where))
        return walk

    @staticmethod
    def chain_key(chain: tuple[Link, ...]) -> str:
        """How :attr:`passwords` names the archive at the end of ``chain`` ('' for the top item)."""
        return " < ".join(link.path for link in reversed(chain))
