"""The GUI on a case kept on a PostgreSQL server: connecting by the server, the password dialog (asked
again with the reason after a refused password; cancel opens nothing), and review marks another examiner
makes (another connection, through the service layer) showing up in the open views without a reload.
The same live marks on a SQLite folder case. Needs the real test server (tests/backends.py) for the
server tests; they skip without it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import URL, make_url

from forensics.case import credentials
from forensics.case.location import POINTER_NAME, read_pointer
from forensics.services import jobs
from forensics.services import review as review_service
from forensics.services.context import open_case
from tests.backends import CaseBackend, drop_case_databases
from tests.custody.test_postgres_lab import login_role
from tests.ui.conftest import (
    AGENCY,
    EXAMINER,
    PASSPHRASE,
    REPO,
    REVIEW_PROFILE,
    build_photo_folder,
    install_examiner,
)
from tests.ui.screens import settle, shoot
from ui.dialogs.server_dialogs import DatabasePasswordDialog
from ui.main_window import MainWindow
from ui.password_prompt import PasswordPrompt
from ui.workers import wait_for_background

COLLEAGUE = "Bob Sample"
MARKED = "DSCN0010.jpg"
WAIT_MS = 30000
LIVE_WAIT_MS = 10000  # "within a few seconds": the watcher polls every 2 s


@dataclass(frozen=True)
class ServerCase:
    backend: CaseBackend
    home: Path
    case_dir: Path
    url: str  # postgresql://host:port/database, no credentials
    passwords: dict[str, str]  # examiner -> password of their role

    @property
    def database(self) -> str:
        return str(make_url(self.url).database)

    def login(self, examiner: str) -> URL:
        """The case database URL logged in as ``examiner``'s own role."""
        return make_url(self.url).set(
            username=credentials.examiner_role(examiner), password=self.passwords[examiner]
        )


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"custos {' '.join(args)}: {done.stderr}"


@pytest.fixture(scope="module")
def server_case(postgres_admin_url, tmp_path_factory, gui_resources) -> Iterator[ServerCase]:
    """A case on the test server, founded by Ann (her own role, CREATEDB), Bob added to it, the photo
    folder ingested with the ``gui-review`` profile: all through the command line, once per module."""
    if postgres_admin_url is None:
        pytest.skip(
            "GUI on a server case: CUSTOS_TEST_POSTGRES_URL is unset (scripts/test.sh starts a server)"
        )
    backend = CaseBackend("postgresql", postgres_admin_url)
    passwords = {
        EXAMINER: login_role(backend, EXAMINER, founder=True),
        COLLEAGUE: login_role(backend, COLLEAGUE),
    }
    root = tmp_path_factory.mktemp("gui-server-case")
    home, case_dir = root / "home", root / "case"
    evidence = build_photo_folder(root / "evidence")
    url = f"{backend.server}/custos_gui_{secrets.token_hex(4)}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CUSTOS_DB_USER", "CUSTOS_CASE_SERVER", "PGUSER", "PGPASSWORD")
    }
    env.update(
        CUSTOS_HOME=str(home),
        CUSTOS_PASSPHRASE=PASSPHRASE,
        CUSTOS_EXAMINER=EXAMINER,
        CUSTOS_DB_PASSWORD=passwords[EXAMINER],
        CUSTOS_RESOURCES=str(gui_resources),
    )
    try:
        for args in (
            ("examiner", "create", EXAMINER, "--agency", AGENCY, "--badge", "T-1"),
            ("examiner", "create", COLLEAGUE, "--agency", AGENCY, "--badge", "T-2"),
            ("case", "create", str(case_dir), "--number", "GUI-PG-1", "--title", "Server case", "--db", url),
            ("examiner", "add", str(case_dir), COLLEAGUE, "--reason", "second reviewer"),
            ("evidence", "add", str(case_dir), str(evidence), "--item", "EV1", "--description", "photos"),
            ("ingest", str(case_dir), "--profile", REVIEW_PROFILE, "--workers", "1"),
        ):
            _cli(env, *args)
        yield ServerCase(backend, home, case_dir, url, passwords)
    finally:
        drop_case_databases(backend, {str(make_url(url).database)})


@pytest.fixture
def no_known_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in the environment or in memory logs in: the password must come from the dialog."""
    for name in ("CUSTOS_DB_USER", "CUSTOS_DB_PASSWORD", "CUSTOS_CASE_SERVER", "PGUSER", "PGPASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(credentials, "_given", {})
    monkeypatch.setattr(credentials, "_keyring_password", lambda _server, _role: None)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        "ui.main_window.QMessageBox.warning", lambda _parent, title, text: shown.append((title, text))
    )
    return shown


def _done_with(window: MainWindow) -> None:
    """Let the window's background reads finish and deliver (to a live window) before it closes."""
    assert wait_for_background()
    settle()
    window.close()


def _window(qtbot, gui_settings) -> MainWindow:
    window = MainWindow(gui_settings)
    qtbot.addWidget(window)
    window.show()
    return window


