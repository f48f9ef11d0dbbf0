"""The analysis contract with the ingest pipeline: what to keep, ``analyze`` in a worker, store in the writer.

The worker reads each file once: it keeps the first ``HEAD_SIZE`` bytes and, when
``wants_whole_content`` says so, the whole content; ``analyze`` turns them into a picklable
``AnalysisResult`` (never raising for bad input). The single writer stores it with
:mod:`forensics.case.analysis_store`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, BinaryIO, cast

from forensics.analysis.decode import Deadline, decode_image
from forensics.analysis.exif import read_exif
from forensics.analysis.filetype import analyse_type
from forensics.analysis.media_kind import media_container
from forensics.analysis.options import ANALYSIS_TASKS, AnalysisOptions
from forensics.analysis.perceptual import hash_grey, luma_of, perceptual_hashes
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
from forensics.core.errors import CustosError

if TYPE_CHECKING:
    from forensics.analysis.video import VideoAnalysis

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
    """True for still images up to ``options.max_image_bytes`` when EXIF or pixel tasks are on, and for
    video and audio containers up to ``options.video.max_in_memory`` when the video task is on."""
    del name  # the decision is by content, never by the (possibly misleading) name
    if size <= 0:
        return False
    if wants_video(head, options) and size <= options.video.max_in_memory:
        return True
    if not options.tasks & (_PIXEL_TASKS | {"exif"}) or size > options.max_image_bytes:
        return False
    return image_kind(head) is not None


def wants_video(head: bytes, options: AnalysisOptions) -> bool:
    """Whether the video task decodes this content (a video or audio container by its head)."""
    return "video" in options.tasks and media_container(head) is not None


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
                luma = luma_of(decoded.image)  # converted once: the hashes' grey copy and region detection
                grey = hash_grey(decoded.image, options, luma)
                hashes = perceptual_hashes(decoded.image, options, grey)
                if options.regions and not deadline.expired():
                    source = (decoded.info.width or 0, decoded.info.height or 0)
                    regions = region_hashes(decoded.image, grey, source if all(source) else None, luma)
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


def _video_task(
    size: int, content: bytes | None, options: AnalysisOptions, stream: Callable[[], BinaryIO] | None
) -> tuple[VideoAnalysis | None, Thumbnail | None, str | None]:
    """Decode a video or audio container once: (``VideoAnalysis``, its tile picture, a problem or None).

    The bytes already read when the worker kept them, else a read-only stream of the item (never a file).
    """
    from forensics.analysis.frame_strip import strip_mosaic
    from forensics.analysis.video import analyze_video  # PyAV is imported only where videos are decoded

    if content is None and stream is None:
        cap = options.video.max_in_memory
        return None, None, f"video not decoded: {size} bytes is over the {cap} byte cap and no stream of it"
    source = content
    opened: BinaryIO | None = None
    if source is None:
        assert stream is not None
        try:
            opened = stream()
        except (CustosError, OSError) as exc:
            return None, None, describe("video not decoded: cannot reopen the item as a stream", exc)
    try:
        video = analyze_video(
            cast("bytes | BinaryIO", source if source is not None else opened), options.video
        )
    finally:
        if opened is not None:
            opened.close()
    video_options = options.video
    mosaic = strip_mosaic(list(video.strip), video_options.strip_side, video_options.strip_quality)
    thumb = Thumbnail(mosaic.data, mosaic.width, mosaic.height) if mosaic is not None else None
    return video, thumb, None


def analyze(
    name: str,
    size: int,
    head: bytes,
    content: bytes | None,
    options: AnalysisOptions,
    stream: Callable[[], BinaryIO] | None = None,
) -> AnalysisResult:
    """Run the selected tasks on one file; problems become warnings in the result, never exceptions.

    ``stream``: opens the item's bytes as a seekable read-only stream, for a video too big to be kept
    in memory (``content`` is None then).
    """
    warnings: list[str] = []
    filetype = exif = image = hashes = thumb = video = None
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
    if wants_video(head, options):
        try:
            video, tile, problem = _video_task(size, content, options, stream)
            if problem is not None:
                warnings.append(problem)
            thumb = thumb or tile  # an animated GIF keeps its picture's thumbnail
        except Exception as exc:  # anything a hostile container raises past the video task's own guards
            warnings.append(describe("video analysis failed", exc))
    return AnalysisResult(
        filetype=filetype,
        exif=exif,
        image=image,
        perceptual=hashes,
        thumbnail=thumb,
        warnings=tuple(warnings),
        video=video,
    )
