"""Everything about the selected file: metadata, hashes, EXIF and GPS, video facts, findings, hex, text,
image, and a video's frame strip.

Content previews read the evidence in a worker thread; opening one records ``file_viewed`` once per
file and view. The image preview and the video strip are blurred until the examiner reveals the file
(``file_revealed``). A video finding's matched times are links that open the strip at that frame.
"""

from __future__ import annotations

import html
import json
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QFont, QFontDatabase, QImage, QPixmap
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ui.adapter import CaseSession, provenance_text
from ui.models.gallery import obscure
from ui.views.video_strip import VideoStripView, clock
from ui.workers import run_in_background

PREVIEW_BYTES = 64 * 1024
BOOLEAN_ANALYSIS = ("extension_mismatch", "truncated", "too_large", "too_small", "blank", "low_quality")
IMAGE_BYTES = 32 * 1024 * 1024
VIDEO_FACTS = (
    "kind",
    "container",
    "duration_s",
    "frame_rate",
    "width",
    "height",
    "video_codec",
    "pixel_format",
    "audio_codecs",
    "declared_frames",
    "frames_decoded",
    "frames_hashed",
    "sample_fps",
    "keyframes",
    "creation_time_utc",
    "creation_time_written",
    "creation_time_tag",
    "gps_lat",
    "gps_lon",
    "complete",
    "warnings",
)
FRAME_LINK = "frame:"  # href of a matched frame's time in the findings tab
VIDEO_TAB = 5


def hex_dump(data: bytes, width: int = 16) -> str:
    """Offset, hex bytes and printable ASCII, ``width`` bytes a line."""
    lines = []
    for offset in range(0, len(data), width):
        chunk = data[offset : offset + width]
        hex_part = " ".join(f"{b:02x}" for b in chunk).ljust(width * 3 - 1)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hex_part}  {text}")
    return "\n".join(lines)


def text_preview(data: bytes) -> str:
    """UTF-8 text if it decodes, else UTF-16 with a BOM, else Latin-1 with control bytes shown as dots."""
    for encoding in ("utf-8", "utf-16"):
        if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return "".join(chr(b) if b in (9, 10, 13) or 32 <= b < 127 or b >= 160 else "." for b in data)


def _rows(title: str, values: dict[str, Any] | None, flags: tuple[str, ...] = ()) -> str:
    """An HTML section; empty values are left out, and so is a section with nothing in it."""
    shown = {k: v for k, v in (values or {}).items() if v not in (None, "", [])}
    if not shown:
        return ""
    cells = "".join(
        f"<tr><td class='k'>{html.escape(str(k))}</td>"
        f"<td>{html.escape(('yes' if v else 'no') if k in flags else str(v))}</td></tr>"
        for k, v in shown.items()
    )
    return f"<h3>{html.escape(title)}</h3><table cellspacing='0' cellpadding='2'>{cells}</table>"


def detail_html(detail: dict[str, Any]) -> str:
    """The metadata tab as HTML tables."""
    f = detail["file"]
    identity = {
        k: f.get(k) for k in ("name", "path", "item", "fs_type", "fs_offset", "inode", "stream", "kind")
    }
    identity["size"] = f"{f['size']:,} bytes" if f.get("size") is not None else None
    identity["located"] = detail.get("located")  # the locator chain in words, innermost first
    state = {k: f.get(k) for k in ("allocated", "deleted", "orphan", "meta_reallocated", "status", "error")}
    times = {k: f.get(k) for k in ("mtime", "atime", "ctime", "crtime")}
    hashes = {k: f.get(k) for k in ("md5", "sha1", "sha256")}
    review = detail["review"]
    review_rows = {
        "category": f"{review.category} — {review.category_label} ({review.region})"
        if review.category is not None
        else None,
        "tags": ", ".join(review.tags),
        "notes": " | ".join(f"{at[:19]} {who}: {text}" for at, who, text in review.notes),
        "known (hidden when 'hide known')": ", ".join(detail["known"]),
    }
    exif = dict(detail["exif"] or {})
    exif.pop("file_id", None)
    if "has_thumbnail" in exif:
        exif["has_thumbnail"] = "yes" if exif["has_thumbnail"] else "no"
    if exif.get("gps_lat") is not None and exif.get("gps_lon") is not None:
        exif["GPS"] = f"{exif['gps_lat']:.6f}, {exif['gps_lon']:.6f}"
    analysis = dict(detail["analysis"] or {})
    analysis.pop("file_id", None)
    video = detail.get("video")
    facts = None
    if video:
        facts = {k: video.get(k) for k in VIDEO_FACTS}
        facts["audio_codecs"] = ", ".join(video.get("audio_codecs") or [])
        facts["warnings"] = " | ".join(video.get("warnings") or [])
        if video.get("duration_s") is not None:
            facts["duration_s"] = f"{video['duration_s']:.3f} s ({clock(video['duration_s'])})"
    return "".join(
        [
            _rows("File", identity),
            messages_html(detail.get("messages") or []),
            extraction_html(f.get("link_json")),
            _rows("State", state, flags=("allocated", "deleted", "orphan", "meta_reallocated")),
            _rows(f"Times ({f.get('time_basis') or 'UTC'})", times),
            _rows("Hashes", hashes),
            _rows("Review", review_rows),
            _rows("Type and content", analysis, flags=BOOLEAN_ANALYSIS),
            _rows("Video", facts, flags=("keyframes", "complete")),
            _rows("EXIF", exif),
        ]
    )


