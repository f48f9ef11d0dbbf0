"""Dialogs of cases on a PostgreSQL case server: connecting to a case known by its server, and the
database password the server asks for (masked, never written to the settings or any file)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui import adapter
from ui.dialogs.case_dialogs import _folder_row

DEFAULT_PORT = 5432
SETTINGS_SERVER = "server/"  # QSettings group of the last server's host, port and database (no secrets)


class ConnectServerDialog(QDialog):
    """Host, port and database of a case on a server; the examiner, their login role (by default the
    examiner's own) and the passphrase of their signing key; the case's folder on this workstation."""

    def __init__(
        self,
        parent: QWidget | None = None,
        examiner: str | None = None,
        host: str = "",
        port: int = DEFAULT_PORT,
        database: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to a case server")
        self.setMinimumWidth(560)
        self.host = QLineEdit(host, self)
        self.host.setPlaceholderText("pg.lab.example")
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(port)
        self.database = QLineEdit(database, self)
        self.database.setPlaceholderText("custos_2026_0042_3fa2c1d0")
        self.examiner = QComboBox(self)
        self.examiner.addItems(adapter.examiner_names())
        if examiner:
            self.examiner.setCurrentText(examiner)
        self.role = QLineEdit(self)
        self.role.setToolTip("The PostgreSQL role you log in as; the lab admin created it for you")
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setToolTip("Unlocks your signing key (custody log); not the database password")
        self.folder = QLineEdit(self)
        self.folder.setToolTip("Where this workstation keeps the case's folder (notes, exports, reports)")
        self._role_edited = False
        self._folder_edited = False
        self.error = QLabel(self)
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        note = QLabel(
            "The database password is asked when the server wants it. It is never written to the settings "
            "or to a file.",
            self,
        )
        note.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&Host", self.host)
        form.addRow("&Port", self.port)
        form.addRow("&Database", self.database)
        form.addRow("&Examiner", self.examiner)
        form.addRow("&Role", self.role)
        form.addRow("Pass&phrase", self.passphrase)
        form.addRow("Case &folder", _folder_row(self, self.folder, "Folder for the case on this workstation"))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.examiner.currentTextChanged.connect(self._examiner_changed)
        self.role.textEdited.connect(lambda _t: setattr(self, "_role_edited", True))
        self.database.textChanged.connect(self._database_changed)
        self.folder.textEdited.connect(lambda _t: setattr(self, "_folder_edited", True))
        self._examiner_changed(self.examiner.currentText())
        self._database_changed(self.database.text())

    def _examiner_changed(self, name: str) -> None:
        """The role follows the examiner until the examiner types another."""
        if not self._role_edited:
            self.role.setText(adapter.examiner_role(name) if name.strip() else "")

    def _database_changed(self, name: str) -> None:
        if not self._folder_edited:
            self.folder.setText(adapter.server_case_folder(name.strip()) if name.strip() else "")

    def problem(self) -> str | None:
        """What is missing, or None when the form can be submitted."""
        if not self.host.text().strip() or not self.database.text().strip():
            return "Give the server's host and the case's database."
        if not self.examiner.currentText().strip():
            return "Choose the examiner (create their profile with a new case first)."
        if not self.role.text().strip():
            return "Give the role you log in as."
        if not self.passphrase.text():
            return "Give the passphrase of your signing key."
        if not self.folder.text().strip():
            return "Choose a folder for the case on this workstation."
        return None

    def _check(self) -> None:
        message = self.problem()
        if message:
            self.error.setText(message)
            return
        self.accept()

    def values(self) -> dict:
        return {
            "host": self.host.text().strip(),
            "port": self.port.value(),
            "database": self.database.text().strip(),
            "folder": self.folder.text().strip(),
            "examiner": self.examiner.currentText().strip(),
            "passphrase": self.passphrase.text(),
            "role": self.role.text().strip(),
        }


class DatabasePasswordDialog(QDialog):
    """The password of ``role`` on a case server: masked; "remember in the system keyring" offered only
    where a keyring can keep it; ``reason`` tells why it is asked (again)."""

    def __init__(self, server: str, role: str, reason: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Case server password")
        self.setMinimumWidth(460)
        self.server, self.role = server, role
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.keep = QCheckBox("Remember in the system &keyring", self)
        self.keep.setToolTip("Kept by the operating system's keyring, never in a file of Custos")
        self.keep.setVisible(adapter.keyring_available())
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        if reason == "wrong password":
            self.reason.setObjectName("errorLabel")
            self.reason.setText("The server refused the password. Try again.")
        else:
            self.reason.setText("The case server asks for your database password.")
        form = QFormLayout()
        form.addRow("Server", QLabel(server, self))
        form.addRow("Role", QLabel(role, self))
        form.addRow("&Password", self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.reason)
        layout.addLayout(form)
        layout.addWidget(self.keep)
        layout.addWidget(buttons)
        self.password.setFocus()
