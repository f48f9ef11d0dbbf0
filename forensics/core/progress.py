"""One plain progress/cancel interface shared by the CLI and the GUI."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Progress:
    """A snapshot of a long job: counts, bytes, rate, time left, current item, errors."""

    phase: str = "starting"
    items_done: int = 0
    items_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    errors: int = 0
    current: str = ""
    started: float = field(default_factory=time.monotonic)
    # True while items are still being found (e.g. enumeration beside processing): the totals grow.
    totals_growing: bool = False
    # Videos decoded so far and the frames hashed in them (the video task of an ingest).
    videos: int = 0
    frames: int = 0
    # The rank of the processing order being handed out (an ingest in a profile's order), and how many
    # alerts matching has confirmed so far in this job.
    stage: str = ""
    alerts: int = 0
    # Items of the first rank hashed ahead of their analysis (a profile's ``hash_first``): they count as
    # done only once analysed, so this says what the workers are doing meanwhile.
    hashed_ahead: int = 0

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    @property
    def rate_bytes(self) -> float:
        """Bytes per second since the phase started."""
        return self.bytes_done / self.elapsed

    @property
    def rate_items(self) -> float:
        return self.items_done / self.elapsed

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left, from bytes when known, else from items; None when it cannot be told yet."""
        if self.totals_growing:
            return None
        if self.bytes_total and self.bytes_done:
            return max(self.bytes_total - self.bytes_done, 0) / self.rate_bytes
        if self.items_total and self.items_done:
            return max(self.items_total - self.items_done, 0) / self.rate_items
        return None


class CancelToken:
    """Set by the front end; checked by the job between small steps (takes effect within a second)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def format_progress(p: Progress) -> str:
    """One status line: phase, items, bytes, MB/s, time left, errors."""
    eta = p.eta_seconds
    eta_text = "--:--" if eta is None else f"{int(eta // 60):02d}:{int(eta % 60):02d}"
    items = f"{p.items_done}/{p.items_total}" if p.items_total else str(p.items_done)
    mb_done, mb_total = p.bytes_done / 1e6, p.bytes_total / 1e6
    videos = f" ({video_text(p.videos, p.frames)})" if p.videos else ""
    alerts = f", {p.alerts} alert{'s' if p.alerts != 1 else ''}" if p.alerts else ""
    stage = f" ({p.stage})" if p.stage else ""
    ahead = f" ({p.hashed_ahead:,} hashed ahead)" if p.hashed_ahead else ""
    return (
        f"{p.phase}{stage}: {items} items{ahead}{videos}, {mb_done:.1f}/{mb_total:.1f} MB, "
        f"{p.rate_bytes / 1e6:.1f} MB/s, {eta_text} left, {p.errors} errors{alerts}"
    )


def video_text(videos: int, frames: int) -> str:
    """``3 videos, 1,204 frames``: what the video task has done so far."""
    return f"{videos:,} video{'s' if videos != 1 else ''}, {frames:,} frame{'s' if frames != 1 else ''}"


@dataclass(frozen=True)
class ProgressRecord:
    """One progress line of a child ``custos`` process (``--progress-jsonl``): its writer and readers.

    Written as one JSON object per line on stderr with ``"progress": 1``; :meth:`parse` reads such a
    line back and returns None for any other text the child prints.
    """

    item: str
    phase: str
    items_done: int = 0
    items_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0
    rate_bytes: float = 0.0
    eta_seconds: float | None = None
    errors: int = 0
    current: str = ""
    videos: int = 0
    frames: int = 0
    stage: str = ""
    alerts: int = 0
    hashed_ahead: int = 0

    @classmethod
    def of(cls, item: str, progress: Progress) -> ProgressRecord:
        eta = progress.eta_seconds
        return cls(
            item=item,
            phase=progress.phase,
            items_done=progress.items_done,
            items_total=progress.items_total,
            bytes_done=progress.bytes_done,
            bytes_total=progress.bytes_total,
            rate_bytes=round(progress.rate_bytes, 1),
            eta_seconds=None if eta is None else round(eta, 1),
            errors=progress.errors,
            current=progress.current,
            videos=progress.videos,
            frames=progress.frames,
            stage=progress.stage,
            alerts=progress.alerts,
            hashed_ahead=progress.hashed_ahead,
        )

    def to_json(self) -> str:
        return json.dumps({"progress": 1, **asdict(self)})

    @classmethod
    def parse(cls, line: str) -> ProgressRecord | None:
        """The record a progress line holds; None for ordinary text or a malformed line."""
        line = line.strip()
        if not line.startswith("{"):
            return None
        try:
            value: Any = json.loads(line)
        except ValueError:
            return None
        if not isinstance(value, dict) or not value.get("progress"):
            return None
        try:
            return cls(
                item=str(value.get("item") or ""),
                phase=str(value.get("phase") or ""),
                items_done=int(value.get("items_done") or 0),
                items_total=int(value.get("items_total") or 0),
                bytes_done=int(value.get("bytes_done") or 0),
                bytes_total=int(value.get("bytes_total") or 0),
                rate_bytes=float(value.get("rate_bytes") or 0.0),
                eta_seconds=None if value.get("eta_seconds") is None else float(value["eta_seconds"]),
                errors=int(value.get("errors") or 0),
                current=str(value.get("current") or ""),
                videos=int(value.get("videos") or 0),
                frames=int(value.get("frames") or 0),
                stage=str(value.get("stage") or ""),
                alerts=int(value.get("alerts") or 0),
                hashed_ahead=int(value.get("hashed_ahead") or 0),
            )
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class AlertRecord:
    """One finding made while an ingest runs, as the child writes it (``"alert": 1``) and front ends read it.

    ``kind`` is the finding's (``alert`` or ``informational``); ``basis`` says how it matched in words
    (``exact MD5``, ``PDQ distance 12``); ``seconds`` counts from the start of the job.
    """

    item: str
    path: str
    set_name: str
    kind: str
    category: str
    algorithm: str
    distance: int
    basis: str
    file_id: int
    seconds: float = 0.0

    def to_json(self) -> str:
        return json.dumps({"alert": 1, **asdict(self)})

    def text(self) -> str:
        """One line for a terminal: what matched, where, against which list and how."""
        label = "ALERT" if self.kind == "alert" else self.kind.upper()
        category = f", {self.category}" if self.category else ""
        return f"{label} {self.item}: {self.path} — {self.set_name}{category} ({self.basis})"

    @classmethod
    def parse(cls, line: str) -> AlertRecord | None:
        """The record an alert line holds; None for any other line."""
        line = line.strip()
        if not line.startswith('{"alert"'):
            return None
        try:
            value: Any = json.loads(line)
            if not isinstance(value, dict) or not value.get("alert"):
                return None
            return cls(
                item=str(value.get("item") or ""),
                path=str(value.get("path") or ""),
                set_name=str(value.get("set_name") or ""),
                kind=str(value.get("kind") or "alert"),
                category=str(value.get("category") or ""),
                algorithm=str(value.get("algorithm") or ""),
                distance=int(value.get("distance") or 0),
                basis=str(value.get("basis") or ""),
                file_id=int(value.get("file_id") or 0),
                seconds=float(value.get("seconds") or 0.0),
            )
        except (TypeError, ValueError):
            return None
