"""High-DPI: the main window and the gallery under ``QT_SCALE_FACTOR=2`` (offscreen, and X11 under xvfb).

The scale factor must be set before the QApplication exists, so each run is a child process: this file
run as a module (``python -m tests.ui.test_highdpi OUT CASE``) opens the case in the main window, shows
the gallery, reveals one tile, saves screenshots at 1366x768 and 1920x1080 and writes what it measured
to ``OUT/measures.json``. The tests compare a scale-2 run with a scale-1 run: logical sizes (tiles,
header bands, fonts) are equal, grabbed pixmaps are twice as large, and the revealed thumbnail is drawn
at device resolution (pixel for pixel the tile pixmap the model made, not an upscaled 1x picture).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ui.conftest import EXAMINER, PASSPHRASE, REPO

REVEALED = "DSCN0010.jpg"


def _probe(out: Path, case_dir: Path, scale: int, platform: str) -> dict:
    """Run :func:`main` in a child process at ``scale`` on ``platform``; returns its measures."""
    env = dict(os.environ, QT_SCALE_FACTOR=str(scale), QT_QPA_PLATFORM=platform)
    env.pop("QT_SCREEN_SCALE_FACTORS", None)
    command = [sys.executable, "-m", "tests.ui.test_highdpi", str(out), str(case_dir)]
    if platform == "xcb":
        command = ["xvfb-run", "-a", "-s", "-screen 0 3840x2160x24", *command]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((out / "measures.json").read_text(encoding="utf-8"))


@pytest.fixture
def baseline(ingested_case, tmp_path) -> dict:
    return _probe(tmp_path / "scale1", ingested_case, 1, "offscreen")


@pytest.mark.parametrize("platform", ["offscreen", "xcb"])
def test_gallery_at_scale_two_is_sharp_and_scaled(
    platform, baseline, ingested_case, tmp_path, screenshot_dir
):
    if platform == "xcb" and shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed")
    out = screenshot_dir / f"highdpi-{platform}-x2"
    scaled = _probe(out, ingested_case, 2, platform)
    assert baseline["ratio"] == 1.0 and scaled["ratio"] == 2.0
    # Logical geometry is the same: tiles, header bands and font heights all scale with the screen.
    for key in ("cell", "header_height", "font_height", "header_font_height", "thumbnail_logical"):
        assert scaled[key] == baseline[key], key
    # Grabs hold real pixels: twice the logical size in each direction.
    assert scaled["grab"] == [2 * v for v in scaled["grid_logical"]]
    assert baseline["grab"] == baseline["grid_logical"]
    # Tile pixmaps are made at device resolution and say so.
    assert scaled["thumbnail_pixmap"] == [300, 300, 2.0]
    assert baseline["thumbnail_pixmap"] == [150, 150, 1.0]
    # The revealed thumbnail on screen is the pixmap pixel for pixel; an upscaled 1x tile would not be.
    assert scaled["diff_device"] < 3.0, scaled
    assert scaled["diff_upscaled"] > 2 * scaled["diff_device"] + 1.0, scaled
    for name in ("window-gallery-1366x768.png", "window-gallery-1920x1080.png", "gallery-grid.png"):
        assert (out / name).stat().st_size > 10_000
    assert scaled["window_grab"] == [2 * 1920, 2 * 1080]


# -- the child process ------------------------------------------------------------------------------------
def _mean_difference(a, b) -> float:
    """Mean absolute difference per channel of two equally sized QImages (0 = identical)."""
    import numpy as np

    def array(image):
        from PySide6.QtGui import QImage

        image = image.convertToFormat(QImage.Format.Format_RGB888)
        data = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
        return data[:, : image.width() * 3].astype(np.int16)

    return float(np.abs(array(a) - array(b)).mean())


def _thumbnail_measures(gallery) -> dict:
    """Compare the revealed tile as grabbed with the model's pixmap (and with a 1x-upscaled version)."""
    from PySide6.QtCore import QRect, Qt

    from ui.views.gallery_delegate import thumbnail_rect

    grid, model = gallery.grid, gallery.model
    row = next(i for i, e in enumerate(model.entries) if e.name == REVEALED)
    index = model.index(row, 0)
    grid.selectionModel().clearSelection()
    grab = grid.viewport().grab()
    ratio = grab.devicePixelRatio()
    pixmap = index.data(Qt.ItemDataRole.DecorationRole)
    thumb = thumbnail_rect(grid.visualRect(index))
    # The middle of the picture (the letterbox of a 4:3 photo is translucent, so it is left out).
    inner = QRect(50, 100, 200, 100) if ratio == 2 else QRect(25, 50, 100, 50)
    on_screen = grab.toImage().copy(
        QRect(
            round(thumb.x() * ratio) + inner.x(),
            round(thumb.y() * ratio) + inner.y(),
            inner.width(),
            inner.height(),
        )
    )
    source = pixmap.toImage()
    upscaled = source.scaled(source.width() // 2, source.height() // 2).scaled(
        source.width(), source.height()
    )
    return {
        "ratio": ratio,
        "grab": [grab.width(), grab.height()],
        "grid_logical": [grid.viewport().width(), grid.viewport().height()],
        "thumbnail_pixmap": [pixmap.width(), pixmap.height(), pixmap.devicePixelRatio()],
        "thumbnail_logical": [thumb.width(), thumb.height()],
        "diff_device": _mean_difference(on_screen, source.copy(inner)),
        "diff_upscaled": _mean_difference(on_screen, upscaled.copy(inner)),
    }


def main(out: Path, case_dir: Path) -> None:
    """Open the case in the main window at the scale in force; screenshots and measures into ``out``."""
    from PySide6.QtCore import QItemSelectionModel, QSettings
    from PySide6.QtGui import QFontMetrics

    from tests.ui.screens import settle, shoot
    from ui.adapter import CaseSession
    from ui.app import make_application
    from ui.main_window import MainWindow

    out.mkdir(parents=True, exist_ok=True)
    app = make_application()
    window = MainWindow(QSettings(str(out / "settings.ini"), QSettings.Format.IniFormat))
    window.show()
    window.set_session(CaseSession.open(case_dir, EXAMINER, PASSPHRASE))
    window.show_tab(1)
    gallery = window.gallery
    gallery.load_now()
    row = next(i for i, e in enumerate(gallery.model.entries) if e.name == REVEALED)
    gallery.grid.selectionModel().select(
        gallery.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
    )
    gallery.reveal_selected()
    shoot(window, out, "window-gallery")  # 1366x768 then 1920x1080
    window_grab = window.grab()
    settle()
    metrics = gallery.grid.metrics()
    measures = {
        "platform": app.platformName(),
        "cell": [metrics.cell_width, metrics.cell_height],
        "header_height": metrics.header_height,
        "font_height": gallery.grid.fontMetrics().height(),
        "header_font_height": QFontMetrics(gallery.grid.header_font()).height(),
        "window_grab": [window_grab.width(), window_grab.height()],
        **_thumbnail_measures(gallery),
    }
    assert gallery.grid.viewport().grab().save(str(out / "gallery-grid.png"))
    (out / "measures.json").write_text(json.dumps(measures, indent=1), encoding="utf-8")
    from ui.workers import wait_for_background

    wait_for_background()
    window.set_session(None)
    window.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
