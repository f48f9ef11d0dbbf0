"""Add evidence: choose an image (file dialog or drag and drop), see what it holds, fill the intake form.

The survey runs in a child process (``custos evidence survey``): the GUI never opens an unknown image with
native parsers itself. Accepting the dialog hands back the intake; the main window then runs intake,
verification and ingest in the background.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from forensics.core.errors import CustosError
from forensics.core.local_times import TimeZoneError, check_time_zone
from forensics.pipeline.processing_profiles import (
    DEFAULT_PROFILE,
    available_profiles,
    describe_profile,
    load_profile,
)
from forensics.services import jobs
from forensics.services.jobs import JobStep
from ui import adapter
from ui.runner import CommandRunner

# (option of `custos evidence add`, label)
INTAKE_FIELDS: list[tuple[str, str]] = [
    ("description", "Description"),
    ("seal", "Seal / bag number"),
    ("seized_from", "Seized from"),
    ("seized_by", "Seized by"),
    ("seized_at", "Seized at (ISO-8601)"),
    ("received_by", "Received by"),
    ("device_make", "Device make"),
    ("device_model", "Device model"),
    ("device_serial", "Device serial"),
    ("storage_location", "Storage location"),
    ("acquisition_tool", "Acquisition tool"),
    ("acquisition_md5", "Acquisition MD5"),
    ("time_zone", "Source time zone"),
    ("notes", "Notes"),
]


def describe_extraction(survey: dict) -> str:
    """A phone extraction's survey as short readable lines."""
    facts = survey["extraction"]
    lines = [
        f"Phone extraction: {facts['description']}",
        f"  format {facts['format']}  ·  platform {facts['platform'] or 'unknown'}  ·  "
        f"{'encrypted: give its password' if facts['encrypted'] else 'not encrypted'}",
    ]
    if survey.get("media_size"):
        lines.append(f"  {survey['media_size']:,} bytes (hashed at intake)")
    for key, value in sorted(facts.get("device_info", {}).items()):
        lines.append(f"  device {key}: {value}")
    if facts.get("members_at_intake") is not None:
        lines.append(f"  members listed: {facts['members_at_intake']:,}")
    lines.extend(f"Warning: {warning}" for warning in survey.get("warnings", []))
    return "\n".join(lines)


def describe_survey(survey: dict) -> str:
    """The survey as short readable lines."""
    if not survey.get("ok"):
        return f"Cannot open this image: {survey.get('error')}"
    if survey.get("container") == "extraction":
        return describe_extraction(survey)
    lines = [
        f"Container: {survey['container']}  ·  {survey['media_size']:,} bytes  ·  "
        f"{len(survey['segments'])} segment(s)"
    ]
    for key, value in sorted(survey.get("header", {}).items()):
        lines.append(f"  header {key}: {value}")
    for algo, value in sorted(survey.get("stored_hashes", {}).items()):
        lines.append(f"  stored {algo.upper()}: {value}")
    if survey.get("volume_error"):
        lines.append(f"Warning: {survey['volume_error']}")
    lines.append(f"Volume system: {survey.get('volume_system') or 'none (file system at offset 0)'}")
    for p in survey.get("partitions", []):
        lines.append(f"  #{p['addr']} {p['kind']:<11} offset {p['offset']:>12,}  {p['description']}")
    for fs in survey.get("filesystems", []):
        state = fs["fs_type"] if fs["status"] == "ok" else f"{fs['status']}: {fs['error']}"
        lines.append(f"File system at {fs['offset']:,}: {state}")
    if not any(fs["status"] == "ok" for fs in survey.get("filesystems", [])):
        lines.append("Warning: no file system could be opened: only the media can be verified and kept.")
    return "\n".join(lines)


