"""Videos in the GUI: gallery tiles with the strip and length, copies stacked, the detail panel's strip
blurred until revealed (a custody entry), and findings on frames opening the strip at their frame.

The case is built once through the command line from the video evidence of ``tests/video_case.py``
(real clips, a photo cut into a clip with ffmpeg) and matched against a PDQ list of that photo and Meta's
reference vPDQ hashes of the chair clip (python-threatexchange's share convention, so that it matches).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from forensics.custody.log import read_entries
from tests.ui.conftest import EXAMINER, PASSPHRASE, REVIEW_PROFILE, install_examiner, run_cli
from tests.ui.screens import settle, shoot
from tests.video_case import CHAIR_LIST, STILL_SECONDS, build_video_evidence, still_pdq_list
from ui.adapter import FileFilter
from ui.models.gallery import VIDEO_ROLE
from ui.views.detail_panel import VIDEO_TAB, DetailPanel
from ui.views.findings_view import FindingsView
from ui.views.gallery_view import GalleryView


@pytest.fixture(scope="module")
def video_template(tmp_path_factory, gui_resources) -> tuple[Path, Path]:
    """(home, case) of a case of videos, ingested with the full profile's tasks and matched."""
    root = tmp_path_factory.mktemp("gui-video")
    home, case, library = root / "home", root / "case", root / "library.db"
    evidence = build_video_evidence(root / "evidence")
    stills = still_pdq_list(root / "stills.txt")
    for args in (
        ("examiner", "create", EXAMINER, "--agency", "Test Lab", "--badge", "T-2"),
        ("case", "create", str(case), "--number", "GUI-V", "--title", "Videos"),
        ("evidence", "add", str(case), str(evidence), "--item", "VID"),
        ("ingest", str(case), "--profile", REVIEW_PROFILE, "--workers", "2"),
        ("hashset", "import", str(stills), "--format", "pdq", "--name", "stills", "--library", str(library)),
        ("hashset", "import", str(CHAIR_LIST), "--library", str(library)),
        (
            "match",
            str(case),
            "--library",
            str(library),
            "--vpdq-listed-share",
            "0",
            "--vpdq-query-share",
            "80",
        ),
    ):
        done = run_cli(home, *args, resources=gui_resources)
        assert done.returncode == 0, f"custos {' '.join(args)}: {done.stderr}"
    return home, case


@pytest.fixture
def video_session(video_template, tmp_path):
    from ui.adapter import CaseSession

    home, template = video_template
    install_examiner(home)
    case = tmp_path / "case"
    shutil.copytree(template, case)
    opened = CaseSession.open(case, EXAMINER, PASSPHRASE)
    yield opened
    opened.close()


def _file_id(session, name: str) -> int:
    ids = session.file_ids(FileFilter(text=name))
    assert len(ids) == 1, name
    return ids[0]


def _reveals(session) -> list[tuple[str, str]]:
    return [
        (e.target["path"], e.details.get("view"))
        for e in read_entries(session.db)
        if e.action == "file_revealed"
    ]


def _sharpness(image: QImage) -> int:
    """Sum of absolute differences of neighbouring pixels along the middle row (a blurred frame has few)."""
    y = image.height() // 2
    row = [image.pixelColor(x, y).lightness() for x in range(image.width())]
    return sum(abs(a - b) for a, b in zip(row, row[1:], strict=False))


def test_gallery_tiles_show_videos_with_their_length_and_stack_copies(qtbot, video_session, screenshot_dir):
    view = GalleryView()
    qtbot.addWidget(view)
    view.set_session(video_session)
    view.load_now()
    entries = {entry.name: entry for entry in view.model.entries}
    chair = entries.get("chair-20-sd-bar.mp4") or entries["chair-copy-small.mp4"]
    assert chair.stacked == 2  # the original and its smaller re-encoding: one clip
    assert "still_in_video.mp4" in entries and "anim.gif" in entries
    assert "audio.mp3" not in entries and "note.txt" not in entries  # no picture to show
    row = view.model.entries.index(chair)
    index = view.model.index(row)
    assert view.model.data(index, VIDEO_ROLE) == pytest.approx(20.48, abs=0.05)
    assert "video, 20.5 s" in view.model.data(index, 3)  # tooltip
    shoot(view, screenshot_dir, "video-gallery", sizes=((1366, 768),))


