"""Video matching at list scale: every listed video's frames in one exact Hamming index.

Meta's rule (:func:`forensics.analysis.vpdq.compare_videos`) compares two videos frame by frame; against a
list of many videos that double loop does not scale. Here the unique, quality-filtered frames of all
listed videos go into one index chosen by :func:`~forensics.hashsets.hamming.choose_index` (own multi-index
hashing from 10,000 codes on), labelled with their video. A query video's unique frames are searched in
one batch; every pair within the threshold comes back (the index is exact), so the per-video counts are
exactly those of the pairwise rule: a query frame counts for a listed video when any of that video's
frames is within the distance, a listed frame when any query frame is. Only videos with at least one hit
are looked at, and the rule decides per video as before.

The same index answers the frame-vs-image question (``frame_hits``: each sampled frame against a PDQ
picture list) and stacks copies of one clip inside a case (:func:`group_copies`).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from sqlalchemy import select

from forensics.analysis.vpdq import (
    COPY_RULE,
    META_RULE,
    PDQ_BYTES,
    FrameHash,
    FramePair,
    UniqueFrames,
    VideoComparison,
    VpdqRule,
    unique_frames,
)
from forensics.hashsets.formats import VIDEO_FORMATS
from forensics.hashsets.hamming import HammingIndex, choose_index
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry, HashSet

# Query frames searched per index call when many videos are matched together.
QUERY_BATCH = 8192


@dataclass(frozen=True)
class VideoMatch:
    """A listed video that the query matched (or came close to), with the comparison's counts."""

    listed_key: Hashable
    comparison: VideoComparison


class VideoListIndex:
    """The frames of many listed videos, searchable by query videos under one :class:`VpdqRule`."""

    def __init__(
        self, videos: Iterable[tuple[Hashable, Sequence[FrameHash]]], rule: VpdqRule = META_RULE
    ) -> None:
        self.rule = rule
        self.keys: list[Hashable] = []
        self._unique: list[UniqueFrames] = []
        codes: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        for key, frames in videos:
            unique = unique_frames(frames, rule.quality)
            self.keys.append(key)
            self._unique.append(unique)
            codes.append(unique.codes)
            owners.append(np.full(unique.count, len(self.keys) - 1, dtype=np.int32))
        self.codes = np.concatenate(codes) if codes else np.zeros((0, PDQ_BYTES), dtype=np.uint8)
        self.owner = np.concatenate(owners) if owners else np.zeros(0, dtype=np.int32)
        offsets = np.zeros(len(self._unique) + 1, dtype=np.int64)
        np.cumsum([u.count for u in self._unique], out=offsets[1:])
        self._first = offsets  # video v's codes are rows first[v]:first[v + 1]
        self.index: HammingIndex = choose_index(256, len(self.codes), rule.distance)
        self.index.add(self.codes)

    @property
    def frame_count(self) -> int:
        return len(self.codes)

    def match(
        self, frames: Sequence[FrameHash] | UniqueFrames, *, only_matches: bool = True
    ) -> list[VideoMatch]:
        """The listed videos ``frames`` match under the rule (with ``only_matches=False``: every one hit)."""
        query = frames if isinstance(frames, UniqueFrames) else unique_frames(frames, self.rule.quality)
        if query.count == 0 or self.frame_count == 0:
            return []
        lims, distances, labels = self.index.search_within(query.codes, self.rule.distance)
        lims = np.asarray(lims, dtype=np.int64)
        return self._decide(query, lims, distances, labels, only_matches)

    def match_many(
        self, videos: Iterable[tuple[Hashable, Sequence[FrameHash]]], *, only_matches: bool = True
    ) -> list[tuple[Hashable, list[VideoMatch]]]:
        """:meth:`match` for many query videos, their frames searched together in large batches."""
        pending: list[tuple[Hashable, UniqueFrames]] = []
        results: list[tuple[Hashable, list[VideoMatch]]] = []
        size = 0
        for key, frames in videos:
            unique = unique_frames(frames, self.rule.quality)
            pending.append((key, unique))
            size += unique.count
            if size >= QUERY_BATCH:
                results.extend(self._batch(pending, only_matches))
                pending, size = [], 0
        results.extend(self._batch(pending, only_matches))
        return results

    def _batch(
        self, queries: list[tuple[Hashable, UniqueFrames]], only_matches: bool
    ) -> list[tuple[Hashable, list[VideoMatch]]]:
        if not queries:
            return []
        if self.frame_count == 0:
            return [(key, []) for key, _ in queries]
        codes = np.concatenate([unique.codes for _, unique in queries])
        lims, distances, labels = self.index.search_within(codes, self.rule.distance)
        lims = np.asarray(lims, dtype=np.int64)
        out, row = [], 0
        for key, unique in queries:
            part = lims[row : row + unique.count + 1]
            begin, end = int(part[0]), int(part[-1])
            out.append(
                (
                    key,
                    self._decide(unique, part - begin, distances[begin:end], labels[begin:end], only_matches),
                )
            )
            row += unique.count
        return out

    def _decide(
        self,
        query: UniqueFrames,
        lims: np.ndarray,
        distances: np.ndarray,
        labels: np.ndarray,
        only_matches: bool,
    ) -> list[VideoMatch]:
        if len(labels) == 0:
            return []
        rows = np.repeat(np.arange(query.count), np.diff(lims))
        videos = self.owner[labels]
        order = np.lexsort((distances, rows, videos))  # per video, per query frame, nearest first
        rows, videos, labels, distances = rows[order], videos[order], labels[order], distances[order]
        matches = []
        bounds = np.flatnonzero(np.diff(videos)) + 1
        for start, end in zip(np.r_[0, bounds], np.r_[bounds, len(videos)], strict=True):
            video = int(videos[start])
            video_rows, video_labels = rows[start:end], labels[start:end]
            first_of_row = np.r_[
                True, video_rows[1:] != video_rows[:-1]
            ]  # nearest listed frame per query frame
            listed_matched = len(np.unique(video_labels))
            listed = self._unique[video]
            pairs = []
            for i in np.flatnonzero(first_of_row):
                qf = query.frames[int(video_rows[i])]
                cf = listed.frames[int(video_labels[i] - self._first[video])]
                pairs.append(
                    FramePair(qf.number, qf.timestamp_s, cf.number, cf.timestamp_s, int(distances[start + i]))
                )
            pairs.sort(key=lambda p: (p.query_timestamp_s, p.query_number))
            probe = VideoComparison(query.count, listed.count, len(pairs), listed_matched, False)
            decided = self.rule.decides(probe.query_percent, probe.listed_percent)
            if decided or not only_matches:
                comparison = VideoComparison(
                    query.count, listed.count, len(pairs), listed_matched, decided, tuple(pairs)
                )
                matches.append(VideoMatch(self.keys[video], comparison))
        return matches


