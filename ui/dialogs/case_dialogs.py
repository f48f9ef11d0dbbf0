"""Dialogs to create a case (and, if needed, the examiner's profile) and to open one."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui import adapter

MIN_PASSPHRASE = 8


def _folder_row(parent: QWidget, edit: QLineEdit, title: str) -> QWidget:
    row = QWidget(parent)
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    browse = QPushButton("Browse…", row)
    browse.clicked.connect(lambda: _choose_folder(parent, edit, title))
    layout.addWidget(browse)
    return row


def _choose_folder(parent: QWidget, edit: QLineEdit, title: str) -> None:
    path = QFileDialog.getExistingDirectory(parent, title, edit.text())
    if path:
        edit.setText(path)


class CreateCaseDialog(QDialog):
    """Case number, title, agency, folder, category region; the examiner and the passphrase of their key.

    ``region`` is the workstation's default category region, offered first.
    """

    def __init__(self, parent: QWidget | None = None, region: str = "US") -> None:
        super().__init__(parent)
        self.setWindowTitle("New case")
        self.setMinimumWidth(520)
        self.folder = QLineEdit(self)
        self.number = QLineEdit(self)
        self.title_edit = QLineEdit(self)
        self.agency = QLineEdit(self)
        self.region = QComboBox(self)
        self.region.addItems(adapter.category_regions())
        self.region.setCurrentText(region)
        self.region.setToolTip("VICS category scheme of the review: the gallery's number keys use it")
        self.examiner = QComboBox(self)
        self.examiner.setEditable(True)
        self.examiner.addItems(adapter.examiner_names())
        self.badge = QLineEdit(self)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit(self)
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(self)
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Case &number", self.number)
        form.addRow("Case &title", self.title_edit)
        form.addRow("&Agency", self.agency)
        form.addRow("Case &folder", _folder_row(self, self.folder, "Folder for the new case"))
        form.addRow("Category &region", self.region)
        form.addRow("&Examiner", self.examiner)
        self.badge_label = QLabel("Badge / ID (new examiner)", self)
        form.addRow(self.badge_label, self.badge)
        form.addRow("&Passphrase", self.passphrase)
        self.confirm_label = QLabel("Confirm passphrase", self)
        form.addRow(self.confirm_label, self.confirm)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create case")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.examiner.currentTextChanged.connect(self._examiner_changed)
        self._examiner_changed(self.examiner.currentText())

    @property
    def is_new_examiner(self) -> bool:
        return self.examiner.currentText().strip() not in adapter.examiner_names()

    def _examiner_changed(self, _text: str) -> None:
        new = self.is_new_examiner
        for widget in (self.badge, self.badge_label, self.confirm, self.confirm_label):
            widget.setVisible(new)

    def problem(self) -> str | None:
        """What is missing or wrong, or None when the form can be submitted."""
        if not self.number.text().strip() or not self.title_edit.text().strip():
            return "A case needs a number and a title."
        if not self.folder.text().strip():
            return "Choose a folder for the case."
        if not self.examiner.currentText().strip():
            return "Name the examiner."
        if len(self.passphrase.text()) < MIN_PASSPHRASE:
            return f"The passphrase needs at least {MIN_PASSPHRASE} characters."
        if self.is_new_examiner:
            if not self.agency.text().strip() or not self.badge.text().strip():
                return "A new examiner needs an agency and a badge/ID."
            if self.passphrase.text() != self.confirm.text():
                return "The passphrases differ."
        return None

    def _check(self) -> None:
        message = self.problem()
        if message:
            self.error.setText(message)
            return
        self.accept()

    def values(self) -> dict:
        return {
            "case_dir": self.folder.text().strip(),
            "number": self.number.text().strip(),
            "title": self.title_edit.text().strip(),
            "agency": self.agency.text().strip() or None,
            "region": self.region.currentText(),
            "examiner": self.examiner.currentText().strip(),
            "badge": self.badge.text().strip(),
            "passphrase": self.passphrase.text(),
            "new_examiner": self.is_new_examiner,
        }


class OpenCaseDialog(QDialog):
    """Which examiner opens the case, and the passphrase that unlocks their signing key."""

    def __init__(self, case_dir: str, parent: QWidget | None = None, examiner: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open case")
        self.case_dir = case_dir
        self.examiner = QComboBox(self)
        self.examiner.addItems(adapter.examiner_names())
        if examiner:
            self.examiner.setCurrentText(examiner)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("Case", QLabel(case_dir, self))
        form.addRow("&Examiner", self.examiner)
        form.addRow("&Passphrase", self.passphrase)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.passphrase.setFocus()

    def values(self) -> tuple[str, str]:
        return self.examiner.currentText(), self.passphrase.text()
