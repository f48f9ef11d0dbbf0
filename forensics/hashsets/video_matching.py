"""Video matching with provenance: case videos against vPDQ lists, their frames against picture lists,
and copies of one clip inside the case.

* ``vpdq``: each case video (its whole frames, and separately the pictures inside its black bars) against
  every listed video of the selected video sets (:class:`~forensics.hashsets.video_index.VideoListIndex`,
  Meta's rule with the examiner's thresholds). A finding names the listed video (its first frame's entry:
  record, ``media_id``), both shares, the frames matched and where they are in both videos; the view with
  the larger listed share is kept (``variant`` ``inside_bars`` when the pictures inside the bars matched).
* ``pdq-frame``: every sampled frame against the PDQ entries of the selected sets that are pictures
  (frames of listed videos are left to the vPDQ matcher): a known still shown inside a video. One finding
  per (video, entry) with every matching frame and its timestamp, the nearest as ``distance``.
* copies: :func:`~forensics.hashsets.video_index.group_copies` over the case's videos (80 % of the frames
  both ways, the same distance and quality); each group is stored in ``video_copies`` (the gallery stacks
  it like identical files), replaced at every run.

The case's ``video_frames`` table is read with SQL text, as the other matchers read ``file_analysis``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from sqlalchemy import Engine, delete, insert, select, text

from forensics.analysis.vpdq import COPY_RULE, FrameHash, VideoComparison, VpdqRule
from forensics.case.db import CaseDatabase
from forensics.case.models_video import VideoCopy
from forensics.core.sqldialect import json_ids_sql
from forensics.hashsets.formats import VIDEO_FORMATS
from forensics.hashsets.hits import Hit, MatchSettings
from forensics.hashsets.index_cache import IndexCache
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry, HashSet
from forensics.hashsets.perceptual import perceptual_index
from forensics.hashsets.video_index import VideoListIndex, frame_queries

VPDQ = "vpdq"
PDQ_FRAME = "pdq-frame"
FRAMES_VIEW = "frames"
BARS_VIEW = "inside_bars"
VIDEO_PAGE = 200  # case videos whose frames are read and searched together


@dataclass(frozen=True, slots=True)
class VideoHit(Hit):
    """A hit of a case video: the hash that matched and the basis kept beside the finding."""

    matched_hash: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseVideo:
    """A case video's sampled frames: the whole frames and the pictures inside its black bars."""

    file_id: int
    frames: tuple[FrameHash, ...]
    inside_bars: tuple[FrameHash, ...]


@dataclass(frozen=True)
class ListedVideo:
    """One video of a list: its frames and its first entry (its identity in findings)."""

    set_id: int
    media_id: str
    frames: tuple[FrameHash, ...]
    first_entry: int


def vpdq_rule(settings: MatchSettings) -> VpdqRule:
    """Meta's rule with the examiner's thresholds."""
    return VpdqRule(
        distance=settings.vpdq_threshold,
        quality=settings.vpdq_min_quality,
        listed_share=settings.vpdq_listed_share,
        query_share=settings.vpdq_query_share,
    )


def copy_rule(settings: MatchSettings) -> VpdqRule:
    """Copies of one clip: most frames of each found in the other, at the vPDQ distance and quality."""
    return VpdqRule(
        distance=settings.vpdq_threshold,
        quality=settings.vpdq_min_quality,
        listed_share=COPY_RULE.listed_share,
        query_share=COPY_RULE.query_share,
    )


# --- the case's videos --------------------------------------------------------------------------------


def video_file_ids(case_engine: Engine) -> list[int]:
    """Ids of the case's files with sampled frames, in order."""
    with case_engine.connect() as connection:
        return list(
            connection.execute(text("SELECT DISTINCT file_id FROM video_frames ORDER BY file_id")).scalars()
        )


def case_videos(case_engine: Engine, file_ids: list[int]) -> list[CaseVideo]:
    """The sampled frames of the given videos (both views), frames in number order."""
    if not file_ids:
        return []
    marks = ", ".join(str(int(i)) for i in file_ids)  # integers from the case's own rows
    frames: dict[int, tuple[list[FrameHash], list[FrameHash]]] = {i: ([], []) for i in file_ids}
    with case_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT file_id, frame_number, inside_bars, timestamp_s, quality, pdq FROM video_frames "
                f"WHERE file_id IN ({marks}) ORDER BY file_id, inside_bars, frame_number"
            )
        )
        for file_id, number, inside_bars, stamp, quality, pdq in rows:
            frames[file_id][1 if inside_bars else 0].append(FrameHash(number, stamp, quality, bytes(pdq)))
    return [CaseVideo(i, tuple(frames[i][0]), tuple(frames[i][1])) for i in file_ids]


