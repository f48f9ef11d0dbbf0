"""The per-item work done in a worker: read the item once, hash it, and feed the analysis tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from forensics.core.errors import CustosError
from forensics.core.hashing import MultiHasher
from forensics.evidence.locator import FileLocator
from forensics.evidence.source import EvidenceSource


class WorkItem(NamedTuple):
    """What a worker needs to process one item (small and picklable).

    A named tuple: the ingest process makes and pickles one per item and each worker unpickles it; a
    frozen dataclass cost three times as much CPU on both sides.
    """

    file_id: int
    locator: dict
    name: str
    size: int


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


# One bit per analysis task; perceptual hashes from a full decode count as more than from a reduced one.
TASK_BITS = {"type": 1, "exif": 2, "perceptual": 4, "thumbnail": 8, "full-decode": 16}


@dataclass(frozen=True)
class TaskOptions:
    """Switched-on tasks for this job (from the processing profile)."""

    analysis_tasks: frozenset[str] = frozenset()
    reduced_decode: bool = False

    @property
    def mask(self) -> int:
        """The tasks this job runs on each item, as ``TASK_BITS``."""
        bits = sum(TASK_BITS[t] for t in self.analysis_tasks if t in TASK_BITS)
        if "perceptual" in self.analysis_tasks and not self.reduced_decode:
            bits |= TASK_BITS["full-decode"]
        return bits


def process_item(
    source: EvidenceSource,
    item: WorkItem,
    options: TaskOptions,
    spare_core: bool | Callable[[], bool] = True,
) -> ItemResult:
    """Hash the item in one pass; keep its head (and whole content when analysis wants it).

    ``spare_core`` tells (or is asked) whether a core is free for a large item's MD5 helper thread.
    """
    locator = FileLocator.from_dict(item.locator)
    hasher = MultiHasher(parallel=spare_core)
    analysis_options = _analysis_options(options)
    head = b""
    head_size = _head_size() if analysis_options is not None else 0
    decided = analysis_options is None
    keep: list[bytes] | None = None
    seen: list[bytes] = []
    try:
        for chunk in source.read_chunks(locator):
            hasher.update(chunk)
            if decided:
                if keep is not None:
                    keep.append(chunk)
                continue
            seen.append(chunk)
            if hasher.size >= head_size:
                head = b"".join(seen)[:head_size]
                keep = seen if _wants_whole(item, head, analysis_options) else None
                decided = True
        if not decided:  # the whole item is shorter than the head size
            head = b"".join(seen)
            keep = seen if _wants_whole(item, head, analysis_options) else None
    except CustosError as exc:
        return ItemResult(item.file_id, "error", bytes_read=hasher.size, error=str(exc))
    except (OSError, MemoryError) as exc:
        return ItemResult(item.file_id, "error", bytes_read=hasher.size, error=f"{locator.path}: {exc}")
    digests = hasher.digests()
    result = ItemResult(
        item.file_id, "done", digests.md5, digests.sha1, digests.sha256, digests.size, tasks_mask=options.mask
    )
    if analysis_options is not None:
        from forensics.analysis.api import analyze

        content = b"".join(keep) if keep is not None else None
        result.analysis = analyze(item.name, digests.size, head, content, analysis_options)
    return result


def _analysis_options(options: TaskOptions):
    if not options.analysis_tasks:
        return None
    from forensics.analysis.api import AnalysisOptions

    return AnalysisOptions(tasks=frozenset(options.analysis_tasks), reduced_decode=options.reduced_decode)


def _head_size() -> int:
    from forensics.analysis.api import HEAD_SIZE

    return HEAD_SIZE


def _wants_whole(item: WorkItem, head: bytes, analysis_options) -> bool:
    from forensics.analysis.api import wants_whole_content

    return wants_whole_content(item.name, item.size, head, analysis_options)
