"""In the worker: what an item holds (archive members, embedded objects, files in disk images inside the
evidence) and what unallocated space holds (carved files), each child hashed and analysed like any item.

Children go to the ingest process in batches as they are found (``emit``), each with the key that places
it below the item (``ChildResult.key``) and the locator link that reopens it. The defences of the
readers (:mod:`forensics.evidence.nested.limits`) apply per container and to the whole tree; a stop is a
note of the item, never a crash, and the rest of the job goes on.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import PurePosixPath
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.carving.model import PARTIAL, CarvedFile
from forensics.evidence.carving.scanner import CarveOptions, carve
from forensics.evidence.carving.signatures import select
from forensics.evidence.locator import FileLocator
from forensics.evidence.nested.detect import detect_head
from forensics.evidence.nested.item_stream import open_item_stream
from forensics.evidence.nested.limits import NestedLimits
from forensics.evidence.nested.openers import open_seekable
from forensics.evidence.nested.records import FLAG_ERROR, FLAG_STOPPED
from forensics.evidence.nested.streams import ReadAtStream
from forensics.evidence.nested.tree import Link, NestedItem, NestedTree
from forensics.evidence.reopen import media_runs_stream
from forensics.evidence.source import EvidenceSource
from forensics.pipeline.tasks import ChildResult, Content, ItemResult, TaskOptions, WorkItem, digest_content

EMIT_EVERY = 64  # children per message to the ingest process (bounded memory in the worker)
CARVED = "carved"
READ_PIECE = 4 << 20

Emit = Callable[[list[ChildResult]], None]
Opener = Callable[[], BinaryIO]


class _ChainedStream(io.RawIOBase):
    """The innermost of a chain of streams opened one from the other; closing it closes them all."""

    def __init__(self, streams: list[BinaryIO]) -> None:
        super().__init__()
        self._streams = streams
        self._inner = streams[-1]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._inner.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._inner.seek(offset, whence)

    def readinto(self, buffer) -> int:  # noqa: ANN001 - any writable buffer
        data = self._inner.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        for stream in reversed(self._streams):
            stream.close()
        super().close()


def chain_opener(
    open_top: Opener,
    chain: Sequence[Link],
    limits: NestedLimits,
    passwords: Mapping[str, bytes] | None = None,
) -> Opener:
    """Opens a nested child again from a fresh stream of its top item, link by link (read-only, in memory
    or re-read: never a file); the walk's own streams are left where they are. ``limits``: the defences
    the walk had. ``passwords``: of the archives on the way, by chain text (as :class:`NestedTree` takes
    them)."""

    def reopen() -> BinaryIO:
        streams = [open_top()]
        try:
            for depth, link in enumerate(chain):
                password = (passwords or {}).get(NestedTree.chain_key(tuple(chain[:depth])))
                streams.append(
                    open_seekable(link.kind, streams[-1], link.params, password=password, limits=limits)
                )
        except BaseException:
            for stream in reversed(streams):
                stream.close()
            raise
        # It reads as a binary file does; typing.BinaryIO is not a class that io's classes name.
        return cast(BinaryIO, _ChainedStream(streams))

    return reopen


class _Batches:
    """Children collected and handed on every ``EMIT_EVERY``; ``heartbeat`` once per child."""

    def __init__(self, emit: Emit, heartbeat: Callable[[], None] | None) -> None:
        self.emit = emit
        self.heartbeat = heartbeat
        self.pending: list[ChildResult] = []
        self.count = 0

    def add(self, child: ChildResult) -> None:
        self.pending.append(child)
        self.count += 1
        if self.heartbeat is not None:
            self.heartbeat()
        if len(self.pending) >= EMIT_EVERY:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.emit(self.pending)
            self.pending = []


def expand_item(
    source: EvidenceSource,
    item: WorkItem,
    locator: FileLocator,
    content: Content,
    options: TaskOptions,
    emit: Emit,
    heartbeat: Callable[[], None] | None = None,
) -> list[str]:
    """List, hash and analyse everything the item holds; returns the item's notes (defences, errors)."""
    if options.nested is None or _file_system_metadata(locator):
        return []
    if detect_head(content.head, content.tail) is None and not options.embedded:
        return []
    try:
        stream = open_item_stream(source, locator, content.size)
    except EvidenceError as exc:
        return [f"{locator.path}: cannot reopen to look inside: {exc}"]
    batches = _Batches(emit, heartbeat)

    def open_top() -> BinaryIO:
        return open_item_stream(source, locator, content.size)

    try:
        return expand_stream(stream, item.name, (), options, batches, open_top, dict(item.passwords))
    finally:
        batches.flush()
        stream.close()


