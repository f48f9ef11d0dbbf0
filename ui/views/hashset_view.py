"""Hash-set manager: the library's sets, import with progress (child process), sets used by this case."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from forensics.core.categories import KINDS
from forensics.hashsets.hits import MatchSettings
from forensics.services import jobs
from forensics.services.jobs import JobStep
from ui import adapter
from ui.dialogs.match_settings import MatchSettingsDialog
from ui.dialogs.match_settings import describe as describe_settings
from ui.jobs import ItemJob, JobState
from ui.models.file_table import human_size
from ui.runner import CommandRunner
from ui.views.progress_view import eta_text
from ui.workers import run_in_background

BAR_STEPS = 1000


def set_line(info: dict) -> str:
    state = "" if info["complete"] else "  [INCOMPLETE]"
    return (
        f"{info['name']}  ·  {info['kind']}  ·  {info['format']}  ·  {info['entry_count']:,} entries  ·  "
        f"{info['region']}  ·  version {info['version'] or '—'}{state}"
    )


def import_status(state: JobState, records_per_second: float | None) -> str:
    """One line about an import: phase, records or bytes done of the total, rate, time left, malformed."""
    left = eta_text(state.eta_seconds)
    left = f"  ·  {left} left" if left and state.running else ""
    malformed = f"  ·  {state.errors:,} malformed" if state.errors else ""
    if state.phase == "counting":
        total = f" / {human_size(state.bytes_total)}" if state.bytes_total else ""
        rate = f"  ·  {state.rate_bytes / 1e6:.1f} MB/s" if state.rate_bytes else ""
        return f"Counting records: {human_size(state.bytes_done)}{total} read{rate}{left}"
    if state.phase == "importing":
        total = f" / {state.items_total:,}" if state.items_total else ""
        rate = f"  ·  {records_per_second:,.0f} records/s" if records_per_second else ""
        return f"Importing: {state.items_done:,}{total} records{rate}{left}{malformed}"
    if state.phase == "finishing":
        return f"Finishing: {state.items_done:,} records read; removing duplicates and committing…{malformed}"
    return state.phase


def bar_fraction(state: JobState) -> float | None:
    """How far the current phase is (0..1), or None when it cannot be told (a busy bar)."""
    if state.phase == "counting" and state.bytes_total:
        return min(state.bytes_done / state.bytes_total, 1.0)
    if state.phase == "importing" and state.items_total:
        return min(state.items_done / state.items_total, 1.0)
    return None


def error_line(messages: list[str]) -> str:
    """The child's own error message (``custos: error: ...``), else its last line."""
    for line in reversed(messages):
        if "error:" in line:
            return line.split("error:", 1)[1].strip()
    return messages[-1] if messages else "no message"


