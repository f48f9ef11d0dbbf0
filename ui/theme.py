"""Look and feel: the Fusion style (follows the system's light/dark palette) and the Custos style sheet."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from forensics.core.resources import resource_path

_APPLIED = "custosThemeApplied"
ALERT_COLOR = "#c62828"  # hash-set alerts (the style sheet's error red)


def apply_theme(app: QApplication) -> None:
    """Apply once: Fusion style plus ``resources/ui/custos.qss`` (sizes and status colours)."""
    if app.property(_APPLIED):
        return
    app.setStyle("Fusion")
    sheet = resource_path("ui", "custos.qss")
    if sheet.is_file():
        app.setStyleSheet(sheet.read_text(encoding="utf-8"))
    app.setProperty(_APPLIED, True)