def _file_system_metadata(locator: FileLocator) -> bool:
    """A file system's own metadata file or TSK's virtual file (``/$MFT``, ``/$Boot``, ``/$MBR``, ``/$FAT1``):
    it holds the file system's structures (a boot sector looks like a disk), never a container."""
    return locator.parent is None and locator.path.startswith("/$") and locator.path.count("/") == 1


def expand_stream(
    stream: BinaryIO,
    name: str,
    prefix: tuple[int, ...],
    options: TaskOptions,
    batches: _Batches,
    open_top: Opener | None = None,
    passwords: Mapping[str, bytes] | None = None,
) -> list[str]:
    """The nested content of one stream, keyed below ``prefix``; returns the notes of its defences.

    ``open_top`` opens ``stream``'s bytes afresh: a child video too big to keep in memory is decoded from
    a stream reopened through its chain of links (:func:`chain_opener`). ``passwords``: the examiner's
    passwords of archives inside, by chain text ('' for ``stream`` itself).
    """
    results: dict[int, Content] = {}
    passwords = dict(passwords or {})
    limits = options.nested
    assert limits is not None

    def consume(nested: NestedItem, chunks: Iterator[bytes]) -> tuple[bytes, bytes]:
        reopen = chain_opener(open_top, nested.chain, limits, passwords) if open_top is not None else None
        try:
            found = digest_content(chunks, nested.child.name, nested.child.size or 0, options, reopen=reopen)
        except OSError as exc:
            raise EvidenceError(f"{nested.chain_text()}: {exc}") from exc
        results[id(nested)] = found
        return found.head, found.tail

    tree = NestedTree(
        stream, name, limits=limits, passwords=passwords, embedded=options.embedded, consume=consume
    )
    keys: dict[tuple[str, ...], tuple[int, ...]] = {(): prefix}
    counters: dict[tuple[int, ...], int] = {}
    for nested in tree.items():
        parent = keys.get(_chain_id(nested.chain[:-1]))
        if parent is None:  # its parent was not listed (cannot happen: parents come first)
            continue
        index = counters.get(parent, 0)
        counters[parent] = index + 1
        key = (*parent, index)
        keys[_chain_id(nested.chain)] = key
        batches.add(_child_result(key, nested, results.pop(id(nested), None), options, name))
    return list(dict.fromkeys(tree.notes))


def _chain_id(chain: tuple) -> tuple[str, ...]:
    return tuple(f"{link.kind}\0{link.path}\0{sorted(link.params.items())!r}" for link in chain)


def _child_result(
    key: tuple[int, ...], nested: NestedItem, found: Content | None, options: TaskOptions, top: str
) -> ChildResult:
    child = nested.child
    if nested.error is not None:
        status, error = "error", nested.error
    elif found is not None:
        status, error = "done", None
    else:
        status, error = "no-content", child.note
    flags = tuple(child.flags)
    if status == "no-content" and (FLAG_STOPPED in flags or FLAG_ERROR in flags):
        status = "error"
    where = f"{nested.chain_text()} in {top}"
    if status == "error" and error and where not in error:  # the message names the member and its holder
        error = f"{where}: {error}"
    return ChildResult(
        key=key,
        link_kind=child.link_kind,
        path=child.path,
        name=child.name,
        params=child.params,
        kind=child.kind,
        size=child.size if found is None else found.size,
        mtime_ns=child.mtime_ns,
        atime_ns=child.atime_ns,
        ctime_ns=child.ctime_ns,
        crtime_ns=child.crtime_ns,
        flags=flags,
        status=status,
        md5=found.md5 if found else None,
        sha1=found.sha1 if found else None,
        sha256=found.sha256 if found else None,
        bytes_read=found.size if found else 0,
        error=error,
        analysis=found.analysis if found else None,
        tasks_mask=options.mask if found else 0,
    )