def iter_case_videos(case_engine: Engine) -> Iterator[list[CaseVideo]]:
    """Every case video with frames, in pages of ``VIDEO_PAGE`` (bounded memory)."""
    ids = video_file_ids(case_engine)
    for start in range(0, len(ids), VIDEO_PAGE):
        yield case_videos(case_engine, ids[start : start + VIDEO_PAGE])


# --- videos against vPDQ lists --------------------------------------------------------------------------


def video_set_ids(library: HashSetLibrary, set_ids: list[int]) -> list[int]:
    """The selected complete sets whose format holds listed videos."""
    with library.engine.connect() as connection:
        return list(
            connection.execute(
                select(HashSet.id).where(
                    HashSet.id.in_(set_ids),
                    HashSet.complete.is_(True),
                    HashSet.format.in_(sorted(VIDEO_FORMATS)),
                )
            ).scalars()
        )


def load_listed(library: HashSetLibrary, set_ids: list[int]) -> list[ListedVideo]:
    """The listed videos of the given sets with their first entry (frame entries carry
    ``{"video", "frame", "timestamp"}`` in their raw record)."""
    videos: dict[tuple[int, str], tuple[list[FrameHash], list[int]]] = {}
    query = (
        select(
            HashEntry.id,
            HashEntry.set_id,
            HashEntry.media_id,
            HashEntry.pdq,
            HashEntry.pdq_quality,
            HashEntry.raw_json,
        )
        .where(HashEntry.set_id.in_(set_ids), HashEntry.media_id.is_not(None), HashEntry.pdq.is_not(None))
        .order_by(HashEntry.set_id, HashEntry.media_id, HashEntry.id)
    )
    with library.engine.connect() as connection:
        for entry_id, set_id, media_id, pdq, quality, raw_json in connection.execute(query):
            raw = json.loads(raw_json) if raw_json else {}
            if not isinstance(raw, dict) or "frame" not in raw:
                continue  # a picture entry of a mixed ThreatExchange export
            frames, ids = videos.setdefault((set_id, str(media_id)), ([], []))
            frame = FrameHash(
                int(raw["frame"]), float(raw.get("timestamp", 0.0)), int(quality or 0), bytes(pdq or b"")
            )
            frames.append(frame)
            ids.append(entry_id)
    return [
        ListedVideo(set_id, media_id, tuple(sorted(frames, key=lambda f: f.number)), min(ids))
        for (set_id, media_id), (frames, ids) in videos.items()
    ]


def _pairs_json(comparison: VideoComparison) -> list[list[Any]]:
    return [
        [p.query_number, p.query_timestamp_s, p.listed_number, p.listed_timestamp_s, p.distance]
        for p in comparison.pairs
    ]


def _video_hit(
    file_id: int, listed: ListedVideo, view: str, comparison: VideoComparison, rule: VpdqRule
) -> VideoHit:
    nearest = min(comparison.pairs, key=lambda p: (p.distance, p.query_timestamp_s))
    listed_frame = next(f for f in listed.frames if f.number == nearest.listed_number)
    detail = {
        "basis": VPDQ,
        "view": view,
        "query_frames": comparison.query_frames,
        "query_matched": comparison.query_matched,
        "listed_frames": comparison.listed_frames,
        "listed_matched": comparison.listed_matched,
        "query_percent": round(comparison.query_percent, 2),
        "listed_percent": round(comparison.listed_percent, 2),
        "listed_share": rule.listed_share,
        "query_share": rule.query_share,
        "quality": rule.quality,
        "listed_video": listed.media_id,
        "first_timestamp_s": comparison.pairs[0].query_timestamp_s,
        "frames_json": json.dumps(_pairs_json(comparison)),
    }
    return VideoHit(
        file_id,
        listed.first_entry,
        VPDQ,
        nearest.distance,
        BARS_VIEW if view == BARS_VIEW else None,
        matched_hash=listed_frame.pdq.hex(),
        detail=detail,
    )


def _better(a: tuple[str, VideoComparison], b: tuple[str, VideoComparison]) -> bool:
    """Whether view ``a`` matched better than ``b``: larger listed share, then query share."""
    return (a[1].listed_percent, a[1].query_percent) > (b[1].listed_percent, b[1].query_percent)


