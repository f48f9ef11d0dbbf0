"""The per-item work done in a worker: read the item once, hash it, and feed the analysis tasks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, NamedTuple

from forensics.analysis.video_options import VideoOptions
from forensics.core.errors import CustosError
from forensics.core.hashing import MultiHasher
from forensics.evidence.locator import FileLocator
from forensics.evidence.nested.detect import HEAD_SIZE as NESTED_HEAD
from forensics.evidence.nested.limits import NestedLimits
from forensics.evidence.source import EvidenceSource

UNALLOCATED = "unallocated"  # locator kind of a file system's unallocated space (carved, never hashed)


class WorkItem(NamedTuple):
    """What a worker needs to process one item (small and picklable).

    A named tuple: the ingest process makes and pickles one per item and each worker unpickles it; a
    frozen dataclass cost three times as much CPU on both sides.
    """

    file_id: int
    locator: dict
    name: str
    size: int
    # The examiner's passwords of archives in this item, by the archive's chain below it ('' = the item
    # itself, else "inner.zip < outer.zip"): handed over in memory only, never stored or logged.
    passwords: tuple[tuple[str, bytes], ...] = ()


@dataclass
class ItemResult:
    """What the writer stores for one item."""

    file_id: int
    status: str  # done | error
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    bytes_read: int = 0
    error: str | None = None
    analysis: Any = None
    tasks_mask: int = 0
    # Per-item notes that are not errors of the item itself (e.g. a defence stopped reading an archive)
    notes: list[str] = field(default_factory=list)


@dataclass
class ChildResult:
    """An item found inside another (archive member, embedded object, carved file) with its results.

    ``key`` places it below the top item the worker processed: the indexes of each level
    (``(3,)`` is the top item's fourth child, ``(3, 0)`` that child's first child). The writer stores it as
    a ``files`` row with ``parent_id`` and its own locator link (``link_kind``, ``params``).
    """

    key: tuple[int, ...]
    link_kind: str
    path: str
    name: str
    params: dict[str, Any]
    kind: str = "file"
    size: int | None = None
    mtime_ns: int | None = None
    atime_ns: int | None = None
    ctime_ns: int | None = None
    crtime_ns: int | None = None
    flags: tuple[str, ...] = ()
    byte_runs: list[list[int]] | None = None
    status: str = "no-content"  # done | error | no-content
    md5: str | None = None
    sha1: str | None = None
    sha256: str | None = None
    bytes_read: int = 0
    error: str | None = None
    analysis: Any = None
    tasks_mask: int = 0


# One bit per analysis task; perceptual hashes from a full decode count as more than from a reduced one,
# and videos with keyframes and a frame strip (full) as more than sampled at 1 fps alone (triage).
TASK_BITS = {
    "type": 1,
    "exif": 2,
    "perceptual": 4,
    "thumbnail": 8,
    "full-decode": 16,
    "video": 32,
    "video-full": 64,
}
TAIL_SIZE = 512  # bytes of an item's end kept for container detection (a zip's end of central directory)


@dataclass(frozen=True)
class TaskOptions:
    """Switched-on tasks for this job (from the processing profile).

    ``nested``: the defences for opening containers (archives, documents, disk images inside the
    evidence), None when the profile does not open them; ``embedded``: also files embedded at offsets
    inside items and documents' embedded objects; ``carve``: the carving families (picture, video,
    document, archive, database) run over unallocated space, empty for none; ``video``: what the video
    task samples and keeps (with ``video`` in ``analysis_tasks``).
    """

    analysis_tasks: frozenset[str] = frozenset()
    reduced_decode: bool = False
    nested: NestedLimits | None = None
    embedded: bool = False
    carve: frozenset[str] = frozenset()
    video: VideoOptions = field(default_factory=VideoOptions)

    @property
    def mask(self) -> int:
        """The tasks this job runs on each item, as ``TASK_BITS``."""
        bits = sum(TASK_BITS[t] for t in self.analysis_tasks if t in TASK_BITS)
        if "perceptual" in self.analysis_tasks and not self.reduced_decode:
            bits |= TASK_BITS["full-decode"]
        if "video" in self.analysis_tasks and self.video.keyframes:  # a strip alone is a gallery aid
            bits |= TASK_BITS["video-full"]
        return bits


@dataclass
class Content:
    """What one pass over an item's bytes gave: digests, head and tail bytes, analysis."""

    md5: str
    sha1: str
    sha256: str
    size: int
    head: bytes
    tail: bytes
    analysis: Any = None


