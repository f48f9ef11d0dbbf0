"""vPDQ-compatible video hashes: PDQ of sampled frames, Meta's file formats, and Meta's matching rule.

A video hash is the list of its sampled frames' :class:`FrameHash` (frame number, timestamp, PDQ quality,
PDQ hash), as Meta's vPDQ computes it: each frame converted to luminance and hashed with PDQ's
``pdqHash256FromFloatLuma`` (no dihedral variants), the hash written as 64 lowercase hex digits in the PDQ
convention. Formats read and written:

* Meta's reference output (``vpdq-hash-video``, ``vpdq/sample-hashes/*.txt``): one line per frame,
  ``frame_number,quality,pdq_hex,timestamp_seconds`` (timestamp with 3 decimals);
* ThreatExchange's ``vpdq`` signal string: a JSON list of ``"pdq_hex,quality,timestamp"`` strings (and the
  older JSON object ``{frame_number: {"quality", "hash", "timestamp"}}``).

Matching (Meta's vPDQ README): both videos' frames are filtered by quality (>= 50) and made unique by
hash; a query frame is matched when some listed frame lies within Hamming distance 31, and vice versa; the
videos match when the share of the LISTED video's unique frames matched reaches 80 % and the share of the
query's reaches 0 % (both thresholds are parameters). Frame numbers and timestamps take no part in the
decision; they say where in the video the matched frames are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

from forensics.analysis.pdq_grey import pdq_from_grey
from forensics.analysis.video_options import VideoOptions

if TYPE_CHECKING:  # PyAV is imported only where videos are decoded (hash lists need none of it)
    from forensics.analysis.video_decode import VideoFrame, VideoInfo

PDQ_BYTES = 32
# Meta's defaults (vpdq README, python-threatexchange vpdq_util).
DISTANCE_THRESHOLD = 31
QUALITY_THRESHOLD = 50
LISTED_SHARE_PERCENT = 80.0
QUERY_SHARE_PERCENT = 0.0
TIMESTAMP_DECIMALS = 3
# Pairwise distances computed per numpy step when comparing two videos directly (bounds temporary memory).
_PAIR_BLOCK = 1 << 22


@dataclass(frozen=True, slots=True)
class FrameHash:
    """The PDQ hash of one sampled frame, with where it is in the video."""

    number: int
    timestamp_s: float
    quality: int
    pdq: bytes  # 32 bytes, big-endian: bytes.hex() is the 64-hex PDQ string

    @property
    def hex(self) -> str:
        return self.pdq.hex()


def hash_frame(frame: VideoFrame) -> FrameHash:
    """PDQ of one decoded grey frame."""
    digest, quality = pdq_from_grey(frame.pixels)
    return FrameHash(frame.number, round(frame.timestamp_s, 6), quality, digest)


def hash_frames(frames: Iterable[VideoFrame]) -> Iterator[FrameHash]:
    """PDQ of every frame given (grey pixels)."""
    for frame in frames:
        yield hash_frame(frame)


def hash_video(
    source: bytes | BinaryIO, options: VideoOptions | None = None
) -> tuple[VideoInfo, list[FrameHash], list[str]]:
    """Open, sample (``options.sample_fps``, keyframes) and hash a video: (facts, frame hashes, warnings).

    Raises :class:`~forensics.analysis.video_decode.VideoError` only when the content is not a container.
    """
    from forensics.analysis.video_decode import FrameSampler, VideoReader

    options = options or VideoOptions()
    with VideoReader(source, options) as reader:
        sampler = FrameSampler(options.sample_fps, options.keyframes)
        hashes = list(hash_frames(reader.frames(sampler)))
        return reader.info, hashes, list(reader.warnings)


# --- formats -------------------------------------------------------------------------------------------


class VpdqFormatError(ValueError):
    """A vPDQ hash text or signal that cannot be read; the message names the line or item."""


def _pdq_bytes(text: str, where: str) -> bytes:
    text = text.strip().lower()
    if len(text) != 2 * PDQ_BYTES:
        raise VpdqFormatError(f"{where}: PDQ hash has {len(text)} hex digits, not 64")
    try:
        return bytes.fromhex(text)
    except ValueError as exc:
        raise VpdqFormatError(f"{where}: PDQ hash is not hexadecimal") from exc


def _quality(text: object, where: str) -> int:
    try:
        value = int(text)  # type: ignore[call-overload]  # anything else is refused below
    except (TypeError, ValueError) as exc:
        raise VpdqFormatError(f"{where}: quality {text!r} is not an integer") from exc
    if not 0 <= value <= 100:
        raise VpdqFormatError(f"{where}: quality {value} is outside 0-100")
    return value


def _timestamp(text: str | float, where: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError) as exc:
        raise VpdqFormatError(f"{where}: timestamp {text!r} is not a number") from exc
    if not math.isfinite(value) or value < 0:
        raise VpdqFormatError(f"{where}: timestamp {value} is negative or not finite")
    return value


def parse_vpdq_line(line: str, line_number: int) -> FrameHash:
    """One line of Meta's reference output: ``frame_number,quality,pdq_hex,timestamp``."""
    where = f"line {line_number}"
    parts = [part.strip() for part in line.split(",")]
    if len(parts) != 4:
        raise VpdqFormatError(f"{where}: expected frame_number,quality,pdq_hex,timestamp")
    try:
        number = int(parts[0])
    except ValueError as exc:
        raise VpdqFormatError(f"{where}: frame number {parts[0]!r} is not an integer") from exc
    if number < 0:
        raise VpdqFormatError(f"{where}: negative frame number")
    return FrameHash(
        number, _timestamp(parts[3], where), _quality(parts[1], where), _pdq_bytes(parts[2], where)
    )


