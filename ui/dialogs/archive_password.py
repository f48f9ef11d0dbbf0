"""The password of an archive whose encrypted members the examiner wants opened (a job re-runs it)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

EXPLANATION = (
    "Its encrypted members are opened, hashed, analysed and matched like any item; members that stay "
    "closed say why. The password goes to the job in memory and is kept for previews in this session "
    "only: it is never stored, and the custody log records whether it opened the members, not the "
    "password itself."
)


class ArchivePasswordDialog(QDialog):
    """Asks for the password of archive ``label`` (echo off)."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Supply password and re-run")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        explanation = QLabel(EXPLANATION, self)
        explanation.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Archive", QLabel(label, self))
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explanation)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        self.password.setFocus()
