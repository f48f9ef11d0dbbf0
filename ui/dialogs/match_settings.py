"""Match thresholds dialog: the distances, quality gates and vPDQ shares a match runs with.

Each perceptual threshold shows the false-match rate measured for it on unrelated real photos (the
calibration the report quotes); the vPDQ shares are Meta's rule, both settable as in ``custos match``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from forensics.hashsets.calibration import rate_statement
from forensics.hashsets.hits import MatchSettings

PDQ_MAX = 128  # bits: half of PDQ's 256, past any useful threshold
SHORT_HASH_MAX = 32  # bits: half of pHash/dHash's 64


def _spin(low: int, high: int, value: int, parent: QWidget) -> QSpinBox:
    box = QSpinBox(parent)
    box.setRange(low, high)
    box.setValue(value)
    return box


def _share(value: float, parent: QWidget) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(0.0, 100.0)
    box.setDecimals(1)
    box.setSingleStep(5.0)
    box.setSuffix(" %")
    box.setValue(value)
    return box


class _OptionalThreshold(QWidget):
    """A pHash/dHash threshold that can be left out (the algorithm then is not compared)."""

    def __init__(self, value: int | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.enabled = QCheckBox("compare", self)
        self.spin = _spin(0, SHORT_HASH_MAX, 8 if value is None else value, self)
        self.enabled.toggled.connect(self.spin.setEnabled)
        self.enabled.setChecked(value is not None)
        self.spin.setEnabled(value is not None)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.enabled)
        row.addWidget(self.spin, 1)

    def value(self) -> int | None:
        return self.spin.value() if self.enabled.isChecked() else None


class MatchSettingsDialog(QDialog):
    """Edits a :class:`MatchSettings`; :meth:`settings` gives what the examiner chose."""

    def __init__(self, settings: MatchSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Match thresholds")
        self.setMinimumWidth(560)
        current = settings or MatchSettings()
        pictures = QGroupBox("Pictures and video frames against picture lists", self)
        self.pdq = _spin(0, PDQ_MAX, current.pdq_threshold, pictures)
        self.pdq_quality = _spin(0, 100, current.pdq_min_quality, pictures)
        self.phash = _OptionalThreshold(current.phash_threshold, pictures)
        self.dhash = _OptionalThreshold(current.dhash_threshold, pictures)
        self.gate = QCheckBox("compare pHash/dHash only where PDQ's quality passes its minimum", pictures)
        self.gate.setChecked(current.gate_64bit)
        self.regions = QCheckBox("also match content regions (inside borders, screenshots, grids)", pictures)
        self.regions.setChecked(current.regions)
        self.rates = QLabel(pictures)
        self.rates.setWordWrap(True)
        self.rates.setObjectName("mutedLabel")
        form = QFormLayout(pictures)
        form.addRow("PDQ: at most (bits)", self.pdq)
        form.addRow("PDQ: minimum quality", self.pdq_quality)
        form.addRow("pHash: at most (bits)", self.phash)
        form.addRow("dHash: at most (bits)", self.dhash)
        form.addRow(self.gate)
        form.addRow(self.regions)
        form.addRow(self.rates)
        videos = QGroupBox("Videos against vPDQ lists (Meta's rule)", self)
        self.vpdq = _spin(0, PDQ_MAX, current.vpdq_threshold, videos)
        self.vpdq_quality = _spin(0, 100, current.vpdq_min_quality, videos)
        self.listed_share = _share(current.vpdq_listed_share, videos)
        self.query_share = _share(current.vpdq_query_share, videos)
        video_form = QFormLayout(videos)
        video_form.addRow("Frame pairs: at most (bits)", self.vpdq)
        video_form.addRow("Frames: minimum quality", self.vpdq_quality)
        video_form.addRow("Listed video's frames matched: at least", self.listed_share)
        video_form.addRow("Case video's frames matched: at least", self.query_share)
        note = QLabel(
            "Meta's defaults: 80 % of the listed video's frames, 0 % of the case video's. Both shares, like "
            "every threshold here, are recorded with each finding, in the custody log and in the report.",
            videos,
        )
        note.setWordWrap(True)
        note.setObjectName("mutedLabel")
        video_form.addRow(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults,
            self,
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(lambda: self.show_settings(MatchSettings()))
        layout = QVBoxLayout(self)
        layout.addWidget(pictures)
        layout.addWidget(videos)
        layout.addWidget(buttons)
        for box in (self.pdq, self.phash.spin, self.dhash.spin):
            box.valueChanged.connect(self._show_rates)
        for check in (self.phash.enabled, self.dhash.enabled):
            check.toggled.connect(self._show_rates)
        self._show_rates()

    def show_settings(self, settings: MatchSettings) -> None:
        """Put ``settings`` in the fields."""
        self.pdq.setValue(settings.pdq_threshold)
        self.pdq_quality.setValue(settings.pdq_min_quality)
        for field, value in ((self.phash, settings.phash_threshold), (self.dhash, settings.dhash_threshold)):
            field.enabled.setChecked(value is not None)
            if value is not None:
                field.spin.setValue(value)
        self.gate.setChecked(settings.gate_64bit)
        self.regions.setChecked(settings.regions)
        self.vpdq.setValue(settings.vpdq_threshold)
        self.vpdq_quality.setValue(settings.vpdq_min_quality)
        self.listed_share.setValue(settings.vpdq_listed_share)
        self.query_share.setValue(settings.vpdq_query_share)
        self._show_rates()

    def settings(self) -> MatchSettings:
        """What the fields hold."""
        return replace(
            MatchSettings(),
            pdq_threshold=self.pdq.value(),
            pdq_min_quality=self.pdq_quality.value(),
            phash_threshold=self.phash.value(),
            dhash_threshold=self.dhash.value(),
            gate_64bit=self.gate.isChecked(),
            regions=self.regions.isChecked(),
            vpdq_threshold=self.vpdq.value(),
            vpdq_min_quality=self.vpdq_quality.value(),
            vpdq_listed_share=self.listed_share.value(),
            vpdq_query_share=self.query_share.value(),
        )

    def _show_rates(self) -> None:
        chosen = self.settings()
        lines = [
            rate_statement(algorithm, threshold)
            for algorithm in ("pdq", "phash", "dhash")
            if (threshold := chosen.threshold(algorithm)) is not None
        ]
        self.rates.setText("Measured: " + "; ".join(lines) + ".")


def describe(settings: MatchSettings) -> str:
    """The thresholds in one line, for the status of a match."""
    parts = [f"PDQ <= {settings.pdq_threshold}"]
    parts += [
        f"{name} <= {value}"
        for name, value in (("pHash", settings.phash_threshold), ("dHash", settings.dhash_threshold))
        if value is not None
    ]
    parts.append(
        f"vPDQ <= {settings.vpdq_threshold}, listed share >= {settings.vpdq_listed_share:g} %, "
        f"case share >= {settings.vpdq_query_share:g} %"
    )
    return ", ".join(parts)
