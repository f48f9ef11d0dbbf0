"""Findings: hash-set and perceptual hits with distance, set, entry, category; file and entry side by side."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.adapter import CaseSession, provenance_text
from ui.models.gallery import TILE, obscure, tile_pixmap
from ui.models.records import RecordTableModel
from ui.views.detail_panel import video_basis_rows
from ui.views.video_strip import VideoStripView
from ui.workers import run_in_background

FINDING_COLUMNS = [
    ("Item", lambda f: f["item"]),
    ("Path", lambda f: f"(message only) {f['path']}" if f.get("message_only") else f["path"]),
    ("Set", lambda f: f["set"]["name"]),
    ("Kind", lambda f: f["kind"]),
    ("Algorithm", lambda f: f["algorithm"]),
    ("Distance", lambda f: f["distance"]),
    ("Category", lambda f: f["entry"]["category_label"]),
    ("Entry", lambda f: f["entry"]["id"]),
]


def _table(rows: list[tuple[str, object]]) -> str:
    cells = "".join(
        f"<tr><td class='k'>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
        for k, v in rows
        if v is not None
    )
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def provenance_side(f: dict) -> str:
    """How the file came (WhatsApp messages), one line each with its chat, sender, time and link rule."""
    records = f.get("provenance") or []
    if not records:
        return ""
    lines = []
    for record in records:
        rule = f" (linked by {record['link_rule']})" if record.get("link_rule") else ""
        lines.append(f"<li>{html.escape(provenance_text(record) + rule)}</li>")
    return "<h3>WhatsApp provenance</h3><ul>" + "".join(lines) + "</ul>"


def file_side(f: dict) -> str:
    if f.get("message_only"):
        message = f["provenance"][0]
        rows = [
            ("item", f["item"]),
            ("path the message stores", f["path"]),
            ("SHA-256 the message stores", f["sha256"]),
            ("database", message["database"]),
            ("message id", message["message_id"]),
        ]
        note = "<p>No item of the case holds this file; the message's stored hash matched the list.</p>"
        return "<h3>WhatsApp message (file gone)</h3>" + note + _table(rows) + provenance_side(f)
    rows = [
        ("item", f["item"]),
        ("path", f["path"]),
        ("inode", f["inode"]),
        ("partition offset", f["partition_offset"]),
        ("MD5", f["md5"]),
        ("SHA-1", f["sha1"]),
        ("SHA-256", f["sha256"]),
    ]
    return "<h3>File in evidence</h3>" + _table(rows) + provenance_side(f)


def entry_side(f: dict) -> str:
    s, e = f["set"], f["entry"]
    rows = [
        ("set", s["name"]),
        ("version", s["version"]),
        ("format", s["format"]),
        ("kind", s["kind"]),
        ("region", s["region"]),
        ("source", s["source_name"]),
        ("source SHA-256", s["source_sha256"]),
        ("entry", e["id"]),
        ("record", e["record_no"]),
        ("media id", e["media_id"]),
        ("category", e["category_label"]),
        ("series", e["series"]),
        ("tags", e["tags"]),
        ("algorithm", f["algorithm"]),
        ("matched hash", f["matched_hash"]),
        ("distance", f["distance"]),
        ("threshold", f["threshold"]),
        ("variant", f["variant"]),
    ]
    raw = json.dumps(e["raw"], indent=1, ensure_ascii=False) if e["raw"] else ""
    video = f.get("video")
    basis = "<h3>Video match</h3>" + _table(list(video_basis_rows(video, times=12).items())) if video else ""
    return basis + "<h3>List entry</h3>" + _table(rows) + (f"<pre>{html.escape(raw)}</pre>" if raw else "")


class FindingsView(QWidget):
    """All findings of the case; the selected one's file and list entry side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.model = RecordTableModel(FINDING_COLUMNS, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(1, 360)
        self.table.selectionModel().currentRowChanged.connect(self._show)
        self.file_info = QTextBrowser(self)
        self.entry_info = QTextBrowser(self)
        self.file_info.setHtml("<p>Select a finding.</p>")
        self.thumbnail = QLabel(self)
        self.thumbnail.setFixedSize(TILE, TILE)
        self.thumbnail.setToolTip("Blurred: reveal it in the gallery or the file's image preview.")
        self.strip = VideoStripView(self)  # a video finding: the strip, opened at the matched frame
        self.strip.reveal_requested.connect(self._reveal_video)
        self.strip.hide()
        self._revealed: set[int] = set()
        file_side_widget = QWidget(self)
        file_column = QVBoxLayout(file_side_widget)
        file_column.setContentsMargins(0, 0, 0, 0)
        file_layout = QHBoxLayout()
        file_layout.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignTop)
        file_layout.addWidget(self.file_info, 1)
        file_column.addLayout(file_layout, 1)
        file_column.addWidget(self.strip, 1)
        sides = QSplitter(Qt.Orientation.Horizontal, self)
        sides.addWidget(file_side_widget)
        sides.addWidget(self.entry_info)
        outer = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(self.table)
        outer.addWidget(sides)
        outer.setSizes([400, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(outer)

    def set_session(self, session: CaseSession | None) -> None:
        self.session = session
        self._revealed.clear()
        self.strip.clear()
        self.reload()

    def reload(self) -> None:
        if self.session is None:
            self.model.set_records([])
            return
        session = self.session
        run_in_background(session.findings, self.model.set_records)

    def _show(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.model.record(current.row())
        if finding is None:
            return
        self.file_info.setHtml(file_side(finding))
        self.entry_info.setHtml(entry_side(finding))
        self.thumbnail.clear()
        video = finding.get("video")
        self.strip.setVisible(bool(video))
        self.thumbnail.setVisible(not video)
        if self.session is not None and finding.get("file_id") is not None:
            session, file_id = self.session, finding["file_id"]
            if video:
                self.strip.clear("Loading…")
                run_in_background(
                    lambda: session.video_strip(file_id), lambda pictures: self._show_strip(finding, pictures)
                )
            else:
                run_in_background(lambda: session.thumbnails([file_id]).get(file_id), self._show_thumbnail)

    def _show_strip(self, finding: dict, pictures: list) -> None:
        """A video finding: the video's strip, marked at the matched frames, opened at the first one."""
        current = self.model.record(self.table.currentIndex().row())
        if current is None or current.get("finding_id") != finding.get("finding_id"):
            return
        file_id, video = finding["file_id"], finding["video"]
        self.strip.set_strip(file_id, pictures, file_id in self._revealed)
        self.strip.set_marks([frame["timestamp_s"] for frame in video["frames"]])
        if video.get("first_timestamp_s") is not None:
            self.strip.show_at(video["first_timestamp_s"])

    def _reveal_video(self, file_id: int) -> None:
        """Show the strip sharp and record the reveal in the custody log."""
        if self.session is None or file_id in self._revealed:
            return
        self._revealed.add(file_id)
        session = self.session
        run_in_background(lambda: session.reveal(file_id, view="findings"))
        self.strip.set_revealed(True)

    def _show_thumbnail(self, data: bytes | None) -> None:
        """The matched file's thumbnail, always blurred here (the list entry says what it is)."""
        image = QImage.fromData(data) if data else QImage()
        self.thumbnail.setPixmap(
            tile_pixmap(obscure(image, False, True), ratio=self.thumbnail.devicePixelRatioF())
            if not image.isNull()
            else QPixmap()
        )
