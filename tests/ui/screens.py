"""Screenshots of GUI screens at the two sizes the issue asks about (1366x768 and 1920x1080)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

SIZES = ((1366, 768), (1920, 1080))


def settle(rounds: int = 5) -> None:
    for _ in range(rounds):
        QApplication.processEvents()


def shoot(widget: QWidget, folder: Path, name: str, sizes=SIZES) -> list[Path]:
    """Resize ``widget`` to each size, let it lay out, and save ``NAME-WxH.png``; returns the files."""
    saved = []
    for width, height in sizes:
        widget.resize(width, height)
        settle()
        path = folder / f"{name}-{width}x{height}.png"
        assert widget.grab().save(str(path)), path
        saved.append(path)
    return saved