@dataclass(frozen=True)
class FrameHit:
    """A sampled frame within the threshold of a picture-list entry (the lead maps ``label`` to entries)."""

    frame_number: int
    timestamp_s: float
    label: int
    distance: int


def frame_queries(frames: Sequence[FrameHash], min_quality: int) -> tuple[np.ndarray, list[FrameHash]]:
    """The frames worth querying against a picture list (quality at or above ``min_quality``) as codes."""
    kept = [f for f in frames if f.quality >= min_quality]
    codes = np.frombuffer(b"".join(f.pdq for f in kept), dtype=np.uint8).reshape(len(kept), PDQ_BYTES)
    return codes, kept


def frame_hits(
    index: HammingIndex, frames: Sequence[FrameHash], threshold: int, min_quality: int
) -> list[FrameHit]:
    """Every (frame, list entry) pair within ``threshold``: a known picture shown inside a video."""
    codes, kept = frame_queries(frames, min_quality)
    if not kept:
        return []
    lims, distances, labels = index.search_within(codes, threshold)
    hits = []
    for row, frame in enumerate(kept):
        for j in range(int(lims[row]), int(lims[row + 1])):
            hits.append(FrameHit(frame.number, frame.timestamp_s, int(labels[j]), int(distances[j])))
    return hits


def group_copies(
    videos: Sequence[tuple[Hashable, Sequence[FrameHash]]],
    rule: VpdqRule = COPY_RULE,
    inside_bars: Mapping[Hashable, Sequence[FrameHash]] | None = None,
) -> list[list[Hashable]]:
    """Groups of a case's videos that are copies of one clip (one matches the other under ``rule``).

    Each video is looked at as its whole frames and, when ``inside_bars`` has hashes for it, as the
    pictures inside its black bars (``VideoAnalysis.unletterboxed``): two videos are linked when any view
    of one matches any view of the other, so a letterboxed copy joins the copy without bars. Groups are the
    connected components, members in input order, groups of one left out.
    """
    views: list[tuple[int, Sequence[FrameHash]]] = []
    for position, (key, frames) in enumerate(videos):
        views.append((position, frames))
        extra = (inside_bars or {}).get(key)
        if extra:
            views.append((position, extra))
    labelled = [(view, frames) for view, (_, frames) in enumerate(views)]
    index = VideoListIndex(labelled, rule)
    parent = list(range(len(videos)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for view, matches in index.match_many(labelled):
        for match in matches:
            a, b = root(views[cast(int, view)][0]), root(views[cast(int, match.listed_key)][0])
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[Hashable]] = {}
    for position, (key, _) in enumerate(videos):
        groups.setdefault(root(position), []).append(key)
    return [members for members in groups.values() if len(members) > 1]


def load_listed_videos(
    library: HashSetLibrary, set_ids: Sequence[int]
) -> list[tuple[tuple[int, str], list[FrameHash]]]:
    """The listed videos of the given complete sets: ``((set_id, media_id), frames)``, frames in order.

    Only sets of a video format (``vpdq``, ``te-csv`` with ``vpdq`` rows) are read; an entry's frame number
    and timestamp come from its ``raw_json`` (``{"video", "frame", "timestamp"}``).
    """
    query = (
        select(HashEntry.set_id, HashEntry.media_id, HashEntry.pdq, HashEntry.pdq_quality, HashEntry.raw_json)
        .join(HashSet, HashSet.id == HashEntry.set_id)
        .where(
            HashEntry.set_id.in_(list(set_ids)),
            HashSet.complete.is_(True),
            HashSet.format.in_(sorted(VIDEO_FORMATS)),
            HashEntry.media_id.is_not(None),
            HashEntry.pdq.is_not(None),
        )
        .order_by(HashEntry.set_id, HashEntry.media_id, HashEntry.id)
    )
    videos: dict[tuple[int, str], list[FrameHash]] = {}
    with library.engine.connect() as connection:
        for set_id, media_id, pdq, quality, raw_json in connection.execute(query):
            raw = json.loads(raw_json) if raw_json else {}
            if "frame" not in raw:
                continue  # a picture entry of a mixed ThreatExchange export
            frame = FrameHash(
                int(raw["frame"]), float(raw.get("timestamp", 0.0)), int(quality or 0), bytes(pdq or b"")
            )
            videos.setdefault((set_id, str(media_id)), []).append(frame)
    return [(key, sorted(frames, key=lambda f: f.number)) for key, frames in videos.items()]