def test_detail_panel_strip_is_blurred_until_revealed_and_opens_at_a_matched_frame(
    qtbot, video_session, screenshot_dir
):
    panel = DetailPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 760)
    panel.show()
    panel.set_session(video_session)
    still = _file_id(video_session, "still_in_video.mp4")
    panel.set_file(still)
    qtbot.waitUntil(lambda: "Matched at" in panel.findings.toPlainText(), timeout=15000)
    assert "h264" in panel.meta.toPlainText() and "frames_hashed" in panel.meta.toPlainText()
    assert "0:03" in panel.findings.toPlainText() and "3 of 8 sampled frames" in panel.findings.toPlainText()

    panel.setCurrentIndex(1)
    shoot(panel, screenshot_dir, "video-detail-findings", sizes=((900, 760),))
    panel.setCurrentIndex(0)
    shoot(panel, screenshot_dir, "video-detail-metadata", sizes=((900, 760),))

    panel.open_strip_at(STILL_SECONDS[1])  # a finding's matched time: the strip opens at that frame
    assert panel.currentIndex() == VIDEO_TAB
    qtbot.waitUntil(lambda: len(panel.video.pictures) == 20, timeout=15000)
    position = panel.video.slider.value()
    shown = panel.video.pictures[position].timestamp_s
    assert abs(shown - STILL_SECONDS[1]) == min(
        abs(p.timestamp_s - STILL_SECONDS[1]) for p in panel.video.pictures
    )
    assert panel.video.marks and "(blurred)" in panel.video.caption.text()
    blurred = panel.video.frame.pixmap().toImage()
    shoot(panel, screenshot_dir, "video-strip-blurred", sizes=((900, 760),))

    assert _reveals(video_session) == []
    panel.video.reveal_button.click()
    settle()
    assert "(blurred)" not in panel.video.caption.text() and not panel.video.reveal_button.isEnabled()
    sharp = panel.video.frame.pixmap().toImage()
    assert _sharpness(sharp) > 2 * _sharpness(blurred)
    qtbot.waitUntil(
        lambda: _reveals(video_session) == [("/clips/still_in_video.mp4", "detail")], timeout=10000
    )
    shoot(panel, screenshot_dir, "video-strip-revealed", sizes=((900, 760),))

    note = _file_id(video_session, "note.txt")
    panel.set_file(note)
    panel.setCurrentIndex(VIDEO_TAB)
    qtbot.waitUntil(lambda: "No frame strip" in panel.video.frame.text(), timeout=10000)


def test_findings_view_opens_a_video_finding_at_its_frame(qtbot, video_session, screenshot_dir):
    view = FindingsView()
    qtbot.addWidget(view)
    view.resize(1366, 768)
    view.show()
    view.set_session(video_session)
    qtbot.waitUntil(lambda: view.model.rowCount() >= 3, timeout=15000)
    algorithms = {view.model.record(row)["algorithm"] for row in range(view.model.rowCount())}
    assert algorithms == {"vpdq", "pdq-frame"}
    frame_row = next(
        row for row in range(view.model.rowCount()) if view.model.record(row)["algorithm"] == "pdq-frame"
    )
    view.table.selectRow(frame_row)
    qtbot.waitUntil(lambda: len(view.strip.pictures) == 20, timeout=15000)
    assert view.strip.isVisibleTo(view) and not view.thumbnail.isVisibleTo(view)
    shown = view.strip.pictures[view.strip.slider.value()].timestamp_s
    assert abs(shown - STILL_SECONDS[0]) < 1.0 and "(blurred)" in view.strip.caption.text()
    entry = view.entry_info.toPlainText()
    assert "Video match" in entry and "3 of 8 sampled frames" in entry and "0:03.0, 0:04.0, 0:05.0" in entry
    shoot(view, screenshot_dir, "video-findings", sizes=((1366, 768),))
    view.strip.reveal_button.click()
    qtbot.waitUntil(
        lambda: _reveals(video_session) == [("/clips/still_in_video.mp4", "findings")], timeout=10000
    )
