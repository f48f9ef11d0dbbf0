"""Start the GUI: one QApplication, the style sheet, the system palette, the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ui.main_window import MainWindow
from ui.theme import apply_theme


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), named for QSettings, with the Custos style sheet."""
    app = QApplication.instance()
    if app is None:
        # Crisp at fractional scale factors (125 %, 150 %): no rounding of the device pixel ratio.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        QCoreApplication.setOrganizationName("Custos")
        QCoreApplication.setApplicationName("Custos")
        app = QApplication(argv if argv is not None else sys.argv[:1])
    apply_theme(app)
    return app


def run(case_dir: str | None = None) -> int:
    """Show the main window (the start screen, or the open-case dialog for ``case_dir``)."""
    app = make_application()
    window = MainWindow()
    window.show()
    if case_dir:
        window.open_case(case_dir)
    return app.exec()