def parse_vpdq_text(text: str) -> list[FrameHash]:
    """All frames of a reference-output text (blank lines and ``#`` comments ignored)."""
    frames = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            frames.append(parse_vpdq_line(line, number))
    return frames


def format_vpdq_text(frames: Iterable[FrameHash]) -> str:
    """Meta's reference output for ``frames``: one ``frame_number,quality,pdq_hex,timestamp`` line each."""
    return "".join(f"{f.number},{f.quality},{f.hex},{f.timestamp_s:.{TIMESTAMP_DECIMALS}f}\n" for f in frames)


def parse_te_signal(signal: str) -> list[FrameHash]:
    """A ThreatExchange ``vpdq`` signal string (current list form or the older frame-number object)."""
    try:
        value = json.loads(signal or "[]")
    except json.JSONDecodeError as exc:
        raise VpdqFormatError(f"vpdq signal is not JSON: {exc.msg} at character {exc.pos}") from exc
    frames = []
    if isinstance(value, list):
        for index, item in enumerate(value):
            where = f"feature {index + 1}"
            parts = str(item).split(",")
            if len(parts) != 3:
                raise VpdqFormatError(f"{where}: expected pdq_hex,quality,timestamp")
            digest = _pdq_bytes(parts[0], where)
            frames.append(FrameHash(index, _timestamp(parts[2], where), _quality(parts[1], where), digest))
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"frame {key}"
            if not isinstance(item, dict) or not str(key).isdigit():
                raise VpdqFormatError(f"{where}: expected {{quality, hash, timestamp}} under a frame number")
            digest = _pdq_bytes(str(item.get("hash", "")), where)
            stamp = _timestamp(item.get("timestamp", 0.0), where)
            frames.append(FrameHash(int(key), stamp, _quality(item.get("quality"), where), digest))
        frames.sort(key=lambda f: f.number)
    else:
        raise VpdqFormatError("vpdq signal is neither a JSON list nor an object")
    return frames


def format_te_signal(frames: Iterable[FrameHash]) -> str:
    """The ThreatExchange ``vpdq`` signal string (JSON list of ``pdq_hex,quality,timestamp``)."""
    return json.dumps([f"{f.hex},{f.quality},{f.timestamp_s:.{TIMESTAMP_DECIMALS}f}" for f in frames])


# --- matching ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VpdqRule:
    """Meta's vPDQ match rule; shares are percentages of unique, quality-filtered frames."""

    distance: int = DISTANCE_THRESHOLD
    quality: int = QUALITY_THRESHOLD
    listed_share: float = LISTED_SHARE_PERCENT
    query_share: float = QUERY_SHARE_PERCENT

    def decides(self, query_percent: float, listed_percent: float) -> bool:
        return listed_percent >= self.listed_share and query_percent >= self.query_share