class AddEvidenceDialog(QDialog):
    """Image path, survey, item number, intake fields and processing profile."""

    def __init__(self, parent: QWidget | None = None, default_item: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Add evidence")
        self.setAcceptDrops(True)
        self.setMinimumSize(760, 560)
        self.survey: dict | None = None
        self._runner: CommandRunner | None = None

        self.path = QLineEdit(self)
        self.path.setPlaceholderText("Drop an image or folder here, or browse…")
        browse = QPushButton("Image…", self)
        browse.clicked.connect(self._browse_file)
        folder = QPushButton("Folder…", self)
        folder.clicked.connect(self._browse_folder)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        path_row.addWidget(folder)
        self.path.editingFinished.connect(lambda: self.set_path(self.path.text()))

        self.survey_text = QPlainTextEdit(self)
        self.survey_text.setReadOnly(True)
        self.survey_text.setPlaceholderText(
            "The container, E01 header, partitions and file systems show here."
        )
        survey_box = QGroupBox("What the image holds", self)
        QVBoxLayout(survey_box).addWidget(self.survey_text)

        self.item = QLineEdit(default_item, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("only for an encrypted phone extraction")
        self.password.setToolTip("Used in memory for this item's job only; never stored or logged.")
        self.profile = QComboBox(self)
        self.profile.addItems(available_profiles())
        self.profile.setCurrentText(DEFAULT_PROFILE)
        self.profile.currentTextChanged.connect(self._describe_profile)
        self.profile_text = QLabel(self)
        self.profile_text.setWordWrap(True)
        self._describe_profile(DEFAULT_PROFILE)
        self.fields: dict[str, QLineEdit] = {}
        intake = QGroupBox("Intake (custody record)", self)
        form = QFormLayout(intake)
        form.addRow("Evidence &item", self.item)
        form.addRow("Extraction pass&word", self.password)
        form.addRow("Processing &profile", self.profile)
        for key, label in INTAKE_FIELDS:
            edit = QLineEdit(self)
            self.fields[key] = edit
            form.addRow(label, edit)
        self.fields["time_zone"].setPlaceholderText("IANA name, e.g. Asia/Karachi; empty: unknown")
        self.fields["time_zone"].setToolTip(
            "The device's time zone: FAT and exFAT times are local clock times, shown in UTC only once "
            "it is known. It can be changed later (a custody entry)."
        )

        self.error = QLabel(self)
        self.error.setObjectName("errorLabel")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add and process")
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)

        profile_box = QGroupBox("What the processing profile does", self)  # beside the form: room to wrap
        QVBoxLayout(profile_box).addWidget(self.profile_text)
        left = QVBoxLayout()
        left.addWidget(survey_box, 1)
        left.addWidget(profile_box)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addWidget(intake, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(path_row)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    # -- choosing the image ---------------------------------------------------------------------------
    def _browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Evidence image",
            "",
            "Images (*.E01 *.e01 *.Ex01 *.dd *.raw *.img *.001 *.vmdk *.vhd *.qcow2 *.iso);;"
            "Phone extractions (*.zip *.tar *.tar.gz *.tgz *.ab *.ufdr *.ufd);;All files (*)",
        )
        if path:
            self.set_path(path)

    def _browse_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Folder of extracted files")
        if path:
            self.set_path(path)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        urls = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.set_path(urls[0])
            event.acceptProposedAction()

    def _describe_profile(self, name: str) -> None:
        """What the chosen profile runs and skips, under the choice."""
        try:
            runs, skips = describe_profile(load_profile(name))
        except CustosError:  # a broken profile file: the job itself will say what is wrong
            self.profile_text.setText("")
            return
        text = f"Runs: {', '.join(runs)}."
        if skips:
            text += f" Skips: {', '.join(skips)}."
        self.profile_text.setText(text)

    def set_path(self, path: str) -> None:
        """Survey ``path`` in a child process; the result fills the survey panel."""
        if not path or (self.survey and self.survey.get("input") == path):
            return
        self.path.setText(path)
        self.survey = None
        self.survey_text.setPlainText("Reading the image…")
        runner = CommandRunner(jobs.survey(path), adapter.job_environment("", None), self)
        runner.finished.connect(lambda _code, r=runner, p=path: self._surveyed(r, p))
        self._runner = runner
        runner.start()

    def _surveyed(self, runner: CommandRunner, path: str) -> None:
        if runner is not self._runner:
            return
        survey: dict = {"ok": False, "error": "\n".join(runner.output[-5:]) or "no answer"}
        for line in reversed(runner.output):
            try:
                survey = json.loads(line)
                break
            except ValueError:
                continue
        survey["input"] = path
        self.survey = survey
        self.survey_text.setPlainText(describe_survey(survey))
        if survey.get("ok") and not self.item.text():
            self.item.setText(Path(path).stem)

    # -- result ---------------------------------------------------------------------------------------
    def problem(self) -> str | None:
        if not self.survey:
            return "Choose an image and wait for it to be read."
        if not self.survey.get("ok"):
            return "This image cannot be opened."
        if not self.item.text().strip():
            return "Give the evidence item number."
        if self.survey.get("encrypted") and not self.password.text():
            return "The extraction is encrypted: give its password."
        zone = self.fields["time_zone"].text().strip()
        if zone:
            try:
                check_time_zone(zone)
            except TimeZoneError as exc:
                return str(exc)
        return None

    def _check(self) -> None:
        message = self.problem()
        if message:
            self.error.setText(message)
            return
        self.accept()

    def intake(self) -> dict[str, str]:
        return {key: edit.text().strip() for key, edit in self.fields.items() if edit.text().strip()}

    def container(self) -> str | None:
        """The container as the job steps see it: an extraction without one file to verify is a folder."""
        survey = self.survey or {}
        if survey.get("container") == "extraction" and not survey.get("verifiable"):
            return "folder"
        return survey.get("container")

    def evidence_password(self) -> str | None:
        """The extraction's password for this item's job (in memory only), None when none is needed."""
        return self.password.text() or None if (self.survey or {}).get("encrypted") else None

    def add_step(self, case_dir: str) -> JobStep:
        """The intake step (``custos evidence add``) for what the examiner entered."""
        return jobs.add_evidence(case_dir, self.path.text(), self.item.text().strip(), self.intake())