class ImportProgressPanel(QWidget):
    """Bar, status line and Cancel button of the running import (hidden when none runs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, BAR_STEPS)
        self.label = QLabel(self)
        self.cancel_button = QPushButton("&Cancel import", self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.label)
        self._phase = ""
        self._phase_started = time.monotonic()
        self._phase_items = 0

    def show_state(self, state: JobState) -> None:
        if state.phase != self._phase:
            self._phase, self._phase_items = state.phase, state.items_done
            self._phase_started = time.monotonic()
        elapsed = time.monotonic() - self._phase_started
        rate = (state.items_done - self._phase_items) / elapsed if elapsed > 0.5 else None
        self.label.setText(import_status(state, rate))
        fraction = bar_fraction(state)
        if fraction is None:
            self.bar.setRange(0, 0)  # busy
        else:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(round(fraction * BAR_STEPS))


class HashSetView(QWidget):
    """Checked sets are the ones this case is matched against."""

    matched = Signal()
    _filling = False
    _last_message = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: adapter.CaseSession | None = None
        self.settings: QSettings | None = None  # the window's; remembers each case's chosen sets
        self.runner: CommandRunner | None = None
        self.job: ItemJob | None = None  # the running (or last) import
        self.sets = QListWidget(self)
        self.sets.itemChanged.connect(lambda _item: self._remember_choice())
        self.import_button = QPushButton("&Import set…", self)
        self.import_button.clicked.connect(self.choose_import)
        self.match_button = QPushButton("&Match case against checked sets", self)
        self.match_button.clicked.connect(self.match)
        self.match_button.setEnabled(False)  # until a case is open
        # The thresholds of the next match (None: the engine's defaults, as ``custos match`` has them).
        self.match_settings: MatchSettings | None = None
        self.thresholds_button = QPushButton("&Thresholds…", self)
        self.thresholds_button.setToolTip("Distances, quality gates and vPDQ shares of the next match")
        self.thresholds_button.clicked.connect(self.choose_thresholds)
        self.remove_button = QPushButton("&Remove set…", self)
        self.remove_button.setToolTip("Remove the selected set (or an unfinished import) from the library")
        self.remove_button.clicked.connect(self.confirm_remove)
        self.remove_button.setEnabled(False)
        self.sets.currentItemChanged.connect(
            lambda item, _old: self.remove_button.setEnabled(item is not None)
        )
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.import_panel = ImportProgressPanel(self)
        self.import_panel.cancel_button.clicked.connect(self.cancel_import)
        self.import_panel.hide()
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(300)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.remove_button)
        bar.addWidget(self.thresholds_button)
        bar.addWidget(self.match_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.heading = QLabel("Sets in the library (checked: used for this case)", self)
        layout.addWidget(self.heading)
        layout.addWidget(self.sets, 3)
        layout.addLayout(bar)
        layout.addWidget(self.import_panel)
        layout.addWidget(self.log, 1)

    def set_session(self, session: adapter.CaseSession | None) -> None:
        self.session = session
        self.match_button.setEnabled(session is not None)
        self.reload()

    def reload(self) -> None:
        run_in_background(
            adapter.hash_sets, self._show, lambda m: self._set_status(f"Library: {m}", error=True)
        )

    def _settings_key(self) -> str | None:
        if self.settings is None or self.session is None:
            return None
        return "hashsets/" + str(self.session.case_dir).replace("/", "|")

    def _chosen(self) -> list[str] | None:
        key = self._settings_key()
        value = self.settings.value(key) if key and self.settings is not None else None
        if value is None:
            return None
        return [value] if isinstance(value, str) else list(value)

    def _remember_choice(self) -> None:
        key = self._settings_key()
        if key and self.settings is not None and not self._filling:
            self.settings.setValue(key, self.checked_sets())

    def _show(self, sets: list[dict]) -> None:
        """List the sets; a case's earlier choice is restored, else every complete set is checked."""
        chosen = self._chosen()
        self._filling = True
        self.sets.clear()
        for info in sets:
            item = QListWidgetItem(set_line(info))
            item.setData(Qt.ItemDataRole.UserRole, info["name"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            use = info["complete"] and (chosen is None or info["name"] in chosen)  # unfinished: never
            item.setCheckState(Qt.CheckState.Checked if use else Qt.CheckState.Unchecked)
            self.sets.addItem(item)
        self._filling = False
        self.heading.setText(f"{len(sets)} set(s) in the library (checked: used for this case)")

    def checked_sets(self) -> list[str]:
        return [
            self.sets.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.sets.count())
            if self.sets.item(i).checkState() == Qt.CheckState.Checked
        ]

    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Hash-set file")
        if not path:
            return
        kind, ok = QInputDialog.getItem(self, "Import hash set", "Kind of set:", list(KINDS), 0, False)
        if ok:
            self.start_import(path, Path(path).stem, kind)

    def default_region(self) -> str:
        """Category region a new set is read with: the open case's, else the workstation's, else US."""
        if self.session is not None:
            return self.session.region()
        return str(self.settings.value("review/region", "US")) if self.settings is not None else "US"

    def start_import(self, path: str, name: str, kind: str, region: str | None = None) -> ItemJob | None:
        """Import a set in a child process, with a progress bar; Cancel stops it and nothing is kept."""
        if self._busy():
            return None
        region = region or self.default_region()
        env = self.session.job_environment() if self.session else adapter.job_environment("", None)
        self.job = ItemJob(name, [jobs.hashset_import(path, name, kind, region)], env, self)
        self.job.changed.connect(lambda _item: self._import_changed())
        self.job.finished.connect(self._import_finished)
        self._set_status(f"Importing {name}…")
        self.log.appendPlainText(f"Importing {Path(path).name} as {name!r} ({kind}, {region})")
        self.import_panel.show()
        self.import_panel.cancel_button.setEnabled(True)
        self.job.start()
        return self.job

    def cancel_import(self) -> None:
        """Stop the import child (SIGINT): the importer deletes what it staged, the library is unchanged."""
        if self.job is not None and self.job.state.running:
            self.import_panel.cancel_button.setEnabled(False)
            self._set_status("Cancelling the import…")
            self.job.cancel()

    def shutdown(self, wait_ms: int = 30000) -> None:
        """Before the window closes: cancel a running import and let its child remove what it staged
        (a child killed with the window would leave an unfinished set behind)."""
        if self.job is not None and self.job.state.running and self.job.runner is not None:
            self.job.cancel()
            self.job.runner.process.waitForFinished(wait_ms)

    def _import_changed(self) -> None:
        if self.job is None:
            return
        state = self.job.state
        if state.running:
            self.import_panel.show_state(state)
        if state.messages and state.messages[-1] != self._last_message:
            self._last_message = state.messages[-1]
            self.log.appendPlainText(self._last_message)

    def _import_finished(self, name: str, ok: bool) -> None:
        state = self.job.state if self.job is not None else JobState(name)
        self.import_panel.hide()
        if ok:
            self._set_status(f"Imported {name}.")
        elif state.outcome == "cancelled":
            self._set_status(f"Import of {name} cancelled; nothing was added to the library.")
        else:
            self._set_status(f"Import of {name} failed: {error_line(state.messages)}", error=True)
        self.reload()

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setObjectName("errorLabel" if error else "")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setText(text)

    def _busy(self) -> bool:
        running = (self.runner is not None and self.runner.running) or (
            self.job is not None and self.job.state.running
        )
        if running:
            self._set_status("A hash-set job is still running.")
        return running

    def match(self) -> None:
        if self.session is None:
            return
        sets = self.checked_sets()
        if not sets:
            self._set_status("Check at least one set.", error=True)
            return
        settings = self.match_settings
        note = "Matching…" if settings is None else f"Matching ({describe_settings(settings)})…"
        self._run(jobs.match(self.session.case_dir, sets, settings), note, self.matched.emit)

    def choose_thresholds(self) -> None:
        """Let the examiner set the thresholds of the next match (kept until changed again)."""
        dialog = MatchSettingsDialog(self.match_settings, self)
        if dialog.exec() == MatchSettingsDialog.DialogCode.Accepted:
            self.set_match_settings(dialog.settings())

    def set_match_settings(self, settings: MatchSettings) -> None:
        self.match_settings = None if settings == MatchSettings() else settings
        shown = "the defaults" if self.match_settings is None else describe_settings(settings)
        self._set_status(f"Next match: {shown}.")

    def confirm_remove(self) -> None:
        item = self.sets.currentItem()
        if item is None:
            return
        name = item.data(Qt.ItemDataRole.UserRole)
        answer = QMessageBox.question(
            self,
            "Remove hash set",
            f"Remove {name!r} from the library? Findings already made keep their provenance.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove(name)

    def remove(self, name: str) -> CommandRunner | None:
        """Remove a set (an unfinished import of that name included) in a child process."""
        return self._run(jobs.hashset_remove(name), f"Removing {name}…")

    def _run(
        self, step: JobStep, label: str, after: Callable[[], None] | None = None
    ) -> CommandRunner | None:
        """Run a short ``custos`` job; ``after()`` runs when it ended (a failed match may have added some)."""
        if self._busy():
            return None
        env = self.session.job_environment() if self.session else adapter.job_environment("", None)
        self.runner = CommandRunner(step, env, self)
        self.runner.message.connect(self.log.appendPlainText)
        self.runner.finished.connect(lambda code: self._finished(code, after))
        self._set_status(label)
        self.runner.start()
        return self.runner

    def _finished(self, code: int, after: Callable[[], None] | None) -> None:
        if code == 0:
            self._set_status("Done.")
        else:
            self._set_status(f"Failed (exit {code}); see the messages below.", error=True)
        self.reload()
        if after is not None:
            after()