def video_basis_rows(video: dict[str, Any], times: int = 0) -> dict[str, Any]:
    """A video finding's basis in words: frames and shares matched, the rule, the listed video (and the
    first ``times`` matched times)."""
    vpdq = video["basis"] == "vpdq"
    rows: dict[str, Any] = {"basis": "vPDQ (Meta's rule)" if vpdq else "sampled frames vs a picture entry"}
    rows["case video frames matched"] = (
        f"{video['query_matched']} of {video['query_frames']} sampled frames ({video['query_percent']:.1f} %)"
    )
    if video["basis"] == "vpdq":
        rows["listed video"] = video["listed_video"]
        rows["listed frames matched"] = (
            f"{video['listed_matched']} of {video['listed_frames']} ({video['listed_percent']:.1f} %)"
        )
        rows["rule"] = (
            f"listed share >= {video['listed_share']:g} %, case share >= {video['query_share']:g} %, "
            f"frame quality >= {video['quality']}"
        )
    if video["view"] == "inside_bars":
        rows["view"] = "the picture inside the video's black bars"
    if times:
        stamps = sorted({frame["timestamp_s"] for frame in video["frames"]})
        more = f" and {len(stamps) - times} more" if len(stamps) > times else ""
        rows["matched at"] = ", ".join(clock(stamp) for stamp in stamps[:times]) + more
    return rows


def frame_links(video: dict[str, Any], limit: int = 30) -> str:
    """The matched frames' times as links that open the strip there."""
    stamps = sorted({frame["timestamp_s"] for frame in video["frames"]})
    links = [f"<a href='{FRAME_LINK}{stamp}'>{html.escape(clock(stamp))}</a>" for stamp in stamps[:limit]]
    more = f" and {len(stamps) - limit} more" if len(stamps) > limit else ""
    return "<p>Matched at " + ", ".join(links) + more + " (opens the frame strip)</p>"


def extraction_html(link_json: str | None) -> str:
    """What a phone extraction says of one of its members: its path in the container, notes, hashes."""
    if not link_json:
        return ""
    try:
        said = json.loads(link_json).get("member")
    except ValueError:
        return ""
    if not said:
        return ""
    stated = said.get("stated_hashes") or {}
    return _rows(
        "Phone extraction",
        {
            "path in the extraction": said.get("container_path"),
            "time as stored (no zone)": said.get("local_mtime"),
            **{f"{algorithm.upper()} the extraction states": value for algorithm, value in stated.items()},
            "notes": " | ".join(said.get("notes") or []),
        },
    )


def messages_html(messages: list[dict[str, Any]]) -> str:
    """The WhatsApp messages the file was sent or received in, one table each."""
    if not messages:
        return ""
    parts = [f"<h3>WhatsApp: sent or received in {len(messages)} message(s)</h3>"]
    for m in messages:
        rule = m.get("link_rule")
        if rule and m.get("hash_differs"):
            rule += " (the file's SHA-256 differs from the hash the message stores)"
        parts.append(
            f"<p><b>{html.escape(provenance_text(m))}</b></p>"
            + _rows(
                "",
                {
                    "chat": f"{m['chat_name'] or '-'} ({m['chat_jid']})",
                    "sender": f"{m['sender_name'] or '-'} ({m['sender_jid']})" if m["sender_jid"] else None,
                    "direction": m["direction"],
                    "time (UTC)": m["time"],
                    "forwarded": m["forwarded"],
                    "caption": m["caption"],
                    "message id": m["message_id"],
                    "path the message stores": m["media_path"],
                    "SHA-256 the message stores": m["stored_sha256"],
                    "linked by": rule,
                    "database": f"{m['database']} ({m['item']})",
                },
                flags=("forwarded",),
            ).replace("<h3></h3>", "")
        )
    return "".join(parts)


