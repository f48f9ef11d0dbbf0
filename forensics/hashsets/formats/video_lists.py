"""Video hash lists (vPDQ): Meta's reference output and ThreatExchange ``vpdq`` signals.

Each frame of a listed video becomes one entry: its PDQ hash and quality, ``media_id`` naming the video
(the file's name for a one-video file, ``<file>#<n>`` for the n-th signal of a list) and the frame's number
and timestamp in ``raw`` (``{"video": ..., "frame": n, "timestamp": t}``), so that the video matcher can
regroup the frames of each listed video and a finding can say which frame of which listed video matched.

* ``vpdq``: a text file of ``frame_number,quality,pdq_hex,timestamp`` lines (``vpdq-hash-video``), or a
  JSON list of ``pdq_hex,quality,timestamp`` strings (one ThreatExchange signal string saved to a file).
* ThreatExchange CSV exports (``signal_type,signal_str,...``) with ``vpdq`` rows: see
  :func:`vpdq_signal_entries`, used by the ``te-csv`` parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forensics.analysis.vpdq import FrameHash, VpdqFormatError, parse_te_signal, parse_vpdq_line
from forensics.hashsets.formats.base import ParseContext, head_text, iter_lines
from forensics.hashsets.records import EntryRecord, Problem

VPDQ_LINE = re.compile(r"^\s*\d+\s*,\s*\d{1,3}\s*,\s*[0-9A-Fa-f]{64}\s*,\s*\d+(\.\d+)?\s*$")
TE_FEATURE = re.compile(r'^\s*\[\s*"[0-9A-Fa-f]{64},\d{1,3},\d+(\.\d+)?"')
# A signal string (one listed video) bigger than this is refused: about 4 hours of frames at 1 per second.
MAX_SIGNAL_CHARS = 16 * 1024 * 1024


def frame_entry(
    record_no: int, video: str, frame: FrameHash, extra: dict[str, Any] | None = None
) -> EntryRecord:
    """The library entry of one listed frame."""
    raw: dict[str, Any] = {"video": video, "frame": frame.number, "timestamp": frame.timestamp_s}
    return EntryRecord(
        record_no=record_no,
        pdq=frame.pdq,
        pdq_quality=frame.quality,
        media_id=video,
        file_name=video,
        raw={**raw, **(extra or {})},
    )


def looks_like_vpdq(text: str) -> bool:
    """Detection by content: reference-output lines or a ThreatExchange feature list."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if lines and all(VPDQ_LINE.match(line) for line in lines[:20]):
        return True
    return bool(TE_FEATURE.match(text))


def parse_vpdq_file(path: Path, context: ParseContext) -> Iterator[EntryRecord | Problem]:
    """One listed video per file: reference-output lines, or one JSON signal string."""
    video = path.name
    context.facts["videos"] = 1
    if head_text(path, 4096).lstrip().startswith(("[", "{")):
        if path.stat().st_size > MAX_SIGNAL_CHARS:
            yield Problem(1, f"signal of {path.stat().st_size} bytes is over {MAX_SIGNAL_CHARS}", fatal=True)
            return
        try:
            frames = parse_te_signal(path.read_text(encoding="utf-8-sig", errors="replace"))
        except VpdqFormatError as exc:
            yield Problem(1, f"record 1: {exc}", fatal=True)
            return
        for index, frame in enumerate(frames, start=1):
            yield frame_entry(index, video, frame)
        return
    for number, text in iter_lines(path):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            frame = parse_vpdq_line(text, number)
        except VpdqFormatError as exc:
            yield Problem(number, str(exc))
            continue
        yield frame_entry(number, video, frame)


def vpdq_signal_entries(
    record_no: int, video: str, signal: str, extra: dict[str, Any]
) -> Iterator[EntryRecord | Problem]:
    """The frames of one ThreatExchange ``vpdq`` signal string (a CSV row), or one problem."""
    if len(signal) > MAX_SIGNAL_CHARS:
        yield Problem(record_no, f"line {record_no}: vpdq signal of {len(signal)} characters is too long")
        return
    try:
        frames = parse_te_signal(signal)
    except VpdqFormatError as exc:
        yield Problem(record_no, f"line {record_no}: {exc}")
        return
    if not frames:
        yield Problem(record_no, f"line {record_no}: vpdq signal has no frames")
        return
    for frame in frames:
        yield frame_entry(record_no, video, frame, extra)
