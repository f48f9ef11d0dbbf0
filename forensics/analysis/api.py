"""The analysis contract with the ingest pipeline: what to keep, ``analyze`` in a worker, store in the writer.

The worker reads each file once: it keeps the first ``HEAD_SIZE`` bytes and, when
``wants_whole_content`` says so, the whole content; ``analyze`` turns them into a picklable
``AnalysisResult`` (never raising for bad input). The single writer stores it with
:mod:`forensics.case.analysis_store`.
"""

from __future__ import annotations

from dataclasses import replace

from forensics.analysis.decode import Deadline, decode_image
from forensics.analysis.exif import read_exif
from forensics.analysis.filetype import analyse_type
from forensics.analysis.options import ANALYSIS_TASKS, AnalysisOptions
from forensics.analysis.perceptual import hash_grey, perceptual_hashes
from forensics.analysis.problems import describe
from forensics.analysis.region_hashes import region_hashes
from forensics.analysis.results import (
    AnalysisResult,
    ExifInfo,
    FileTypeInfo,
    ImageInfo,
    PerceptualHashes,
    Thumbnail,
)
from forensics.analysis.signatures import EXIF_KINDS, image_kind
from forensics.analysis.thumbnail import make_thumbnail

__all__ = [
    "ANALYSIS_TASKS",
    "HEAD_SIZE",
    "AnalysisOptions",
    "AnalysisResult",
    "analyze",
    "wants_whole_content",
]

HEAD_SIZE = 65536
_PIXEL_TASKS = frozenset({"perceptual", "thumbnail"})


def wants_whole_content(name: str, size: int, head: bytes, options: AnalysisOptions) -> bool:
    """True for still images up to ``options.max_image_bytes`` when EXIF or pixel tasks are on."""
    del name  # the decision is by content, never by the (possibly misleading) name
    if not options.tasks & (_PIXEL_TASKS | {"exif"}) or size <= 0 or size > options.max_image_bytes:
        return False
    return image_kind(head) is not None


def _type_task(name: str, head: bytes, warnings: list[str]) -> FileTypeInfo | None:
    try:
        return analyse_type(name, head)
    except Exception as exc:
        warnings.append(describe("type identification failed", exc))
        return None


def _exif_task(data: bytes, warnings: list[str]) -> ExifInfo | None:
    try:
        info, problems = read_exif(data)
    except Exception as exc:
        warnings.append(describe("EXIF failed", exc))
        return None
    warnings.extend(problems)
    return info


def _pixel_tasks(
    data: bytes, options: AnalysisOptions, warnings: list[str]
) -> tuple[ImageInfo | None, PerceptualHashes | None, Thumbnail | None]:
    """Decode once, then hashes and thumbnail from the same pixels, within the time budget."""
    deadline = Deadline(options.time_budget_s)
    decoded, info, problems = decode_image(data, options)
    warnings.extend(problems)
    hashes = thumb = None
    if decoded is None:
        return info, hashes, thumb
    try:
        if "perceptual" in options.tasks:
            if deadline.expired():
                warnings.append("perceptual hashes skipped: time budget exceeded")
            else:
                grey = hash_grey(decoded.image, options)
                hashes = perceptual_hashes(decoded.image, options, grey)
                if options.regions and not deadline.expired():
                    source = (decoded.info.width or 0, decoded.info.height or 0)
                    regions = region_hashes(decoded.image, grey, source if all(source) else None)
                    hashes = replace(hashes, regions=regions)
        if "thumbnail" in options.tasks:
            if deadline.expired():
                warnings.append("thumbnail skipped: time budget exceeded")
            else:
                thumb = make_thumbnail(
                    decoded.image, decoded.orientation, options.thumbnail_size, options.thumbnail_quality
                )
    except Exception as exc:
        warnings.append(describe("image hashing/thumbnail failed", exc))
    finally:
        decoded.image.close()
    return info, hashes, thumb


def analyze(
    name: str, size: int, head: bytes, content: bytes | None, options: AnalysisOptions
) -> AnalysisResult:
    """Run the selected tasks on one file; problems become warnings in the result, never exceptions."""
    warnings: list[str] = []
    filetype = exif = image = hashes = thumb = None
    try:
        if content is None and 0 <= size <= len(head):
            content = head  # small file: the head is the whole content
        if "type" in options.tasks:
            filetype = _type_task(name, head, warnings)
        kind = image_kind(head)
        if kind in EXIF_KINDS and "exif" in options.tasks:
            exif = _exif_task(content if content is not None else head, warnings)
        if kind is not None and options.tasks & _PIXEL_TASKS:
            if content is None:
                cap = options.max_image_bytes
                warnings.append(f"image not decoded: {size} bytes is over the {cap} byte cap")
                image = ImageInfo(None, None, None, None, too_large=True)
            else:
                image, hashes, thumb = _pixel_tasks(content, options, warnings)
    except Exception as exc:  # MemoryError, RecursionError, ... from hostile input
        warnings.append(describe("analysis failed", exc))
    return AnalysisResult(
        filetype=filetype,
        exif=exif,
        image=image,
        perceptual=hashes,
        thumbnail=thumb,
        warnings=tuple(warnings),
    )