def findings_html(findings: list[dict[str, Any]]) -> str:
    if not findings:
        return "<p>No hash-set or perceptual matches.</p>"
    parts = []
    for f in findings:
        video = f.get("video")
        rows = video_basis_rows(video) if video else {}
        parts.append(
            _rows(
                f"{f['set']['name']} — {f['algorithm']} (distance {f['distance']})",
                rows
                | {
                    "kind": f["kind"],
                    "set version": f["set"]["version"],
                    "set source": f"{f['set']['source_name']} (sha256 {f['set']['source_sha256'][:16]}…)",
                    "region": f["set"]["region"],
                    "entry": f["entry"]["id"],
                    "category": f["entry"]["category_label"],
                    "series": f["entry"]["series"],
                    "matched hash": f["matched_hash"],
                    "threshold": f["threshold"],
                    "variant": f["variant"],
                    "run": f"{f['run_id']} at {f['created_at']}",
                },
            )
        )
        if video and video["frames"]:
            parts.append(frame_links(video))
    return "".join(parts)


class DetailPanel(QTabWidget):
    """Tabs for one file; ``set_file(id)`` loads it in the background."""

    revealed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: CaseSession | None = None
        self.file_id: int | None = None
        self._viewed: set[tuple[int, str]] = set()
        self._image: QImage | None = None
        self._revealed: set[int] = set()
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._findings: list[dict[str, Any]] = []
        self._strip_for: int | None = None  # the file whose strip is loaded
        self._open_at: float | None = None  # a matched frame's time to open the strip at, once loaded
        self.meta = QTextBrowser(self)
        self.findings = QTextBrowser(self)
        self.findings.setOpenLinks(False)
        self.findings.anchorClicked.connect(self._link)
        self.video = VideoStripView(self)
        self.video.reveal_requested.connect(lambda _file_id: self.reveal_current())
        self.hex = QPlainTextEdit(self)
        self.hex.setReadOnly(True)
        self.hex.setFont(mono)
        self.hex.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.image_label = QLabel("Select an image file.", self)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reveal_button = QPushButton("Reveal image (recorded in custody)", self)
        self.reveal_button.clicked.connect(self.reveal_current)
        self.unlock_button = QPushButton("Unlock the encrypted phone extraction (password)…", self)
        self.unlock_button.clicked.connect(self.ask_password)
        self.unlock_button.hide()
        self._item: str | None = None
        image_page = QWidget(self)
        scroll = QScrollArea(image_page)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.image_label)
        image_layout = QVBoxLayout(image_page)
        image_layout.addWidget(scroll, 1)
        image_layout.addWidget(self.reveal_button)
        image_layout.addWidget(self.unlock_button)
        self.addTab(self.meta, "&Metadata")
        self.addTab(self.findings, "Fin&dings")
        self.addTab(self.hex, "He&x")
        self.addTab(self.text, "Te&xt")
        self.addTab(image_page, "&Image")
        self.addTab(self.video, "&Video")
        self.currentChanged.connect(lambda _i: self._load_content())
        self.meta.setFont(QFont(self.meta.font().family(), self.meta.font().pointSize()))

    def set_session(self, session: CaseSession | None) -> None:
        self.session = session
        self.clear_file()

    def clear_file(self) -> None:
        self.file_id = None
        self.meta.setHtml("<p>Select a file.</p>")
        self.findings.setHtml("")
        self.hex.setPlainText("")
        self.text.setPlainText("")
        self.image_label.setText("Select an image file.")
        self.reveal_button.setEnabled(False)
        self.video.clear()
        self._strip_for = None
        self._findings = []

    def set_file(self, file_id: int | None) -> None:
        if file_id is None or self.session is None:
            self.clear_file()
            return
        self.file_id = file_id
        self._image = None
        self._findings = []
        self._strip_for = None
        self._open_at = None
        self.video.clear("Loading…")
        self.hex.setPlainText("")
        self.text.setPlainText("")
        self.image_label.setText("")
        session = self.session
        run_in_background(
            lambda: session.file_detail(file_id), lambda d: self._show_detail(file_id, d), self._failed
        )
        self._load_content()

    def refresh_detail(self) -> None:
        """Re-read the shown file's metadata, review marks and findings (the previews stay as they are)."""
        if self.file_id is None or self.session is None:
            return
        file_id, session = self.file_id, self.session
        run_in_background(
            lambda: session.file_detail(file_id), lambda d: self._show_detail(file_id, d), self._failed
        )

    def _failed(self, message: str) -> None:
        self.meta.setHtml(f"<p><b>Error:</b> {html.escape(message)}</p>")

    def _show_detail(self, file_id: int, detail: dict[str, Any]) -> None:
        if file_id != self.file_id:
            return
        self._item = detail["file"].get("item")
        self.meta.setHtml(detail_html(detail))
        self._findings = detail["findings"]
        self.findings.setHtml(findings_html(detail["findings"]))
        self.setTabText(1, f"Fin&dings ({len(detail['findings'])})" if detail["findings"] else "Fin&dings")
        self._mark_strip()

    def _matched_times(self) -> list[float]:
        videos = [f["video"] for f in self._findings if f.get("video")]
        return [frame["timestamp_s"] for video in videos for frame in video["frames"]]

    def _mark_strip(self) -> None:
        if self._strip_for == self.file_id and self.video.pictures:
            self.video.set_marks(self._matched_times())

    def _link(self, url: QUrl) -> None:
        """A matched frame's time in the findings tab: open the strip at that frame."""
        text = url.toString()
        if text.startswith(FRAME_LINK):
            try:
                self.open_strip_at(float(text[len(FRAME_LINK) :]))
            except ValueError:
                return

    def open_strip_at(self, timestamp_s: float) -> None:
        """Show the Video tab at the strip frame nearest to ``timestamp_s`` (loading the strip if needed)."""
        self._open_at = timestamp_s
        if self._strip_for == self.file_id and self.video.pictures:
            self.video.show_at(timestamp_s)
        self.setCurrentIndex(VIDEO_TAB)

    def _load_strip(self) -> None:
        if self.file_id is None or self.session is None or self._strip_for == self.file_id:
            return
        file_id, session = self.file_id, self.session
        self._strip_for = file_id
        run_in_background(
            lambda: session.video_strip(file_id),
            lambda pictures: self._show_strip(file_id, pictures),
            lambda message: self.video.clear(f"Cannot read the strip: {message}"),
        )

    def _show_strip(self, file_id: int, pictures: list) -> None:
        if file_id != self.file_id:
            return
        self.video.set_strip(file_id, pictures, file_id in self._revealed)
        self.video.set_marks(self._matched_times())
        if self._open_at is not None:
            self.video.show_at(self._open_at)

    def _load_content(self) -> None:
        """Read content for the visible content tab (hex, text, image) once per file; the video strip."""
        if self.currentIndex() == VIDEO_TAB:
            self._load_strip()
            return
        view = {2: "hex", 3: "text", 4: "image"}.get(self.currentIndex())
        if view is None or self.file_id is None or self.session is None:
            return
        file_id, session = self.file_id, self.session
        key = (file_id, view)
        limit = IMAGE_BYTES if view == "image" else PREVIEW_BYTES
        if key not in self._viewed:
            self._viewed.add(key)
            run_in_background(lambda: session.viewed(file_id, view))
        run_in_background(
            lambda: session.read_content(file_id, limit),
            lambda data: self._show_content(file_id, view, data),
            lambda message: self._content_failed(view, message),
        )

    def ask_password(self) -> None:
        """Ask for the extraction's password, unlock it for this session (in the background), read again."""
        if self.session is None or self._item is None:
            return
        password, ok = QInputDialog.getText(
            self,
            "Encrypted phone extraction",
            f"Password of evidence item {self._item}:",
            QLineEdit.EchoMode.Password,
        )
        if not ok or not password:
            return
        session, item = self.session, self._item
        self.image_label.setText("Unlocking (the key derivation is slow by design)…")

        def unlocked(_result: object) -> None:
            self.unlock_button.hide()
            self._load_content()

        run_in_background(
            lambda: session.unlock_extraction(item, password), unlocked, self._content_failed_any
        )

    def _content_failed_any(self, message: str) -> None:
        self.image_label.setText(f"Not unlocked: {message}")

    def _content_failed(self, view: str, message: str) -> None:
        self.unlock_button.setVisible("password is needed" in message)
        target = {"hex": self.hex, "text": self.text}.get(view)
        if target is not None:
            target.setPlainText(f"Cannot read the content: {message}")
        else:
            self.image_label.setText(f"Cannot read the content: {message}")

    def _show_content(self, file_id: int, view: str, data: bytes) -> None:
        if file_id != self.file_id:
            return
        if view == "hex":
            self.hex.setPlainText(hex_dump(data))
        elif view == "text":
            self.text.setPlainText(text_preview(data))
        else:
            image = QImage.fromData(data)
            self._image = None if image.isNull() else image
            self._show_image()

    def _show_image(self) -> None:
        if self._image is None:
            self.image_label.setPixmap(QPixmap())
            self.image_label.setText("Not an image (or not decodable).")
            self.reveal_button.setEnabled(False)
            return
        revealed = self.file_id in self._revealed
        shown = self._image if revealed else obscure(self._image, False, True)
        bounded = shown.scaled(
            640, 640, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        self.image_label.setPixmap(QPixmap.fromImage(bounded))
        self.reveal_button.setEnabled(not revealed)

    def reveal_current(self) -> None:
        """Show the image sharp and record the reveal in the custody log."""
        if self.file_id is None or self.session is None or self.file_id in self._revealed:
            return
        file_id, session = self.file_id, self.session
        self._revealed.add(file_id)
        run_in_background(lambda: session.reveal(file_id, view="detail"))
        self.revealed.emit(file_id)
        self._show_image()
        if self.video.file_id == file_id:
            self.video.set_revealed(True)
