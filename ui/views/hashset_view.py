"""Hash-set manager: the library's sets, import with progress (child process), sets used by this case."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from forensics.hashsets.categories import KINDS
from ui import adapter
from ui.runner import CommandRunner
from ui.workers import run_in_background


def set_line(info: dict) -> str:
    state = "" if info["complete"] else "  [INCOMPLETE]"
    return (
        f"{info['name']}  ·  {info['kind']}  ·  {info['format']}  ·  {info['entry_count']:,} entries  ·  "
        f"{info['region']}  ·  version {info['version'] or '—'}{state}"
    )


class HashSetView(QWidget):
    """Checked sets are the ones this case is matched against."""

    matched = Signal()
    _filling = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: adapter.CaseSession | None = None
        self.settings: QSettings | None = None  # the window's; remembers each case's chosen sets
        self.runner: CommandRunner | None = None
        self.sets = QListWidget(self)
        self.sets.itemChanged.connect(lambda _item: self._remember_choice())
        self.import_button = QPushButton("&Import set…", self)
        self.import_button.clicked.connect(self.choose_import)
        self.match_button = QPushButton("&Match case against checked sets", self)
        self.match_button.clicked.connect(self.match)
        self.status = QLabel("", self)
        self.log = QPlainTextEdit(self)
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(300)
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.import_button)
        bar.addWidget(self.match_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(QLabel("Sets in the library (checked: used for this case)", self))
        layout.addWidget(self.sets, 3)
        layout.addLayout(bar)
        layout.addWidget(self.log, 1)

    def set_session(self, session: adapter.CaseSession | None) -> None:
        self.session = session
        self.match_button.setEnabled(session is not None)
        self.reload()

    def reload(self) -> None:
        run_in_background(adapter.hash_sets, self._show, lambda m: self.status.setText(f"Library: {m}"))

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
            use = info["name"] in chosen if chosen is not None else info["complete"]
            item.setCheckState(Qt.CheckState.Checked if use else Qt.CheckState.Unchecked)
            self.sets.addItem(item)
        self._filling = False
        self.status.setText(f"{len(sets)} set(s) in the library")

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

    def start_import(self, path: str, name: str, kind: str, region: str = "US") -> None:
        """Import a set in a child process; its progress lines go to the log."""
        args = ["hashset", "import", path, "--name", name, "--kind", kind, "--region", region]
        self._run(args, f"Importing {name}…")

    def match(self) -> None:
        if self.session is None:
            return
        sets = self.checked_sets()
        if not sets:
            self.status.setText("Check at least one set.")
            return
        self._run(["match", str(self.session.case_dir), "--sets", *sets], "Matching…")

    def _run(self, args: list[str], label: str) -> None:
        if self.runner is not None and self.runner.running:
            self.status.setText("A hash-set job is still running.")
            return
        env = self.session.job_environment() if self.session else adapter.job_environment("", None)
        self.runner = CommandRunner(adapter.cli_command(*args), env, self)
        self.runner.message.connect(self.log.appendPlainText)
        self.runner.finished.connect(self._finished)
        self.status.setText(label)
        self.runner.start()

    def _finished(self, code: int) -> None:
        self.status.setText("Done." if code == 0 else f"Failed (exit {code}); see the messages below.")
        self.reload()
        self.matched.emit()