def digest_content(
    chunks: Iterable[bytes],
    name: str,
    size: int,
    options: TaskOptions,
    spare_core: bool | Callable[[], bool] = True,
    reopen: Callable[[], BinaryIO] | None = None,
) -> Content:
    """Hash ``chunks`` in one pass, keep the head (and whole content when analysis wants it), analyse.

    Raises what reading the chunks raises (``CustosError``, ``OSError``); the caller records it.
    ``spare_core`` tells (or is asked) whether a core is free for a large item's MD5 helper thread.
    ``reopen`` opens the item again as a seekable read-only stream: a video too big to keep in memory is
    decoded from it after the hashing pass.
    """
    hasher = MultiHasher(parallel=spare_core)
    analysis_options = _analysis_options(options)
    head_size = max(_head_size() if analysis_options is not None else 0, NESTED_HEAD if options.nested else 0)
    decided = head_size == 0
    head = b""
    tail = b""
    keep: list[bytes] | None = None
    seen: list[bytes] = []
    for chunk in chunks:
        hasher.update(chunk)
        tail = chunk[-TAIL_SIZE:] if len(chunk) >= TAIL_SIZE else (tail + chunk)[-TAIL_SIZE:]
        if decided:
            if keep is not None:
                keep.append(chunk)
            continue
        seen.append(chunk)
        if hasher.size >= head_size:
            head = b"".join(seen)[:head_size]
            wanted = analysis_options is not None and _wants_whole(name, size, head, analysis_options)
            keep = seen if wanted else None
            decided = True
    if not decided:  # the whole item is shorter than the head size
        head = b"".join(seen)
        wanted = analysis_options is not None and _wants_whole(name, size, head, analysis_options)
        keep = seen if wanted else None
    digests = hasher.digests()
    content = Content(digests.md5, digests.sha1, digests.sha256, digests.size, head, tail)
    if analysis_options is not None:
        from forensics.analysis.api import analyze

        whole = b"".join(keep) if keep is not None else None
        content.analysis = analyze(name, digests.size, head[: _head_size()], whole, analysis_options, reopen)
    return content


def process_item(
    source: EvidenceSource,
    item: WorkItem,
    options: TaskOptions,
    spare_core: bool | Callable[[], bool] = True,
    emit_children: Callable[[list[ChildResult]], None] | None = None,
    heartbeat: Callable[[], None] | None = None,
) -> ItemResult:
    """Read the item once: hashes and analysis; then, when the profile says so, what it holds.

    Children (archive members, embedded objects, files carved from an ``$Unallocated`` item) go to
    ``emit_children`` in batches as they are found; ``heartbeat`` is called for each one (a long
    container is not one item's time to the worker's time limit).
    """
    locator = FileLocator.from_dict(item.locator)
    if locator.kind == UNALLOCATED:
        from forensics.pipeline.nested_items import carve_region

        return carve_region(source, item, locator, options, emit_children, heartbeat)
    counted = _Counted(source.read_chunks(locator))

    def reopen() -> BinaryIO:
        from forensics.evidence.reopen import open_stream

        return open_stream(source, locator)

    try:
        content = digest_content(counted, item.name, item.size, options, spare_core, reopen)
    except CustosError as exc:
        return ItemResult(item.file_id, "error", bytes_read=counted.size, error=str(exc))
    except (OSError, MemoryError) as exc:
        return ItemResult(item.file_id, "error", bytes_read=counted.size, error=f"{locator.path}: {exc}")
    result = ItemResult(
        item.file_id,
        "done",
        content.md5,
        content.sha1,
        content.sha256,
        content.size,
        analysis=content.analysis,
        tasks_mask=options.mask,
    )
    if options.nested is not None and emit_children is not None:
        from forensics.pipeline.nested_items import expand_item

        result.notes = expand_item(source, item, locator, content, options, emit_children, heartbeat)
    return result


class _Counted:
    """Chunks passed through, counted (the bytes read before an error are the item's ``bytes_read``)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = chunks
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._chunks:
            self.size += len(chunk)
            yield chunk


def _analysis_options(options: TaskOptions):
    if not options.analysis_tasks:
        return None
    from forensics.analysis.api import AnalysisOptions

    return AnalysisOptions(
        tasks=frozenset(options.analysis_tasks), reduced_decode=options.reduced_decode, video=options.video
    )


def _head_size() -> int:
    from forensics.analysis.api import HEAD_SIZE

    return HEAD_SIZE


def _wants_whole(name: str, size: int, head: bytes, analysis_options) -> bool:
    from forensics.analysis.api import wants_whole_content

    return wants_whole_content(name, size, head, analysis_options)