# Meta's defaults as one rule.
META_RULE = VpdqRule()
# Stacking copies inside a case: the same clip both ways round (most frames of each found in the other).
COPY_RULE = VpdqRule(listed_share=80.0, query_share=80.0)


@dataclass(frozen=True)
class UniqueFrames:
    """A video's unique frames at or above the quality threshold: codes and the first frame of each."""

    codes: np.ndarray  # uint8 [n, 32]
    frames: tuple[FrameHash, ...]

    @property
    def count(self) -> int:
        return len(self.frames)


def unique_frames(frames: Iterable[FrameHash], min_quality: int = QUALITY_THRESHOLD) -> UniqueFrames:
    """Quality filter, then one entry per distinct hash (the first frame that has it), as vPDQ does."""
    seen: dict[bytes, FrameHash] = {}
    for frame in frames:
        if frame.quality >= min_quality and frame.pdq not in seen:
            seen[frame.pdq] = frame
    kept = tuple(seen.values())
    codes = np.frombuffer(b"".join(f.pdq for f in kept), dtype=np.uint8).reshape(len(kept), PDQ_BYTES)
    return UniqueFrames(codes, kept)


@dataclass(frozen=True)
class FramePair:
    """A query frame and the nearest listed frame within the threshold."""

    query_number: int
    query_timestamp_s: float
    listed_number: int
    listed_timestamp_s: float
    distance: int


@dataclass(frozen=True)
class VideoComparison:
    """The outcome of comparing a query video with a listed one under a rule."""

    query_frames: int  # unique frames at or above the quality threshold
    listed_frames: int
    query_matched: int
    listed_matched: int
    is_match: bool
    pairs: tuple[FramePair, ...] = field(default=(), repr=False)  # one per matched query frame, in time order

    @property
    def query_percent(self) -> float:
        return 100.0 * self.query_matched / self.query_frames if self.query_frames else 0.0

    @property
    def listed_percent(self) -> float:
        return 100.0 * self.listed_matched / self.listed_frames if self.listed_frames else 0.0

    @property
    def matched_timestamps(self) -> list[float]:
        """Where in the query video the matched frames are (seconds)."""
        return [pair.query_timestamp_s for pair in self.pairs]


def _as_words(codes: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(codes, dtype=np.uint8).view(np.uint64).reshape(len(codes), PDQ_BYTES // 8)


def pair_distances(query: np.ndarray, listed: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """Blocks ``(first_row, distances[rows, len(listed)])`` of all pairwise Hamming distances."""
    q, c = _as_words(query), _as_words(listed)
    rows = max(1, _PAIR_BLOCK // max(1, len(c)))
    for start in range(0, len(q), rows):
        block = np.bitwise_count(q[start : start + rows, None, :] ^ c[None, :, :]).sum(axis=2, dtype=np.int32)
        yield start, block


def compare_videos(
    query: Sequence[FrameHash] | UniqueFrames,
    listed: Sequence[FrameHash] | UniqueFrames,
    rule: VpdqRule = META_RULE,
) -> VideoComparison:
    """Meta's comparison of two videos (exact; every pair of unique frames is measured)."""
    q = query if isinstance(query, UniqueFrames) else unique_frames(query, rule.quality)
    c = listed if isinstance(listed, UniqueFrames) else unique_frames(listed, rule.quality)
    if q.count == 0 or c.count == 0:
        return VideoComparison(q.count, c.count, 0, 0, False)
    listed_hit = np.zeros(c.count, dtype=bool)
    pairs: list[FramePair] = []
    for start, block in pair_distances(q.codes, c.codes):
        within = block <= rule.distance
        listed_hit |= within.any(axis=0)
        for row in np.nonzero(within.any(axis=1))[0]:
            best = int(np.argmin(block[row]))
            qf, cf = q.frames[start + row], c.frames[best]
            pairs.append(
                FramePair(qf.number, qf.timestamp_s, cf.number, cf.timestamp_s, int(block[row, best]))
            )
    pairs.sort(key=lambda p: (p.query_timestamp_s, p.query_number))
    query_matched, listed_matched = len(pairs), int(listed_hit.sum())
    result = VideoComparison(q.count, c.count, query_matched, listed_matched, False, tuple(pairs))
    decision = rule.decides(result.query_percent, result.listed_percent)
    return VideoComparison(q.count, c.count, query_matched, listed_matched, decision, tuple(pairs))