def carve_region(
    source: EvidenceSource,
    item: WorkItem,
    locator: FileLocator,
    options: TaskOptions,
    emit: Emit | None,
    heartbeat: Callable[[], None] | None = None,
) -> ItemResult:
    """Carve a file system's unallocated space (the runs of its ``$Unallocated`` item), each file analysed.

    Carved files are children of the ``$Unallocated`` item with a ``carved`` link holding their byte runs
    in the media; a file equal to a listed deleted file's extent (``known``) is not carved again.
    """
    media = source.image.media
    if media is None or emit is None or not options.carve:
        return ItemResult(item.file_id, "done", tasks_mask=options.mask)
    params = locator.parameters
    runs = [(int(start), int(length)) for start, length in params.get("runs", [])]
    known = {(int(start), int(length)) for start, length in params.get("known", [])}
    carve_options = CarveOptions(signatures=select(families=set(options.carve)))
    batches = _Batches(emit, heartbeat)
    scanned = sum(length for _start, length in runs)
    notes: list[str] = []
    try:
        for index, carved in enumerate(carve(media.read_at, runs, carve_options, known)):
            child, content = _carved_result((index,), carved, media.read_at, options)
            batches.add(child)
            if content is not None and options.nested is not None and detect_head(content.head, content.tail):
                # a carved archive or document: its members through the readers, never carved again
                runs_of = [[carved.offset, carved.length]]

                def open_carved(runs: list[list[int]] = runs_of, shown: str = child.path) -> BinaryIO:
                    return media_runs_stream(source, runs, shown)

                with open_carved() as stream:
                    notes += expand_stream(stream, child.name, child.key, options, batches, open_carved)
    except (EvidenceError, OSError) as exc:
        batches.flush()
        return ItemResult(item.file_id, "error", bytes_read=scanned, error=f"{locator.path}: carving: {exc}")
    batches.flush()
    return ItemResult(item.file_id, "done", bytes_read=scanned, tasks_mask=options.mask, notes=notes)


def _carved_result(
    key: tuple[int, ...], carved: CarvedFile, read_at: Callable[[int, int], bytes], options: TaskOptions
) -> tuple[ChildResult, Content | None]:
    name = str(PurePosixPath(carved.name()).name)

    def chunks() -> Iterator[bytes]:
        done = 0
        while done < carved.length:
            data = read_at(carved.offset + done, min(READ_PIECE, carved.length - done))
            if not data:
                raise EvidenceError(f"{name}: media ends at byte {carved.offset + done}")
            done += len(data)
            yield data

    flags = ("partial",) if carved.status == PARTIAL else ()
    result = partial(
        ChildResult,
        key=key,
        link_kind=CARVED,
        path=carved.name(),
        name=name,
        params={"runs": [[carved.offset, carved.length]], "format": carved.kind, "status": carved.status},
        size=carved.length,
        flags=flags,
        byte_runs=[[0, carved.offset, carved.length]],
    )

    def reopen() -> BinaryIO:
        stream = ReadAtStream(lambda offset, size: read_at(carved.offset + offset, size), carved.length)
        return cast(BinaryIO, stream)  # it reads as a binary file does; BinaryIO is not a class io names

    try:
        found = digest_content(chunks(), name, carved.length, options, reopen=reopen)
    except (EvidenceError, OSError) as exc:
        return result(status="error", error=str(exc)), None
    child = result(
        status="done",
        md5=found.md5,
        sha1=found.sha1,
        sha256=found.sha256,
        bytes_read=found.size,
        error=carved.note if carved.status == PARTIAL else None,
        analysis=found.analysis,
        tasks_mask=options.mask,
    )
    return child, found
