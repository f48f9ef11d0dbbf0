"""The file browser's "Supply password and re-run…" on an archive with encrypted members: a password
dialog, the job as a child ``custos archive unlock`` (password in its environment), previews after."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tests.archive_fixtures import PASSWORD, WRONG, build_seized_folder
from tests.ui.conftest import EXAMINER, PASSPHRASE, run_cli
from ui.adapter import CaseSession
from ui.dialogs.archive_password import ArchivePasswordDialog
from ui.main_window import MainWindow
from ui.views.file_browser import UNLOCK_ACTION


def _case(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = Path(os.environ["CUSTOS_HOME"])
    photos = build_seized_folder(tmp_path / "seized", tmp_path / "work")
    case_dir = tmp_path / "case"
    for args in (
        ("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "T-2"),
        ("case", "create", str(case_dir), "--number", "ZIP-1", "--title", "encrypted archives"),
        ("evidence", "add", str(case_dir), str(tmp_path / "seized"), "--item", "EV1"),
        ("ingest", str(case_dir), "--profile", "hashes", "--workers", "1"),
    ):
        done = run_cli(home, *args)
        assert done.returncode == 0, f"custos {' '.join(args)}: {done.stderr}"
    return case_dir, photos


def _row(window: MainWindow, path: str) -> int:
    model = window.files.model
    return next(r for r in range(model.rowCount()) if model.row_data(r)["path"] == path)


def _unlock(qtbot, window: MainWindow, row: int, password: str, shots: Path | None = None):
    menu = window.files.context_menu_for(row)
    (action,) = [a for a in menu.actions() if a.text() == UNLOCK_ACTION]
    assert action.isEnabled()
    if shots is not None:
        menu.grab().save(str(shots / "archive-context-menu.png"))
    action.trigger()
    (dialog,) = [d for d in window.findChildren(ArchivePasswordDialog) if d.isVisible()]
    dialog.password.setText(password)
    if shots is not None:
        dialog.grab().save(str(shots / "archive-password-dialog.png"))
    dialog.accept()
    job = window.progress.jobs[f"archive {window.files.model.row_data(row)['id']}"]
    qtbot.waitUntil(lambda: not job.state.running, timeout=120000)
    dialog.deleteLater()
    return job


def test_supply_password_and_rerun_from_the_file_browser(qtbot, gui_settings, tmp_path, screenshot_dir):
    case_dir, photos = _case(tmp_path)
    window = MainWindow(gui_settings)
    qtbot.addWidget(window)
    window.show()
    window.set_session(CaseSession.open(case_dir, EXAMINER, PASSPHRASE))
    window.files.refresh()
    qtbot.waitUntil(lambda: window.files.model.rowCount() > 4, timeout=15000)
    readme = window.files.context_menu_for(_row(window, "/readme.txt"))
    assert not readme.actions()[0].isEnabled()  # offered only where encrypted members wait

    archive_row = _row(window, "/photos.zip")
    archive_id = window.files.model.row_data(archive_row)["id"]
    job = _unlock(qtbot, window, archive_row, WRONG)
    assert job.state.outcome.startswith("failed") and any("wrong password" in m for m in job.state.messages)

    window.files.refresh()
    qtbot.waitUntil(lambda: window.files.model.rowCount() > 4, timeout=15000)
    archive_row = _row(window, "/photos.zip")
    job = _unlock(qtbot, window, archive_row, PASSWORD, screenshot_dir)
    assert job.state.outcome == "done", job.state.messages
    window.show_tab(3)
    window.grab().save(str(screenshot_dir / "archive-unlocked-progress.png"))

    window.show_tab(0)
    window.files.show_inside(archive_id, "/photos.zip")
    qtbot.waitUntil(lambda: window.files.model.rowCount() == 3, timeout=15000)
    member_row = _row(window, "DSCN0010.jpg")
    member = window.files.model.row_data(member_row)
    assert member["md5"] == photos["DSCN0010.jpg"]
    window.files.table.selectRow(member_row)
    window.grab().save(str(screenshot_dir / "archive-opened-members.png"))
    # the session kept the password for previews of the opened members (memory only)
    data = window.session.read_content(member["id"], 1 << 24)
    assert hashlib.md5(data).hexdigest() == photos["DSCN0010.jpg"]
    assert not window.session.has_encrypted_members(archive_id)
