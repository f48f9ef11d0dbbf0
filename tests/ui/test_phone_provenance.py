"""The GUI over a phone extraction with WhatsApp provenance: an item's messages in its detail panel, a
finding's provenance and a message-only finding in the findings view, a chat's media in the gallery
(blurred, as everything), and the add-evidence dialog on an encrypted extraction.

The case is the scripted Android full-file-system zip (``scripts/fixtures/phones``: real public-domain
photos of ``tests/data/pdqhash-python`` in a WhatsApp group chat), ingested with the full profile and
matched against a list of three of its photos' SHA-256 (one whose file is gone).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.phones_helpers import phones
from tests.ui.conftest import EXAMINER, PASSPHRASE, install_examiner, run_cli
from ui.adapter import FileFilter

LISTED = ("image1.jpg", "image3.jpg", "image4.jpg")  # in place, moved out of the media folder, deleted


@pytest.fixture(scope="module")
def phone_case(tmp_path_factory, gui_resources) -> tuple[Path, Path, dict]:
    """A case with the Android zip ingested (full profile) and matched; built once for this module."""
    folder, facts = phones()
    root = tmp_path_factory.mktemp("gui-phone")
    home, case_dir = root / "home", root / "case"
    hash_list = root / "alerts.txt"
    media = facts["whatsapp"]["media"]
    hash_list.write_text("".join(m["sha256"] + "\n" for m in media if m["photo"] in LISTED), encoding="utf-8")
    library = root / "library.db"
    old = os.environ.get("CUSTOS_HASHSET_LIBRARY")
    os.environ["CUSTOS_HASHSET_LIBRARY"] = str(library)
    try:
        for args in (
            ("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "T-2"),
            ("case", "create", str(case_dir), "--number", "PH-1", "--title", "phone"),
            ("evidence", "add", str(case_dir), str(folder / "android_ffs.zip"), "--item", "PHONE"),
            (
                "hashset",
                "import",
                str(hash_list),
                "--name",
                "alerts",
                "--kind",
                "alert",
                "--format",
                "sha256",
            ),
            ("ingest", str(case_dir), "--profile", "full", "--workers", "1"),
        ):
            done = run_cli(home, *args, resources=gui_resources)
            assert done.returncode == 0, f"custos {' '.join(args)}: {done.stderr}"
    finally:
        if old is None:
            os.environ.pop("CUSTOS_HASHSET_LIBRARY", None)
        else:
            os.environ["CUSTOS_HASHSET_LIBRARY"] = old
    return home, case_dir, facts


@pytest.fixture
def phone_session(phone_case, tmp_path):
    from ui.adapter import CaseSession

    home, case_dir, _facts = phone_case
    install_examiner(home)
    copy = tmp_path / "case"
    shutil.copytree(case_dir, copy)
    opened = CaseSession.open(copy, EXAMINER, PASSPHRASE)
    yield opened
    opened.close()


def _file_id(session, name: str) -> int:
    ids = session.file_ids(FileFilter(text=name))
    assert len(ids) == 1, ids
    return ids[0]


def test_detail_panel_shows_the_messages_an_item_came_in(qtbot, phone_session, screenshot_dir):
    from ui.views.detail_panel import DetailPanel

    panel = DetailPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 900)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_session(phone_session)
    panel.set_file(_file_id(phone_session, "holiday.jpg"))  # moved out of the media folder: linked by hash
    qtbot.waitUntil(lambda: "WhatsApp" in panel.meta.toPlainText(), timeout=10000)
    text = panel.meta.toPlainText()
    assert "received 2026-03-02 14:13 UTC in group 'Holiday Pics' from +923001234567 (Ali Contact)" in text
    assert "caption 'the beach'" in text and "3EB0C0003" in text and "sha256" in text
    assert "Dump/data/media/0/DCIM/Saved/holiday.jpg" in text  # its path in the zip
    panel.grab().save(str(screenshot_dir / "phone_detail_messages.png"))
    panel.setCurrentIndex(4)  # the picture, read from inside the zip, blurred until revealed
    qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=10000)
    panel.grab().save(str(screenshot_dir / "phone_detail_image.png"))


def test_findings_view_shows_provenance_and_a_message_only_finding(qtbot, phone_session, screenshot_dir):
    from ui.views.findings_view import FindingsView

    view = FindingsView()
    qtbot.addWidget(view)
    view.resize(1100, 800)
    view.set_session(phone_session)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=10000)
    records = [view.model.record(row) for row in range(3)]
    only = [r for r in records if r["message_only"]]
    assert len(only) == 1 and only[0]["file_id"] is None
    assert only[0]["path"] == "Media/WhatsApp Images/IMG-20260302-WA0004.jpg"
    row = records.index(only[0])
    view.table.selectRow(row)
    qtbot.waitUntil(lambda: "file gone" in view.file_info.toPlainText(), timeout=5000)
    assert "from +447700900123, forwarded" in view.file_info.toPlainText()
    view.grab().save(str(screenshot_dir / "phone_findings_message_only.png"))
    first = next(i for i, r in enumerate(records) if r["path"].endswith("WA0001.jpg"))
    view.table.selectRow(first)
    qtbot.waitUntil(lambda: "WhatsApp provenance" in view.file_info.toPlainText(), timeout=5000)
    assert "forwarded, caption 'look at this' (linked by sha256)" in view.file_info.toPlainText()
    view.grab().save(str(screenshot_dir / "phone_findings_provenance.png"))


def test_gallery_groups_a_chats_media_blurred(qtbot, phone_session, screenshot_dir):
    from ui.views.gallery_view import GalleryView

    view = GalleryView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.set_session(phone_session)
    view.group_by.setCurrentIndex(view.group_by.findData("chat"))
    view.load_now()
    groups = dict(view.model.groups())
    # six pictures linked to the group chat's messages (the seventh message's file is gone)
    assert groups["group 'Holiday Pics'"] == 6
    assert view.model.blur and not view.model.revealed  # nothing revealed: every tile is drawn blurred
    view.grab().save(str(screenshot_dir / "phone_gallery_by_chat.png"))


def test_add_evidence_dialog_asks_the_password_of_an_encrypted_extraction(qtbot):
    from ui.dialogs.add_evidence import AddEvidenceDialog

    folder, facts = phones()
    dialog = AddEvidenceDialog()
    qtbot.addWidget(dialog)
    dialog.set_path(str(folder / "adb_encrypted.ab"))
    qtbot.waitUntil(lambda: dialog.survey is not None, timeout=20000)
    assert dialog.survey["container"] == "extraction" and dialog.survey["encrypted"]
    assert "Android adb backup" in dialog.survey_text.toPlainText()
    dialog.item.setText("AB-1")
    assert "password" in (dialog.problem() or "")
    dialog.password.setText(facts["adb"]["password"])
    assert dialog.problem() is None
    assert dialog.evidence_password() == facts["adb"]["password"] and dialog.container() == "extraction"
    assert dialog.password.text() not in json.dumps(dialog.add_step("/c").argv)  # never a flag


def test_an_encrypted_extractions_member_previews_once_the_examiner_unlocks_it(
    qtbot, tmp_path, gui_resources, monkeypatch, screenshot_dir
):
    from ui.adapter import CaseSession
    from ui.views.detail_panel import DetailPanel

    folder, facts = phones()
    password = facts["adb"]["password"]
    home, case_dir = tmp_path / "home", tmp_path / "case"
    monkeypatch.setenv("CUSTOS_EVIDENCE_PASSWORD", password)
    for args in (
        ("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "T-3"),
        ("case", "create", str(case_dir), "--number", "PH-2", "--title", "phone"),
        ("evidence", "add", str(case_dir), str(folder / "adb_encrypted.ab"), "--item", "AB"),
        ("ingest", str(case_dir), "--profile", "hashes", "--workers", "1"),
    ):
        done = run_cli(home, *args, resources=gui_resources)
        assert done.returncode == 0, f"custos {' '.join(args)}: {done.stderr}"
    monkeypatch.delenv("CUSTOS_EVIDENCE_PASSWORD")
    install_examiner(home)
    session = CaseSession.open(case_dir, EXAMINER, PASSPHRASE)
    try:
        panel = DetailPanel()
        qtbot.addWidget(panel)
        panel.resize(700, 700)
        panel.show()
        panel.set_session(session)
        panel.set_file(_file_id(session, "IMG-20260302-WA0001.jpg"))
        qtbot.waitUntil(lambda: panel._item == "AB", timeout=10000)
        panel.setCurrentIndex(4)
        qtbot.waitUntil(lambda: panel.unlock_button.isVisible(), timeout=10000)
        assert "password is needed" in panel.image_label.text()
        monkeypatch.setattr("ui.views.detail_panel.QInputDialog.getText", lambda *a, **k: (password, True))
        panel.unlock_button.click()
        qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=20000)
        assert not panel.unlock_button.isVisible()
        panel.grab().save(str(screenshot_dir / "phone_detail_unlocked.png"))
        stages = [
            e["details"].get("stage")
            for e in session.custody_entries()
            if e["action"] == "extraction_decrypted"
        ]
        assert stages == ["intake", "ingest", "preview"]
    finally:
        session.close()
