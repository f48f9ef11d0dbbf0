"""The case's category region in the GUI: chosen at creation, shown by the gallery, changed as custody."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import AGENCY, EXAMINER, PASSPHRASE
from ui import adapter
from ui.adapter import CaseSession
from ui.dialogs.case_dialogs import CreateCaseDialog
from ui.main_window import MainWindow
from ui.workers import wait_for_background


@pytest.fixture
def uk_case(tmp_path: Path):
    """A new, empty case whose region is UK (no evidence: the region needs none)."""
    adapter.new_examiner(EXAMINER, AGENCY, "T-1", PASSPHRASE)
    session = CaseSession.create(
        tmp_path / "case",
        number="R-7",
        title="region case",
        agency=AGENCY,
        examiner=EXAMINER,
        passphrase=PASSPHRASE,
        region="UK",
    )
    yield session
    session.close()


def _notes(session: CaseSession) -> list[dict]:
    return [e["details"] for e in session.custody_entries() if e["action"] == "case_region_changed"]


def test_new_case_dialog_offers_the_workstation_region(qtbot, screenshot_dir: Path) -> None:
    assert CreateCaseDialog().values()["region"] == "US"
    dialog = CreateCaseDialog(region="UK")
    qtbot.addWidget(dialog)
    regions = [dialog.region.itemText(i) for i in range(dialog.region.count())]
    assert regions == adapter.category_regions()
    assert dialog.values()["region"] == "UK"
    dialog.show()
    dialog.grab().save(str(screenshot_dir / "new-case-dialog-region.png"))


def test_session_reads_and_changes_the_region(uk_case: CaseSession) -> None:
    assert uk_case.region() == "UK"
    assert uk_case.set_region("canada") == "Canada"
    assert uk_case.region() == "Canada"
    assert _notes(uk_case)[-1] == {
        "text": "category region of the case changed from UK to Canada",
        "field": "category_region",
        "old": "UK",
        "new": "Canada",
    }
    with pytest.raises(adapter.CustosError, match="unknown category region"):
        uk_case.set_region("Narnia")
    assert uk_case.verify_custody()["ok"]


def test_window_uses_the_case_region_and_records_a_change(qtbot, gui_settings, uk_case) -> None:
    gui_settings.setValue("review/region", "Canada")  # the workstation default differs from the case's
    window = MainWindow(gui_settings)
    qtbot.addWidget(window)
    assert window.gallery.region == "Canada"
    window.set_session(uk_case)
    assert window.gallery.region == "UK"
    assert "(UK)" in window.gallery.legend.text()
    uk = adapter.scheme("UK").categories
    review = window.files.filters.review
    assert review.itemText(3) == f"category {min(uk)}: {uk[min(uk)].label}"
    assert [a.text() for a in window.region_actions if a.isChecked()] == ["Category scheme: UK"]
    assert window.hashsets.default_region() == "UK"  # sets imported now are read with the case's scheme

    window.set_region("US")
    assert uk_case.region() == "US" and window.gallery.region == "US"
    assert _notes(uk_case)[-1]["old"] == "UK" and _notes(uk_case)[-1]["new"] == "US"
    assert gui_settings.value("review/region") == "Canada"  # the workstation default is untouched
    assert [a.text() for a in window.region_actions if a.isChecked()] == ["Category scheme: US"]
    dialog = window.create_case()
    assert dialog.region.currentText() == "Canada"
    dialog.reject()

    window.set_session(None)  # closes the case; the window falls back to the workstation default
    assert window.gallery.region == "Canada"
    assert window.hashsets.default_region() == "Canada"
    window.set_region("UK")
    assert gui_settings.value("review/region") == "UK"
    assert wait_for_background()  # the views' background reloads answer before the window goes
    qtbot.wait(20)