@dataclass
class VpdqLists:
    """The listed videos of the selected sets and their frame index (built once per run)."""

    listed: list[ListedVideo]
    index: VideoListIndex
    rule: VpdqRule


def vpdq_lists(library: HashSetLibrary, set_ids: list[int], settings: MatchSettings) -> VpdqLists | None:
    """The listed videos of the selected vPDQ sets, indexed; None when there are none."""
    listed = load_listed(library, video_set_ids(library, set_ids))
    if not listed:
        return None
    rule = vpdq_rule(settings)
    index = VideoListIndex([(number, video.frames) for number, video in enumerate(listed)], rule)
    return VpdqLists(listed, index, rule)


def vpdq_hits(
    case_engine: Engine,
    library: HashSetLibrary,
    set_ids: list[int],
    settings: MatchSettings,
    pages: Iterable[list[CaseVideo]] | None = None,
    lists: VpdqLists | None = None,
) -> Iterator[VideoHit]:
    """Case videos that match a listed video of the selected vPDQ sets by Meta's rule.

    ``pages``: the case videos to match (default: every one); ``lists``: built by :func:`vpdq_lists`.
    """
    lists = lists or vpdq_lists(library, set_ids, settings)
    if lists is None:
        return
    for page in pages if pages is not None else iter_case_videos(case_engine):
        best: dict[tuple[int, int], tuple[str, VideoComparison]] = {}
        for view in (FRAMES_VIEW, BARS_VIEW):
            queries = [
                (video.file_id, video.frames if view == FRAMES_VIEW else video.inside_bars)
                for video in page
                if (video.frames if view == FRAMES_VIEW else video.inside_bars)
            ]
            for file_id, matches in lists.index.match_many(queries):
                for match in matches:
                    key = (cast(int, file_id), cast(int, match.listed_key))
                    found = (view, match.comparison)
                    if key not in best or _better(found, best[key]):
                        best[key] = found
        for (file_id, number), (view, comparison) in sorted(best.items()):
            yield _video_hit(file_id, lists.listed[number], view, comparison, lists.rule)


# --- sampled frames against picture lists -------------------------------------------------------------


def _listed_frame_entries(library: HashSetLibrary, entry_ids: Iterable[int]) -> set[int]:
    """Which of ``entry_ids`` are frames of listed videos (left to the vPDQ matcher)."""
    ids = sorted(set(entry_ids))
    frames: set[int] = set()
    with library.engine.connect() as connection:
        for start in range(0, len(ids), 900):
            rows = connection.execute(
                select(HashEntry.id, HashEntry.raw_json)
                .join(HashSet, HashSet.id == HashEntry.set_id)
                .where(HashEntry.id.in_(ids[start : start + 900]), HashSet.format.in_(sorted(VIDEO_FORMATS)))
            )
            for entry_id, raw_json in rows:
                raw = json.loads(raw_json) if raw_json else None
                if isinstance(raw, dict) and "frame" in raw and "video" in raw:
                    frames.add(entry_id)
    return frames


def _frame_searches(
    video: CaseVideo, index, threshold: int, min_quality: int
) -> Iterator[tuple[str, FrameHash, int, int]]:  # noqa: ANN001
    """``(view, frame, label, distance)`` of every sampled frame within ``threshold`` of a list code."""
    for view, frames in ((FRAMES_VIEW, video.frames), (BARS_VIEW, video.inside_bars)):
        codes, kept = frame_queries(list(frames), min_quality)
        if not kept:
            continue
        lims, distances, labels = index.search_within(codes, threshold)
        lims = np.asarray(lims, dtype=np.int64)
        for row, frame in enumerate(kept):
            for j in range(int(lims[row]), int(lims[row + 1])):
                yield view, frame, int(labels[j]), int(distances[j])