def _next_prompt(qtbot, prompt: PasswordPrompt, previous=None):  # noqa: ANN001, ANN202 - the dialog
    qtbot.waitUntil(lambda: prompt.dialog is not None and prompt.dialog is not previous, timeout=WAIT_MS)
    return prompt.dialog


def test_connect_dialog_opens_a_server_case_with_a_prompted_password(
    qtbot, gui_settings, server_case, no_known_password, tmp_path, screenshot_dir, monkeypatch
):
    install_examiner(server_case.home)
    window = _window(qtbot, gui_settings)
    dialog = window.connect_server()
    dialog.host.setText(str(server_case.backend.admin_url.host))
    dialog.port.setValue(int(server_case.backend.admin_url.port))
    dialog.database.setText(server_case.database)
    dialog.examiner.setCurrentText(EXAMINER)
    assert dialog.role.text() == credentials.examiner_role(EXAMINER)  # the examiner's own role by default
    dialog.passphrase.setText(PASSPHRASE)
    dialog.folder.setText(str(tmp_path / "server-case"))
    assert dialog.problem() is None
    dialog.grab().save(str(screenshot_dir / "20-connect-server-dialog.png"))
    dialog._check()

    prompt = _next_prompt(qtbot, window.password_prompt)
    assert prompt.role == credentials.examiner_role(EXAMINER)
    assert prompt.password.echoMode() == prompt.password.EchoMode.Password
    assert prompt.keep.isHidden()  # no keyring backend on this machine: not offered
    prompt.password.setText(server_case.passwords[EXAMINER])
    prompt.grab().save(str(screenshot_dir / "21-server-password-prompt.png"))
    prompt.accept()
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)

    session = window.session
    assert session.on_server and session.info()["number"] == "GUI-PG-1"
    assert window.stack.currentWidget() is window.tabs
    # The new folder points at the case; neither it nor the settings hold the password or the role.
    assert read_pointer(tmp_path / "server-case") == server_case.url
    password = server_case.passwords[EXAMINER]
    assert password not in (tmp_path / "server-case" / POINTER_NAME).read_text(encoding="utf-8")
    gui_settings.sync()
    assert password not in Path(gui_settings.fileName()).read_text(encoding="utf-8")
    # The custody tab's verification reads the log on its own connection, as the same login.
    assert session.verify_custody()["ok"]
    # Jobs run as child processes: they get the same login in their environment (memory only).
    env = session.job_environment()
    assert (
        env["CUSTOS_DB_USER"] == credentials.examiner_role(EXAMINER) and env["CUSTOS_DB_PASSWORD"] == password
    )
    export = tmp_path / "export-csv"
    job = window.start_job("export", [jobs.export(session.case_dir, "csv", export)])  # a child custos
    assert job is not None
    qtbot.waitUntil(lambda: not job.state.running, timeout=120000)
    assert job.state.outcome == "done", job.state.messages
    assert any(export.iterdir())
    _done_with(window)


def test_a_refused_password_asks_again_and_cancel_opens_nothing(
    qtbot, gui_settings, server_case, no_known_password, warnings, tmp_path, screenshot_dir, monkeypatch
):
    install_examiner(server_case.home)
    folder = tmp_path / "copied-folder"
    shutil.copytree(server_case.case_dir, folder)  # the folder with its pointer, as on a share
    window = _window(qtbot, gui_settings)
    open_dialog = window.open_case(str(folder))  # the normal "Open case" path, as for a folder case
    assert open_dialog is not None
    open_dialog.examiner.setCurrentText(EXAMINER)
    open_dialog.passphrase.setText(PASSPHRASE)
    open_dialog.accept()

    first = _next_prompt(qtbot, window.password_prompt)
    first.password.setText("not-the-password")
    first.accept()
    again = _next_prompt(qtbot, window.password_prompt, first)
    assert "refused" in again.reason.text()
    again.grab().save(str(screenshot_dir / "22-server-password-refused.png"))
    again.reject()
    qtbot.waitUntil(lambda: bool(warnings), timeout=WAIT_MS)
    title, text = warnings[-1]
    assert title == "The case was not opened" and "cancelled" in text
    assert window.session is None and window.stack.currentWidget() is window.start_page

    # Where a keyring can keep it, the dialog offers it (as on a desktop with one).
    monkeypatch.setattr("ui.adapter.keyring_available", lambda: True)
    offered = DatabasePasswordDialog(
        server_case.url, credentials.examiner_role(EXAMINER), "password needed", window
    )
    offered.show()
    assert not offered.keep.isHidden()
    offered.grab().save(str(screenshot_dir / "23-server-password-keyring.png"))
    offered.reject()
    _done_with(window)


def _row_of(window: MainWindow, name: str) -> int:
    model = window.files.model
    return next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)


def _review_cell(window: MainWindow, file_id: int) -> str:
    model = window.files.model
    column = next(
        i for i in range(model.columnCount()) if model.headerData(i, Qt.Orientation.Horizontal) == "Category"
    )
    return str(model.index(model.row_of(file_id), column).data() or "")


