"""Review marks made elsewhere (another examiner, another window) show up without a reload: while a case
is open, a timer asks the engine every few seconds for the review changes signed since the last answer
(a cheap question of the custody log, :mod:`forensics.services.review_changes`) and emits them."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ui.adapter import CaseSession, ReviewChanges
from ui.workers import run_in_background

POLL_INTERVAL_MS = 2000


class ReviewWatcher(QObject):
    """Polls the open case; ``changed(ReviewChanges)`` when marks changed since the last poll."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None, interval_ms: int = POLL_INTERVAL_MS) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.position = 0  # custody seq read up to
        self._busy = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def set_session(self, session: CaseSession | None) -> None:
        """Watch ``session`` from its present state on (None: stop)."""
        self.session = session
        self._busy = False
        if session is None:
            self.timer.stop()
            return
        self.position = session.custody_position()
        self.timer.start()

    def poll(self) -> None:
        """Ask once in the background (one question at a time)."""
        session = self.session
        if session is None or self._busy:
            return
        self._busy = True
        after = self.position
        run_in_background(
            lambda: session.review_changes(after),
            lambda changes: self._answered(session, changes),
            lambda _message: self._failed(session),
        )

    def _failed(self, session: CaseSession) -> None:  # the server away for a moment: ask again later
        if session is self.session:
            self._busy = False

    def _answered(self, session: CaseSession, changes: ReviewChanges) -> None:
        if session is not self.session:
            return
        self._busy = False
        self.position = max(self.position, changes.last_seq)
        if changes.any:
            self.changed.emit(changes)