def frame_hits(
    case_engine: Engine,
    library: HashSetLibrary,
    set_ids: list[int],
    settings: MatchSettings,
    cache: IndexCache | None = None,
    pages: Iterable[list[CaseVideo]] | None = None,
    built: tuple[np.ndarray, Any] | None = None,
) -> Iterator[VideoHit]:
    """Case videos a sampled frame of which is within the PDQ threshold of a picture entry.

    ``pages``: the case videos to match (default: every one); ``built``: the PDQ index of the sets
    (``perceptual_index``), built here when not given.
    """
    built = built or perceptual_index(library, set_ids, "pdq", settings, cache=cache)
    if built is None:
        return
    entry_ids, index = built
    threshold = settings.pdq_threshold
    for page in pages if pages is not None else iter_case_videos(case_engine):
        found: dict[tuple[int, int], dict[int, tuple[float, int, str]]] = {}
        for video in page:
            for view, frame, label, distance in _frame_searches(
                video, index, threshold, settings.pdq_min_quality
            ):
                frames = found.setdefault((video.file_id, int(entry_ids[label])), {})
                known = frames.get(frame.number)
                if known is None or distance < known[1]:
                    frames[frame.number] = (frame.timestamp_s, distance, view)
        if not found:
            continue
        skip = _listed_frame_entries(library, (entry for _file, entry in found))
        hashes = _entry_pdq(library, {entry for _file, entry in found} - skip)
        for (file_id, entry_id), frames in sorted(found.items()):
            if entry_id in skip:
                continue
            yield _frame_hit(
                file_id, entry_id, frames, hashes[entry_id], settings, _queried(page, file_id, settings)
            )


def videos_among(case_engine: Engine, file_ids: list[int]) -> list[int]:
    """Which of the given files have sampled frames, in order."""
    with case_engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT DISTINCT file_id FROM video_frames "
                    f"WHERE file_id IN ({json_ids_sql(connection, ':ids')}) ORDER BY file_id"
                ),
                {"ids": json.dumps(file_ids)},
            ).scalars()
        )


def _entry_pdq(library: HashSetLibrary, entry_ids: set[int]) -> dict[int, str]:
    ids = sorted(entry_ids)
    out: dict[int, str] = {}
    with library.engine.connect() as connection:
        for start in range(0, len(ids), 900):
            rows = connection.execute(
                select(HashEntry.id, HashEntry.pdq).where(HashEntry.id.in_(ids[start : start + 900]))
            )
            out.update({entry_id: bytes(pdq or b"").hex() for entry_id, pdq in rows})
    return out


def _queried(page: list[CaseVideo], file_id: int, settings: MatchSettings) -> int:
    """How many sampled frames of the video were compared (whole frames at or above the quality)."""
    video = next(v for v in page if v.file_id == file_id)
    return sum(1 for f in video.frames if f.quality >= settings.pdq_min_quality)


def _frame_hit(
    file_id: int,
    entry_id: int,
    frames: dict[int, tuple[float, int, str]],
    matched_hash: str,
    settings: MatchSettings,
    queried: int,
) -> VideoHit:
    ordered = sorted(frames.items(), key=lambda item: (item[1][0], item[0]))
    _stamp, distance, view = min(frames.values(), key=lambda found: (found[1], found[0]))
    whole = sum(1 for _n, (_t, _d, v) in ordered if v == FRAMES_VIEW)
    detail = {
        "basis": "frame",
        "view": view,
        "query_frames": queried,
        "query_matched": len(ordered),
        "listed_frames": None,
        "listed_matched": None,
        "query_percent": round(100.0 * whole / queried, 2) if queried else 0.0,
        "listed_percent": None,
        "listed_share": None,
        "query_share": None,
        "quality": settings.pdq_min_quality,
        "listed_video": None,
        "first_timestamp_s": ordered[0][1][0],
        "frames_json": json.dumps([[number, stamp, d, v == BARS_VIEW] for number, (stamp, d, v) in ordered]),
    }
    return VideoHit(
        file_id,
        entry_id,
        PDQ_FRAME,
        distance,
        BARS_VIEW if view == BARS_VIEW else None,
        matched_hash=matched_hash,
        detail=detail,
    )


# --- copies of one clip in the case ---------------------------------------------------------------------


def store_copy_groups(case_db: CaseDatabase, run_id: int, settings: MatchSettings) -> int:
    """Group the case's copies of one clip (whole frames and pictures inside bars as views) into
    ``video_copies``, replacing the previous grouping; returns the number of groups."""
    from forensics.hashsets.video_index import group_copies

    videos = [video for page in iter_case_videos(case_db.engine) for video in page]
    groups = group_copies(
        [(video.file_id, video.frames) for video in videos],
        copy_rule(settings),
        inside_bars={video.file_id: video.inside_bars for video in videos if video.inside_bars},
    )
    with case_db.session() as session:
        session.execute(delete(VideoCopy))
        rows = [
            {"file_id": member, "group_id": min(group), "run_id": run_id}
            for group in cast("list[list[int]]", groups)  # the keys given to group_copies are file ids
            for member in group
        ]
        if rows:
            session.execute(insert(VideoCopy), rows)
    return len(groups)
