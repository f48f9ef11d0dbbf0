"""Hash-set manager: an import shows a bar with records done of the total, can be cancelled, and errors show.

The lists are generated here (``write_hex_list``): ``count`` distinct 32-digit hex values, one per line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from forensics.hashsets.importer import BATCH_SIZE
from tests.ui.screens import shoot
from ui import adapter
from ui.jobs import JobState
from ui.views.hashset_view import BAR_STEPS, HashSetView, bar_fraction, error_line, import_status
from ui.workers import wait_for_background


def write_hex_list(path: Path, count: int) -> Path:
    path.write_text("".join(f"{i:032x}\n" for i in range(count)), encoding="ascii")
    return path


@pytest.fixture
def view(qtbot) -> Iterator[HashSetView]:
    """The manager at 1366x768; its last background reload is answered before it is destroyed (so it is
    not given to ``qtbot.addWidget``, which destroys widgets before fixtures end)."""
    shown = HashSetView()
    shown.resize(1366, 768)
    shown.show()
    yield shown
    assert wait_for_background()
    qtbot.wait(20)
    shown.close()
    shown.deleteLater()


def test_status_line_and_bar_of_each_phase() -> None:
    counting = JobState("s", phase="counting", bytes_done=5_000_000, bytes_total=20_000_000, running=True)
    counting.rate_bytes, counting.eta_seconds = 50e6, 0.3
    assert (
        import_status(counting, None)
        == "Counting records: 5.0 MB / 20.0 MB read  ·  50.0 MB/s  ·  0:00:00 left"
    )
    assert bar_fraction(counting) == 0.25
    importing = JobState("s", phase="importing", items_done=40_000, items_total=160_000, running=True)
    importing.eta_seconds, importing.errors = 75.0, 3
    assert import_status(importing, 1600.4) == (
        "Importing: 40,000 / 160,000 records  ·  1,600 records/s  ·  0:01:15 left  ·  3 malformed"
    )
    assert bar_fraction(importing) == 0.25
    assert bar_fraction(JobState("s", phase="importing", items_done=9)) is None  # no total: a busy bar
    finishing = JobState("s", phase="finishing", items_done=160_000, items_total=160_000)
    assert import_status(finishing, None).startswith("Finishing: 160,000 records read")
    assert bar_fraction(finishing) is None
    assert error_line(["x", "custos: error: list.txt: format not recognised", "y"]) == (
        "list.txt: format not recognised"
    )


def test_import_reports_progress_and_lists_the_set(
    qtbot, view: HashSetView, tmp_path: Path, screenshot_dir: Path
) -> None:
    records = BATCH_SIZE * 3 + 7
    source = write_hex_list(tmp_path / "list.txt", records)
    job = view.start_import(str(source), "Big list", "alert")
    seen: list[tuple[str, int, int | None, str, int, int]] = []
    job.changed.connect(
        lambda _item: seen.append(
            (
                job.state.phase,
                job.state.items_done,
                job.state.items_total,
                view.import_panel.label.text(),
                view.import_panel.bar.maximum(),
                view.import_panel.bar.value(),
            )
        )
    )
    qtbot.waitUntil(lambda: not job.state.running, timeout=60000)
    assert job.state.outcome == "done"
    importing = [s for s in seen if s[0] == "importing" and s[1] > 0]
    assert importing and all(s[2] == records for s in importing)
    first = importing[0]
    assert first[3].startswith(f"Importing: {first[1]:,} / {records:,} records")
    assert first[4] == BAR_STEPS and first[5] == round(first[1] / records * BAR_STEPS)
    assert "finishing" in [s[0] for s in seen]
    qtbot.waitUntil(lambda: view.sets.count() == 1, timeout=10000)
    [info] = adapter.hash_sets()
    assert (info["name"], info["entry_count"], info["complete"]) == ("Big list", records, True)
    assert view.status.text() == "Imported Big list." and view.import_panel.isHidden()

    # A still picture of the bar at a fixed state, for a person to look at.
    shown = JobState(
        "NSRL minimal", phase="importing", items_done=240_000, items_total=1_000_000, running=True
    )
    shown.eta_seconds = 95.0
    view.import_panel.show()
    view.import_panel.show_state(shown)
    view.status.setText("Importing NSRL minimal…")
    shoot(view, screenshot_dir, "hashset-import-progress", sizes=((1366, 768),))


def test_cancel_stops_the_child_and_leaves_no_set(qtbot, view: HashSetView, tmp_path: Path) -> None:
    source = write_hex_list(tmp_path / "huge.txt", 600_000)
    job = view.start_import(str(source), "Huge list", "alert")
    codes: list[int] = []
    job.step_finished.connect(lambda _item, _label, code: codes.append(code))
    qtbot.waitUntil(lambda: job.state.phase == "importing" and job.state.items_done > 0, timeout=60000)
    view.cancel_import()
    qtbot.waitUntil(lambda: not job.state.running, timeout=60000)
    assert job.state.outcome == "cancelled" and codes == [3]
    assert job.state.items_done < 600_000
    assert "cancelled; nothing was added" in view.status.text()
    assert adapter.hash_sets() == []  # unfinished imports included: the staged rows were deleted


def test_a_failed_import_says_why(qtbot, view: HashSetView, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("meeting at the harbour, 9pm\n", encoding="ascii")
    job = view.start_import(str(source), "Notes", "alert")
    qtbot.waitUntil(lambda: not job.state.running, timeout=60000)
    assert job.state.outcome.startswith("failed")
    assert "format not recognised" in view.status.text()
    assert view.status.objectName() == "errorLabel"
    assert adapter.hash_sets() == []


def test_closing_the_window_cancels_a_running_import_cleanly(
    qtbot, view: HashSetView, tmp_path: Path
) -> None:
    job = view.start_import(str(write_hex_list(tmp_path / "huge.txt", 600_000)), "Huge list", "alert")
    qtbot.waitUntil(lambda: job.state.phase == "importing" and job.state.items_done > 0, timeout=60000)
    view.shutdown()
    assert job.runner.process.exitCode() == 3  # the child's own "cancelled" exit, not a kill
    assert adapter.hash_sets() == []


def test_a_killed_import_is_listed_unfinished_and_can_be_removed(
    qtbot, view: HashSetView, tmp_path: Path
) -> None:
    job = view.start_import(str(write_hex_list(tmp_path / "huge.txt", 600_000)), "Killed list", "alert")
    qtbot.waitUntil(lambda: job.state.phase == "importing" and job.state.items_done > 0, timeout=60000)
    job.runner.process.kill()  # as a power cut or a crash would: no chance to clean up
    qtbot.waitUntil(lambda: not job.state.running, timeout=30000)
    qtbot.waitUntil(lambda: view.sets.count() == 1, timeout=10000)
    item = view.sets.item(0)
    assert item.text().endswith("[INCOMPLETE]")
    assert item.checkState() == Qt.CheckState.Unchecked  # never offered for matching
    view.sets.setCurrentItem(item)
    assert view.remove_button.isEnabled()
    runner = view.remove(item.data(Qt.ItemDataRole.UserRole))
    qtbot.waitUntil(lambda: not runner.running and view.sets.count() == 0, timeout=30000)
    assert adapter.hash_sets() == []
