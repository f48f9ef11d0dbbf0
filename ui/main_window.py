"""The examiner's main window: start screen, then the case workspace in tabs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
)

from forensics.core.resources import resource_path
from forensics.services import jobs
from forensics.services.jobs import JobStep
from ui import adapter
from ui.adapter import CaseSession
from ui.dialogs.add_evidence import AddEvidenceDialog
from ui.dialogs.archive_password import ArchivePasswordDialog
from ui.dialogs.case_dialogs import CreateCaseDialog, OpenCaseDialog
from ui.dialogs.report_dialog import ReportDialog
from ui.dialogs.selftest_dialog import SelftestRun
from ui.dialogs.server_dialogs import SETTINGS_SERVER, ConnectServerDialog
from ui.dialogs.shortcuts import ShortcutsDialog
from ui.jobs import ItemJob
from ui.live_review import ReviewWatcher
from ui.password_prompt import PasswordPrompt
from ui.theme import apply_theme
from ui.views.custody_view import CustodyView
from ui.views.file_browser import FileBrowser
from ui.views.findings_view import FindingsView
from ui.views.gallery_view import GalleryView
from ui.views.hashset_view import HashSetView
from ui.views.progress_view import ProgressView
from ui.views.start_page import StartPage
from ui.workers import run_in_background

MAX_RECENT = 10
LIVE_REFRESH_MS = 3000
FINDINGS_TAB = 2


class MainWindow(QMainWindow):
    """Holds the open :class:`CaseSession` and hands it to every view."""

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings("Custos", "Custos")
        self.session: CaseSession | None = None
        apply_theme(QApplication.instance())
        self.setWindowTitle("Custos")
        self.setWindowIcon(QIcon(str(resource_path("ui", "custos.svg"))))
        self.start_page = StartPage(self)
        self.start_page.create_requested.connect(self.create_case)
        self.start_page.open_requested.connect(self.open_case)
        self.files = FileBrowser(self)
        self.files.unlock_requested.connect(self.ask_archive_password)
        self.gallery = GalleryView(self, region=str(self.settings.value("review/region", "US")))
        self.gallery.status.connect(self._status)
        self.findings = FindingsView(self)
        self.progress = ProgressView(self)
        self.custody = CustodyView(self)
        self.hashsets = HashSetView(self)
        self.hashsets.matched.connect(self._after_match)
        self.hashsets.settings = self.settings
        self.tabs = QTabWidget(self)
        for widget, label in (
            (self.files, "Files"),
            (self.gallery, "Gallery"),
            (self.findings, "Findings"),
            (self.progress, "Progress"),
            (self.custody, "Custody"),
            (self.hashsets, "Hash sets"),
        ):
            self.tabs.addTab(widget, label)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self._live = QTimer(self)
        self._live.setInterval(LIVE_REFRESH_MS)
        self._live.timeout.connect(self._live_refresh)
        self.alert_count = 0  # findings of kind alert made while this window's jobs ran
        self.alert_note: QMessageBox | None = None  # the notification of the first one
        self._findings_stale = False
        # A case server's password is asked in a dialog; review marks made elsewhere show up live.
        self.password_prompt = PasswordPrompt(self)
        adapter.set_database_password_prompt(self.password_prompt)
        self.review_watcher = ReviewWatcher(self)
        self.review_watcher.changed.connect(self._marks_changed)
        self._build_menus()
        self._refresh_recent()
        self._update_actions()
        self.statusBar().showMessage("Ready")
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1366, 768)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value("window/files_splitter")
        if splitter is not None:
            self.files.splitter.restoreState(splitter)
        self.files.restore_layout(self.settings)

    # -- menus and shortcuts ----------------------------------------------------------------------------
    def _action(self, menu, text: str, slot, shortcut: str | QKeySequence | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        case = self.menuBar().addMenu("&Case")
        self._action(case, "&New case…", self.create_case, QKeySequence.StandardKey.New)
        self._action(case, "&Open case…", lambda: self.open_case(""), QKeySequence.StandardKey.Open)
        self._action(case, "Connect to a case &server…", self.connect_server)
        self.add_evidence_action = self._action(case, "&Add evidence…", self.add_evidence, "Ctrl+E")
        self.report_action = self._action(case, "&Report…", self.open_report, "Ctrl+R")
        self.close_action = self._action(case, "&Close case", self.close_case, "Ctrl+W")
        case.addSeparator()
        self._action(case, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view = self.menuBar().addMenu("&View")
        self.tab_actions = [
            self._action(
                view, f"{self.tabs.tabText(i)}", lambda _c=False, i=i: self.show_tab(i), f"Ctrl+{i + 1}"
            )
            for i in range(self.tabs.count())
        ]
        view.addSeparator()
        self._action(view, "&Find in file table", self.focus_search, QKeySequence.StandardKey.Find)
        self._action(view, "&Refresh", self.refresh_all, QKeySequence.StandardKey.Refresh)
        self.gray_action = self._action(view, "&Grayscale thumbnails", self._toggle_gray, "Ctrl+G")
        self.gray_action.setCheckable(True)
        self.gray_action.setChecked(self.settings.value("review/grayscale", False, type=bool))
        self.gallery.gray.setChecked(self.gray_action.isChecked())
        review = self.menuBar().addMenu("&Review")
        self.region_actions: list[QAction] = []
        for region in adapter.category_regions():
            action = self._action(
                review, f"Category scheme: {region}", lambda _c=False, r=region: self.set_region(r)
            )
            action.setCheckable(True)
            action.setChecked(region == self.gallery.region)
            self.region_actions.append(action)
        helpmenu = self.menuBar().addMenu("&Help")
        self._action(
            helpmenu, "&Keyboard shortcuts", self.show_shortcuts, QKeySequence.StandardKey.HelpContents
        )
        self._action(helpmenu, "&Validate this installation (self-test)…", self.run_selftest)

    def run_selftest(self) -> SelftestRun:
        """Run `custos selftest` in a child process (it opens reference images with native parsers)."""
        run = SelftestRun(self)
        run.start()
        return run

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.actions(), self)
        dialog.open()
        return dialog

    def show_tab(self, index: int) -> None:
        if self.session is not None:
            self.tabs.setCurrentIndex(index)

    def focus_search(self) -> None:
        if self.session is not None:
            self.show_tab(0)
            self.files.filters.search.setFocus()
            self.files.filters.search.selectAll()

    def workstation_region(self) -> str:
        """The category region new cases start with (and the one shown while no case is open)."""
        return str(self.settings.value("review/region", "US"))

    def set_region(self, region: str) -> None:
        """The open case's category region (a signed custody event), else the workstation default."""
        if self.session is None:
            self.settings.setValue("review/region", region)
        else:
            try:
                region = self.session.set_region(region)
            except adapter.CustosError as exc:
                self._error("Cannot change the category region", str(exc))
                region = self.session.region()
            else:
                self.custody.reload()
                self._status(f"Category region of this case: {region} (recorded in the custody log)")
            self.files.set_region(region)
        self._show_region(region)

    def _show_region(self, region: str) -> None:
        self.gallery.set_region(region)
        for action in self.region_actions:
            action.setChecked(action.text().endswith(f": {region}"))

    def _toggle_gray(self, on: bool) -> None:
        self.settings.setValue("review/grayscale", on)
        self.gallery.gray.setChecked(on)

    def _update_actions(self) -> None:
        has_case = self.session is not None
        self.add_evidence_action.setEnabled(has_case)
        self.report_action.setEnabled(has_case)
        self.close_action.setEnabled(has_case)

    def _status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    # -- cases ------------------------------------------------------------------------------------------
    def recent_cases(self) -> list[tuple[str, str]]:
        value = self.settings.value("recent/cases", [])
        items = value if isinstance(value, list) else [value] if value else []
        labels = self.settings.value("recent/labels", {}) or {}
        return [(p, labels.get(p, Path(p).name) if isinstance(labels, dict) else Path(p).name) for p in items]

    def _remember(self, session: CaseSession) -> None:
        path = str(session.case_dir)
        cases = [p for p, _ in self.recent_cases() if p != path]
        cases.insert(0, path)
        labels = self.settings.value("recent/labels", {}) or {}
        labels = dict(labels) if isinstance(labels, dict) else {}
        info = session.info()
        labels[path] = f"{info['number']} — {info['title']}"
        self.settings.setValue("recent/cases", cases[:MAX_RECENT])
        self.settings.setValue("recent/labels", labels)
        self.settings.setValue("recent/examiner", session.examiner)
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.start_page.set_recent(self.recent_cases())

    def create_case(self) -> CreateCaseDialog:
        dialog = CreateCaseDialog(self, region=self.workstation_region())
        dialog.accepted.connect(lambda: self._create_from(dialog.values()))
        dialog.open()
        return dialog

    def _create_from(self, values: dict) -> None:
        def work() -> CaseSession:
            if values["new_examiner"]:
                adapter.new_examiner(
                    values["examiner"], values["agency"] or "", values["badge"], values["passphrase"]
                )
            return CaseSession.create(
                values["case_dir"],
                number=values["number"],
                title=values["title"],
                agency=values["agency"],
                examiner=values["examiner"],
                passphrase=values["passphrase"],
                region=values["region"],
            )

        self._status("Creating the case…")
        self.password_prompt.begin()  # the lab's case server (lab settings) may ask for a password
        run_in_background(work, self._opened, lambda m: self._error("Cannot create the case", m))

    def open_case(self, path: str = "") -> OpenCaseDialog | None:
        """Open a case folder (its ``case.db``, or its pointer to a case server's database)."""
        if not path:
            path = QFileDialog.getExistingDirectory(self, "Open a case folder")
            if not path:
                return None
        dialog = OpenCaseDialog(path, self, str(self.settings.value("recent/examiner", "")))
        dialog.accepted.connect(lambda: self._open_from(path, *dialog.values()))
        dialog.open()
        return dialog

    def _open_from(self, path: str, examiner: str, passphrase: str) -> None:
        self._status("Opening the case…")
        self.password_prompt.begin()
        run_in_background(
            lambda: CaseSession.open(path, examiner, passphrase), self._opened, self._open_failed
        )

    def connect_server(self) -> ConnectServerDialog:
        """A case known only by its server: host, port, database, role; the examiner's passphrase."""
        dialog = ConnectServerDialog(
            self,
            examiner=str(self.settings.value("recent/examiner", "")),
            host=str(self.settings.value(SETTINGS_SERVER + "host", "")),
            port=int(self.settings.value(SETTINGS_SERVER + "port", 5432)),
        )
        dialog.accepted.connect(lambda: self._connect_from(dialog.values()))
        dialog.open()
        return dialog

    def _connect_from(self, values: dict) -> None:
        self.settings.setValue(SETTINGS_SERVER + "host", values["host"])  # never a role's password
        self.settings.setValue(SETTINGS_SERVER + "port", values["port"])
        self._status(f"Connecting to {values['host']}…")
        self.password_prompt.begin()
        run_in_background(
            lambda: CaseSession.connect(
                values["host"],
                values["port"],
                values["database"],
                values["folder"],
                values["examiner"],
                values["passphrase"],
                values["role"],
            ),
            self._opened,
            self._open_failed,
        )

    def _opened(self, session: CaseSession) -> None:
        self.password_prompt.commit()  # the login worked: into the keyring if the examiner asked
        self.set_session(session)

    def _open_failed(self, message: str) -> None:
        if self.password_prompt.cancelled:
            self._error(
                "The case was not opened",
                "No database password was given (the password dialog was cancelled). Nothing was opened.",
            )
        else:
            self._error("Cannot open the case", message)

    def _error(self, title: str, message: str) -> None:
        self._status(f"{title}: {message}")
        QMessageBox.warning(self, title, message)

    def set_session(self, session: CaseSession | None) -> None:
        """Show ``session`` in every view (None: back to the start screen)."""
        if self.session is not None and self.session is not session:
            self.session.close()
        self.session = session
        for view in (self.files, self.gallery, self.findings, self.custody, self.hashsets):
            view.set_session(session)
        self.review_watcher.set_session(session)
        self._show_region(session.region() if session is not None else self.workstation_region())
        if session is None:
            self.setWindowTitle("Custos")
            self.stack.setCurrentWidget(self.start_page)
        else:
            info = session.info()
            self.setWindowTitle(f"Custos — {info['number']} {info['title']} — {session.examiner}")
            self._remember(session)
            self.stack.setCurrentWidget(self.tabs)
            self.tabs.setCurrentIndex(0)
            self._status(f"Case {info['number']} open as {session.examiner}")
        self._update_actions()

    def close_case(self) -> None:
        if any(job.state.running for job in self.progress.jobs.values()):
            self._status("Jobs are still running: cancel them first.")
            return
        self.set_session(None)

    def open_report(self) -> ReportDialog | None:
        if self.session is None:
            return None
        dialog = ReportDialog(self.session, self)
        dialog.generated.connect(lambda _ok: self.custody.reload())
        dialog.open()
        return dialog

    # -- evidence and jobs ------------------------------------------------------------------------------
    def add_evidence(self) -> AddEvidenceDialog | None:
        if self.session is None:
            return None
        count = len(self.session.evidence_items())
        dialog = AddEvidenceDialog(self, default_item="")
        dialog.item.setPlaceholderText(f"e.g. {self.session.info()['number']}-{count + 1:02d}")
        dialog.accepted.connect(lambda: self.start_evidence_job(dialog))
        dialog.open()
        return dialog

    def start_evidence_job(self, dialog: AddEvidenceDialog) -> ItemJob | None:
        if self.session is None:
            return None
        item = dialog.item.text().strip()
        steps = jobs.evidence_intake(
            self.session.case_dir,
            dialog.path.text(),
            item,
            dialog.intake(),
            dialog.profile.currentText(),
            dialog.container(),
        )
        return self.start_job(item, steps, dialog.evidence_password())

    def ask_archive_password(self, file_id: int, label: str) -> ArchivePasswordDialog | None:
        """Ask for an archive's password, then re-run it in a child process (``custos archive unlock``)."""
        if self.session is None:
            return None
        dialog = ArchivePasswordDialog(label, self)
        dialog.accepted.connect(lambda: self.unlock_archive(file_id, dialog.password.text()))
        dialog.open()
        return dialog

    def unlock_archive(self, file_id: int, password: str) -> ItemJob | None:
        if self.session is None:
            return None
        step = jobs.archive_unlock(self.session.case_dir, file_id)
        job = self.start_job(f"archive {file_id}", [step], archive_password=password)
        if job is not None:
            session = self.session

            def remember(_item: str, ok: bool) -> None:  # previews of its members read through it
                if ok and session is self.session:
                    session.remember_archive_password(file_id, password)

            job.finished.connect(remember)
        return job

    def start_job(
        self,
        item: str,
        steps: list[JobStep],
        evidence_password: str | None = None,
        archive_password: str | None = None,
    ) -> ItemJob | None:
        if self.session is None:
            return None
        env = self.session.job_environment(evidence_password, archive_password)
        job = ItemJob(item, steps, env, self)
        job.step_finished.connect(self._step_finished)
        job.finished.connect(self._job_finished)
        job.alerted.connect(self._alerted)
        self.progress.add_job(job)
        job.start()
        self._live.start()
        self.show_tab(3)
        return job

    def _step_finished(self, item: str, label: str, code: int) -> None:
        if label in ("adding", "verifying"):  # a new item; the verdict of its media verification
            self.files.reload_tree()
        self.refresh_all()

    def _job_finished(self, item: str, ok: bool) -> None:
        self._status(f"{item}: {'finished' if ok else 'stopped'}")
        if not any(job.state.running for job in self.progress.jobs.values()):
            self._live.stop()
        self.files.reload_tree()
        self.refresh_all()

    def _live_refresh(self) -> None:
        """Review starts while ingest runs: re-read the file table (and findings made since) every few
        seconds."""
        if self.tabs.currentWidget() is self.files:
            self.files.refresh()
        if self._findings_stale:
            self._findings_stale = False
            self.findings.reload()

    def _alerted(self, item: str, record) -> None:  # noqa: ANN001 - an AlertRecord
        """A finding made while an ingest runs: count it, fill the Findings tab, tell of the first one."""
        self._findings_stale = True
        if record.kind != "alert":
            return
        self.alert_count += 1
        plural = "s" if self.alert_count > 1 else ""
        self.tabs.setTabText(FINDINGS_TAB, f"Findings ({self.alert_count} alert{plural})")
        self._status(f"{item}: alert: {record.path} ({record.set_name}, {record.basis})")
        if self.alert_count == 1:
            self.findings.reload()
            self._findings_stale = False
            self.alert_note = QMessageBox(
                QMessageBox.Icon.Warning,
                "Known material found",
                f"{item}: {record.path}\nmatches {record.set_name}"
                f"{', ' + record.category if record.category else ''} ({record.basis}).\n\n"
                "The job goes on; the Findings tab fills as it runs (pictures stay blurred until revealed).",
                QMessageBox.StandardButton.Ok,
                self,
            )
            self.alert_note.setModal(False)
            show = self.alert_note.addButton("Show findings", QMessageBox.ButtonRole.AcceptRole)
            show.clicked.connect(lambda: self.show_tab(FINDINGS_TAB))
            self.alert_note.show()

    def refresh_all(self) -> None:
        if self.session is None:
            return
        self.files.refresh()
        self.gallery.reload()
        self.findings.reload()
        self.custody.reload()

    def _after_match(self) -> None:
        self.findings.reload()
        self.files.refresh()
        self.gallery.reload()

    def _marks_changed(self, changes: adapter.ReviewChanges) -> None:
        """Review marks signed since the last look (by other examiners too): the views show them."""
        if self.session is None:
            return
        self.files.review_changed(changes.file_ids, everything=changes.truncated)
        self.gallery.review_changed()
        if changes.region_changed:
            region = self.session.region()
            self.files.set_region(region)
            self._show_region(region)
        if self.tabs.currentWidget() is self.custody:
            self.custody.reload()
        others = [name for name in changes.examiners if name != self.session.examiner]
        if others:
            count = len(changes.file_ids)
            self._status(f"Review marks by {', '.join(others)}: {count} file(s) updated")

    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.custody:
            self.custody.reload()

    # -- window state -----------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        running = [job for job in self.progress.jobs.values() if job.state.running]
        for job in running:
            job.cancel()
        for job in running:
            if job.runner is not None:
                job.runner.process.waitForFinished(10000)
        self.hashsets.shutdown()
        self.review_watcher.set_session(None)
        self.password_prompt.cancel_all()
        adapter.set_database_password_prompt(None)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/files_splitter", self.files.splitter.saveState())
        self.files.save_layout(self.settings)
        if self.session is not None:
            self.session.close()
            self.session = None
        super().closeEvent(event)
