"""The GUI's answer to a case server asking for a password: a dialog on the UI thread, whoever asks.

Cases open in worker threads, so the engine asks from there: the request crosses to the UI thread by a
queued signal and the worker waits for the examiner's answer (at most :data:`PROMPT_TIMEOUT_S`). The
password is kept in memory only; "remember in the system keyring" is honoured once the login worked
(:meth:`PasswordPrompt.commit`), never written to the settings or a file.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QEventLoop, QObject, QThread, Signal
from PySide6.QtWidgets import QDialog, QWidget

from ui import adapter
from ui.dialogs.server_dialogs import DatabasePasswordDialog

PROMPT_TIMEOUT_S = 900  # an unanswered prompt counts as cancelled after this


@dataclass
class _Request:
    server: str
    role: str
    reason: str
    answer: str | None = None
    keep: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class PasswordPrompt(QObject):
    """Installed with :func:`ui.adapter.set_database_password_prompt`; called as ``(server, role, reason)``.

    ``dialog``: the password dialog on screen (None when none is); ``cancelled``: the examiner cancelled
    the last one (the caller then says so rather than "login refused").
    """

    asked = Signal(object)  # a _Request, delivered on the UI thread
    shown = Signal(object)  # the DatabasePasswordDialog just opened (tests, screenshots)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.dialog: DatabasePasswordDialog | None = None
        self.cancelled = False
        self._last: _Request | None = None
        self._open: list[_Request] = []
        self.asked.connect(self._show)

    def __call__(self, server: str, role: str, reason: str) -> str | None:
        request = _Request(server, role, reason)
        if QThread.currentThread() is self.thread():
            loop = QEventLoop()
            self._show(request, on_done=loop.quit)
            if not request.done.is_set():
                loop.exec()
        else:
            self.asked.emit(request)
            request.done.wait(PROMPT_TIMEOUT_S)
        if request.answer is None:
            self._finish(request, None, False)  # timed out: nobody answers it any more
        return request.answer

    def _show(self, request: _Request, on_done=None) -> None:  # noqa: ANN001 - a callable or None
        self._open.append(request)
        dialog = DatabasePasswordDialog(request.server, request.role, request.reason, self.parent_widget)
        self.dialog = dialog

        def finished(result: int) -> None:
            ok = result == QDialog.DialogCode.Accepted
            self._finish(request, dialog.password.text() if ok else None, ok and dialog.keep.isChecked())
            dialog.password.clear()
            if self.dialog is dialog:
                self.dialog = None
            dialog.deleteLater()
            if on_done is not None:
                on_done()

        dialog.finished.connect(finished)
        dialog.open()
        self.shown.emit(dialog)

    def _finish(self, request: _Request, answer: str | None, keep: bool) -> None:
        if request.done.is_set():
            return
        request.answer, request.keep = answer, keep
        self.cancelled = answer is None
        self._last = request if answer is not None else None
        if request in self._open:
            self._open.remove(request)
        request.done.set()

    def begin(self) -> None:
        """A new login starts: forget the last answer."""
        self.cancelled = False
        self._last = None

    def commit(self) -> bool:
        """The login worked: keep its password in the OS keyring if the examiner asked (True if kept)."""
        last, self._last = self._last, None
        if last is None or last.answer is None or not last.keep:
            return False
        return adapter.remember_database_password(last.server, last.role, last.answer, in_keyring=True)

    def cancel_all(self) -> None:
        """Answer every open request with "cancelled" (the window closes)."""
        for request in list(self._open):
            self._finish(request, None, False)
        if self.dialog is not None:
            self.dialog.reject()
