"""Views over a real ingested case: detail panel (metadata, hex, text, image reveal), dialogs, settings."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from forensics.custody.log import read_entries
from tests.ui.conftest import EXAMINER, PASSPHRASE, REPO
from ui.adapter import FileFilter
from ui.dialogs.case_dialogs import CreateCaseDialog
from ui.dialogs.shortcuts import ShortcutsDialog
from ui.main_window import MainWindow
from ui.models.file_table import FileTableModel
from ui.views.detail_panel import DetailPanel, hex_dump, text_preview


def _file_id(session, name: str) -> int:
    ids = session.file_ids(FileFilter(text=name))
    assert len(ids) == 1
    return ids[0]


def test_detail_panel_shows_exif_gps_hex_text_and_records_views(qtbot, session):
    panel = DetailPanel()
    qtbot.addWidget(panel)
    panel.set_session(session)
    photo = _file_id(session, "DSCN0010.jpg")
    panel.set_file(photo)
    # ExifRead's published values for DSCN0010.jpg (tests/data/exif-py/EXPECTED.md, section C).
    qtbot.waitUntil(lambda: "43.467448, 11.885127" in panel.meta.toPlainText(), timeout=10000)
    text = panel.meta.toPlainText()
    assert "NIKON" in text and "COOLPIX P6000" in text
    assert "97fdc6ae077d8165f3cb4aa494ddb7d4" in text
    assert "located" in text and "DSCN0010.jpg" in text and "evidence item" in text  # the locator chain
    panel.setCurrentIndex(4)
    qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=10000)
    panel.reveal_current()
    assert not panel.reveal_button.isEnabled()

    note = _file_id(session, "readme.txt")
    panel.set_file(note)
    panel.setCurrentIndex(2)
    qtbot.waitUntil(lambda: panel.hex.toPlainText().startswith("00000000  6d 65 65 74"), timeout=10000)
    panel.setCurrentIndex(3)
    qtbot.waitUntil(lambda: "meeting at the harbour" in panel.text.toPlainText(), timeout=10000)

    def events():
        return [
            (e.action, e.target["path"], e.details.get("view"))
            for e in read_entries(session.db)
            if e.action in ("file_viewed", "file_revealed")
        ]

    expected = [
        ("file_viewed", "/photos/gps/DSCN0010.jpg", "image"),
        ("file_revealed", "/photos/gps/DSCN0010.jpg", "detail"),
        ("file_viewed", "/docs/readme.txt", "image"),  # the image tab was still open when it was selected
        ("file_viewed", "/docs/readme.txt", "hex"),
        ("file_viewed", "/docs/readme.txt", "text"),
    ]
    qtbot.waitUntil(lambda: sorted(events()) == sorted(expected), timeout=10000)


def test_hex_dump_and_text_preview():
    assert hex_dump(b"AB\x00") == f"00000000  {'41 42 00':<47}  AB."
    assert hex_dump(bytes(range(16)) * 2).splitlines()[1].startswith("00000010  00 01 02")
    assert text_preview("grüße".encode()) == "grüße"
    assert text_preview(b"a\x00b") == "a\x00b"
    assert text_preview(b"\xff\xfeh\x00i\x00") == "hi"
    assert text_preview(b"\x81abc\x01") == ".abc."


def test_file_table_reloads_in_the_background(qtbot, session):
    model = FileTableModel()
    model.session = session
    model.filter = FileFilter(deleted=True)
    with qtbot.waitSignal(model.loaded, timeout=10000):
        model.reload()
    qtbot.waitUntil(lambda: model.complete, timeout=10000)
    assert model.rowCount() == 0
    model.set_filter(FileFilter(files_only=True))
    qtbot.waitUntil(lambda: model.complete and model.rowCount() == 6, timeout=10000)


def test_create_case_dialog_checks_its_form(qtbot):
    dialog = CreateCaseDialog()
    qtbot.addWidget(dialog)
    assert dialog.problem() == "A case needs a number and a title."
    dialog.number.setText("1")
    dialog.title_edit.setText("t")
    dialog.folder.setText("/tmp/x")
    dialog.examiner.setCurrentText("New Person")
    dialog.passphrase.setText("short")
    assert "8 characters" in dialog.problem()
    dialog.passphrase.setText("long enough")
    assert "agency and a badge" in dialog.problem()
    assert dialog.badge.isVisibleTo(dialog)
    dialog.agency.setText("Lab")
    dialog.badge.setText("B-1")
    dialog.confirm.setText("different!")
    assert dialog.problem() == "The passphrases differ."
    dialog.confirm.setText("long enough")
    assert dialog.problem() is None


def test_window_remembers_layout_recent_cases_and_lists_shortcuts(qtbot, tmp_path, ingested_case):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(900, 500)
    window.show()
    window._open_from(str(ingested_case), EXAMINER, PASSPHRASE)
    qtbot.waitUntil(lambda: window.session is not None, timeout=10000)
    assert window.windowTitle() == f"Custos — GUI-1 GUI test case — {EXAMINER}"
    dialog = window.show_shortcuts()
    keys = {
        dialog.table.item(r, 1).text(): dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())
    }
    assert keys["Add evidence…"] == "Ctrl+E" and keys["Keyboard shortcuts"] == "F1"
    assert keys["Gallery: reveal the selected images (recorded in custody)"] == "R"
    assert isinstance(dialog, ShortcutsDialog)
    dialog.close()
    window.resize(window.width(), 550)
    window.close()
    again = MainWindow(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    # The offscreen screen is only 800x600 wide, so Qt fits the width to it; the height is kept.
    assert again.height() == 550
    assert again.settings.value("window/state") is not None
    assert again.recent_cases() == [(str(ingested_case), "GUI-1 — GUI test case")]
    assert again.start_page.recent.count() == 1


def test_wrong_passphrase_is_refused(qtbot, ingested_case, gui_settings, monkeypatch):
    window = MainWindow(gui_settings)
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr("ui.main_window.QMessageBox.warning", lambda *a: shown.append(a[2]))
    window._open_from(str(ingested_case), EXAMINER, "wrong passphrase")
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert window.session is None
    assert "passphrase" in shown[0].lower()


def test_gallery_tags_notes_and_group_by_set(qtbot, session, monkeypatch):
    from PySide6.QtCore import QItemSelectionModel

    from ui.views.gallery_view import GalleryView

    view = GalleryView()
    qtbot.addWidget(view)
    view.set_session(session)
    view.load_now()
    stacked = next(i for i, e in enumerate(view.model.entries) if e.stacked == 2)
    view.grid.selectionModel().select(view.model.index(stacked), QItemSelectionModel.SelectionFlag.Select)
    monkeypatch.setattr("ui.views.gallery_view.QInputDialog.getText", lambda *a: ("holiday", True))
    monkeypatch.setattr(
        "ui.views.gallery_view.QInputDialog.getMultiLineText", lambda *a: ("seen twice", True)
    )
    with qtbot.waitSignal(view.status, timeout=10000):
        view.tag_selected()
    with qtbot.waitSignal(view.status, timeout=10000):
        view.note_selected()
    both = session.identical_files([view.model.file_id(stacked)])
    assert len(both) == 2  # copy.jpg and Canon_40D.jpg
    for file_id in both:
        reviewed = session.file_detail(file_id)["review"]
        assert reviewed.tags == ["holiday"] and reviewed.notes[0][2] == "seen twice"
    actions = [e["action"] for e in session.custody_entries()]
    assert actions.count("file_tagged") == 2 and actions.count("file_noted") == 2
    view.group_by.setCurrentIndex(1)
    view.load_now()
    assert view.model.groups() == [("(no match)", 4)]


def test_custody_view_says_broken_after_tampering(qtbot, session, ingested_case):
    import sqlite3

    from ui.views.custody_view import CustodyView

    view = CustodyView()
    qtbot.addWidget(view)
    view.set_session(session)
    view.verify()
    qtbot.waitUntil(lambda: view.last_result is not None, timeout=10000)
    assert view.status.text().startswith("INTACT") and view.status.property("state") == "ok"
    with sqlite3.connect(ingested_case / "case.db", isolation_level=None) as conn:
        # The append-only triggers stop honest software; an attacker holding the file drops them first.
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute('UPDATE custody_log SET details_json = \'{"seal_number": "forged"}\' WHERE seq = 3')
    view.last_result = None
    view.verify()
    qtbot.waitUntil(lambda: view.last_result is not None, timeout=10000)
    assert view.status.text().startswith("BROKEN at entry 3") and view.status.property("state") == "broken"


def test_add_evidence_accepts_a_dropped_image(qtbot, template_case):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from ui.dialogs.add_evidence import AddEvidenceDialog

    dialog = AddEvidenceDialog()
    qtbot.addWidget(dialog)
    image = REPO / "tests" / "data" / "dfvfs" / "ext2.E01"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(image))])
    drop = QDropEvent(
        QPointF(QPoint(10, 10)),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.dropEvent(drop)
    qtbot.waitUntil(lambda: dialog.survey is not None, timeout=20000)
    text = dialog.survey_text.toPlainText()
    # dfvfs EXPECTED.md: ext2.E01 is EWF around a 4 MiB ext2 volume.
    assert dialog.survey["container"] == "ewf" and dialog.survey["media_size"] == 4 * 1024 * 1024
    assert "File system at 0: ext2" in text
    assert dialog.item.text() == "ext2"
    assert dialog.add_step("/c").argv[:6] == ["evidence", "add", "/c", str(image), "--item", "ext2"]


def test_add_evidence_reports_unreadable_images(qtbot, tmp_path):
    from ui.dialogs.add_evidence import AddEvidenceDialog

    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not an image at all" * 10)
    dialog = AddEvidenceDialog()
    qtbot.addWidget(dialog)
    dialog.set_path(str(junk))
    qtbot.waitUntil(lambda: dialog.survey is not None, timeout=20000)
    # Any file opens as a raw image; the dialog says plainly that no file system was found in it.
    assert dialog.survey["container"] == "raw"
    assert "Warning: no file system could be opened" in dialog.survey_text.toPlainText()
    missing = tmp_path / "missing.E01"
    dialog.set_path(str(missing))
    qtbot.waitUntil(
        lambda: dialog.survey is not None and dialog.survey.get("input") == str(missing), timeout=20000
    )
    assert not dialog.survey["ok"]
    assert dialog.survey_text.toPlainText().startswith("Cannot open this image")
    assert dialog.problem() == "This image cannot be opened."


def test_add_evidence_takes_the_source_time_zone(qtbot):
    from ui.dialogs.add_evidence import AddEvidenceDialog

    dialog = AddEvidenceDialog()
    qtbot.addWidget(dialog)
    dialog.survey = {"ok": True, "container": "raw"}  # as a survey of a readable image leaves it
    dialog.item.setText("EXH-1")
    dialog.fields["time_zone"].setText("Pakistan")
    assert dialog.problem() == (
        "unknown time zone 'Pakistan': give an IANA zone name such as Asia/Karachi or Europe/London"
    )
    dialog.fields["time_zone"].setText("Asia/Karachi")
    assert dialog.problem() is None
    argv = dialog.add_step("/c").argv
    assert argv[argv.index("--time-zone") + 1] == "Asia/Karachi"


def test_gui_sub_command_is_registered():
    from app.cli import build_parser

    args = build_parser().parse_args(["gui", "/some/case"])
    assert args.case_dir == "/some/case" and args.func.__module__ == "app.commands.gui"