def _watch_marks_arrive(qtbot, window: MainWindow, other_ctx, author: str) -> None:  # noqa: ANN001
    """With the window showing the case, ``other_ctx`` (another connection) marks a file; the window's
    file table, detail panel, gallery and status bar show it within a few seconds, nobody reloading."""
    window.show_tab(0)
    qtbot.waitUntil(lambda: window.files.model.rowCount() == 9, timeout=WAIT_MS)
    row = _row_of(window, MARKED)
    file_id = window.files.model.file_id(row)
    window.files.table.selectRow(row)
    qtbot.waitUntil(lambda: "GPS" in window.files.detail.meta.toPlainText(), timeout=WAIT_MS)
    assert _review_cell(window, file_id) == ""

    region = window.session.region()
    review_service.categorise(other_ctx, [file_id], 1, region)
    review_service.tag(other_ctx, [file_id], "seen-by-colleague")
    review_service.note(other_ctx, [file_id], "harbour photo, check GPS")

    qtbot.waitUntil(lambda: _review_cell(window, file_id) != "", timeout=LIVE_WAIT_MS)
    qtbot.waitUntil(
        lambda: "seen-by-colleague" in window.files.detail.meta.toPlainText(), timeout=LIVE_WAIT_MS
    )
    assert "harbour photo, check GPS" in window.files.detail.meta.toPlainText()
    qtbot.waitUntil(lambda: window.gallery.model.categories.get(file_id) == 1, timeout=LIVE_WAIT_MS)
    assert window.files.filters.tag.findData("seen-by-colleague") >= 0  # the tag filter offers it
    if author != window.session.examiner:
        assert author in window.statusBar().currentMessage()


def test_a_mark_by_another_examiner_shows_up_in_the_open_views(
    qtbot, gui_settings, server_case, no_known_password, monkeypatch, screenshot_dir
):
    install_examiner(server_case.home)
    monkeypatch.setenv("CUSTOS_DB_PASSWORD", server_case.passwords[EXAMINER])  # Ann's window logs in so
    window = _window(qtbot, gui_settings)
    window._open_from(str(server_case.case_dir), EXAMINER, PASSPHRASE)
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
    monkeypatch.delenv("CUSTOS_DB_PASSWORD")
    # Bob, on his own connection as his own role, through the service layer.
    bob = open_case(
        server_case.case_dir,
        COLLEAGUE,
        write=True,
        passphrase=PASSPHRASE,
        db_url=server_case.login(COLLEAGUE).render_as_string(hide_password=False),
    )
    try:
        assert bob.db.engine.url.username == credentials.examiner_role(COLLEAGUE)
        _watch_marks_arrive(qtbot, window, bob, COLLEAGUE)
        shoot(window, screenshot_dir, "24-server-case-live-marks", sizes=((1366, 768),))
    finally:
        bob.close()
    _done_with(window)


def test_marks_from_another_connection_show_up_on_a_sqlite_case(qtbot, gui_settings, ingested_case):
    window = _window(qtbot, gui_settings)
    window._open_from(str(ingested_case), EXAMINER, PASSPHRASE)
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT_MS)
    other = open_case(ingested_case, EXAMINER, write=True, passphrase=PASSPHRASE)  # a second window's
    try:
        _watch_marks_arrive(qtbot, window, other, EXAMINER)
    finally:
        other.close()
    _done_with(window)


def test_the_keyring_keeps_a_password_only_once_it_logged_in(qtbot, monkeypatch):
    """Asked from a worker thread (as a case opens), answered in the dialog on the UI thread; the
    keyring is written by ``commit`` (after a login worked), never by the answer itself."""
    monkeypatch.setattr("ui.adapter.keyring_available", lambda: True)
    kept: list[tuple[str, str, str, bool]] = []
    monkeypatch.setattr(
        "ui.adapter.remember_database_password",
        lambda server, role, password, *, in_keyring: (
            kept.append((server, role, password, in_keyring)) or True
        ),
    )
    prompt = PasswordPrompt()
    answers: list[str | None] = []

    def ask() -> None:
        answers.append(prompt("postgresql://pg.lab:5432/custos_x", "ex_ann", "password needed"))

    prompt.begin()
    worker = threading.Thread(target=ask)
    worker.start()
    dialog = _next_prompt(qtbot, prompt)
    assert not dialog.keep.isHidden()
    dialog.password.setText("s3cret")
    dialog.keep.setChecked(True)
    dialog.accept()
    worker.join(10)
    assert answers == ["s3cret"] and not kept and not prompt.cancelled
    assert prompt.commit() and kept == [("postgresql://pg.lab:5432/custos_x", "ex_ann", "s3cret", True)]
    assert not prompt.commit()  # once

    prompt.begin()
    worker = threading.Thread(target=ask)
    worker.start()
    _next_prompt(qtbot, prompt, dialog).reject()
    worker.join(10)
    assert answers[-1] is None and prompt.cancelled and not prompt.commit() and len(kept) == 1
