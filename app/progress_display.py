"""Progress on stderr for long commands: items, bytes, rate and time left, when attached to a terminal."""

from __future__ import annotations

import sys
import time

from forensics.core.progress import Progress, ProgressRecord, format_progress


class TerminalProgress:
    """Redraws one status line at most a few times a second; silent when not a TTY or --quiet."""

    def __init__(self, quiet: bool = False, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = not quiet and self.stream.isatty()
        self._last = 0.0
        self._shown = False

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.25:
            return
        self._last = now
        self.stream.write("\r\x1b[K" + format_progress(progress)[:200])
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


def byte_reporter(display, label: str):
    """A ``(done, total)`` callback for byte-only jobs (media verification) feeding ``display``."""
    started = time.monotonic()

    def report(done: int, total: int) -> None:
        display(Progress(phase=label, bytes_done=done, bytes_total=total, started=started))

    return report


class JsonProgress:
    """Machine-readable progress: one JSON object per line on stderr, a few times a second."""

    def __init__(self, item: str, stream=None) -> None:
        self.item = item
        self.stream = stream or sys.stderr
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        self.emit(progress)

    def emit(self, progress: Progress) -> None:
        self.stream.write(ProgressRecord.of(self.item, progress).to_json() + "\n")
        self.stream.flush()

    def done(self) -> None:
        """Nothing to clear for a line-oriented stream."""
