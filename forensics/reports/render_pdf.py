"""Render the report-data model as PDF with ReportLab (built-in fonts, invariant output).

``invariant=1`` keeps ReportLab from writing the current time and a random document ID, so the same
model gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from forensics.custody.checkpoint import pdf_keywords
from forensics.reports import sections
from forensics.reports.model import ReportData
from forensics.reports.pdf_layout import GRID, KEY_BG, LIGHT, MARGIN, PAGE_SIZE, canvas_for, styles
from forensics.reports.sections import CALIBRATION_NOTE, damaged_chunk_line, dash, media_length, title

WIDTH = PAGE_SIZE[0] - 2 * MARGIN


class _Story:
    """Builds the flowables of the report, one section at a time."""

    def __init__(self) -> None:
        self.s = styles()
        self.items: list = []

    def p(self, text: object, style: str = "body") -> Paragraph:
        return Paragraph(escape(dash(text)).replace("\n", "<br/>"), self.s[style])

    def add(self, *flowables) -> None:
        self.items.extend(flowables)

    def heading(self, key: str) -> None:
        self.add(Paragraph(escape(title(key)), self.s["h1"]))

    def sub(self, text: str) -> None:
        self.add(Paragraph(escape(text), self.s["h2"]))

    def text(self, text: str, style: str = "body") -> None:
        self.add(self.p(text, style), Spacer(1, 3))

    def kv(self, rows: list[tuple[str, object]], hashes: tuple[str, ...] = ()) -> None:
        data = [[self.p(k, "key"), self.p(v, "hash" if k in hashes else "cell")] for k, v in rows]
        table = Table(data, colWidths=[0.3 * WIDTH, 0.7 * WIDTH])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                    ("BACKGROUND", (0, 0), (0, -1), KEY_BG),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.add(table, Spacer(1, 6))

    def grid(
        self,
        header: list[str],
        rows: Sequence[Sequence[object]],
        widths: list[float],
        hash_columns: tuple[int, ...] = (),
    ) -> None:
        data = [[self.p(h, "head") for h in header]]
        for row in rows:
            data.append([self.p(v, "hash" if i in hash_columns else "cell") for i, v in enumerate(row)])
        table = Table(data, colWidths=[w * WIDTH for w in widths], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                    ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.add(table, Spacer(1, 6))


def _front(story: _Story, r: ReportData) -> None:
    story.add(
        story.p(sections.MARKING, "marking"), Spacer(1, 30), Paragraph(sections.TITLE, story.s["title"])
    )
    story.kv(
        [
            ("Case number", r.case.number),
            ("Case title", r.case.title),
            ("Agency / laboratory", r.case.agency),
            ("Report ID", r.report_id),
            ("Date of report (UTC)", r.generated_at),
            ("Prepared by", r.generated_by),
            ("Custody log head hash", r.custody.head_hash),
        ],
        hashes=("Custody log head hash",),
    )
    story.text(sections.NO_IMAGES_NOTE, "small")


def _people(story: _Story, r: ReportData) -> None:
    story.heading("case")
    story.kv(
        [
            ("Case number", r.case.number),
            ("Title", r.case.title),
            ("Agency / laboratory", r.case.agency),
            ("Case opened", f"{r.case.created_at} by {dash(r.case.created_by)}"),
        ]
    )
    story.heading("examiners")
    rows = [[p.name, p.role, p.agency, p.badge, p.key_id] for p in r.examiners]
    rows.append(
        [r.reviewer.name, "Reviewer", "-", "-", "-"] if r.reviewer else ["not named", "Reviewer", "", "", ""]
    )
    story.grid(
        ["Name", "Role", "Agency", "Badge / ID", "Signing key ID"], rows, [0.2, 0.16, 0.2, 0.1, 0.34], (4,)
    )
    story.heading("scope")
    story.kv(
        [
            ("Request", r.scope.request or "not stated"),
            ("Legal authority (warrant reference)", r.scope.authority or "not stated"),
            ("Constraints", r.scope.constraints or "none stated"),
        ]
    )


def _evidence(story: _Story, r: ReportData) -> None:
    story.heading("evidence")
    for e in r.evidence:
        story.sub(f"Item {e.item}")
        size = f", {e.media_size:,} bytes" if e.media_size else ""
        story.kv(
            [
                *e.intake,
                ("Image file(s)", f"{', '.join(e.image_files)} ({e.container}{size})"),
                ("File systems", "; ".join(e.file_systems) or "none found"),
                ("Items listed", e.file_count),
                ("Intake corrections", e.corrections),
            ]
        )
    story.heading("acquisition")
    for e in r.evidence:
        story.sub(f"Item {e.item}")
        rows = []
        if e.stored_md5:
            rows.append(["MD5", e.stored_md5, "stored in the image (acquisition)"])
        if e.stored_sha1:
            rows.append(["SHA-1", e.stored_sha1, "stored in the image (acquisition)"])
        rows += [[label, value, "acquisition log (examiner)"] for label, value in e.acquisition_hashes]
        for v in e.verifications:
            when = f"computed by Custos {v.finished_at or v.started_at}"
            rows += [
                [name, value, when]
                for name, value in (("MD5", v.md5), ("SHA-1", v.sha1), ("SHA-256", v.sha256))
                if value
            ]
        if rows:
            story.grid(["Hash", "Value", "Source"], rows, [0.1, 0.56, 0.34], (1,))
        for v in e.verifications:
            size = f" over {v.bytes_hashed:,} bytes" if v.bytes_hashed is not None else ""
            error = f" ({v.error})" if v.error else ""
            story.text(f"Verification of {v.started_at}: {v.result.upper()}{size}{error}.")
            if v.checks:
                story.grid(
                    ["Algorithm (source)", "Expected", "Computed", "Result"],
                    [
                        [
                            f"{c.algorithm.upper()} ({dash(c.source)})",
                            c.expected,
                            c.computed,
                            sections.check_verdict(c.match),
                        ]
                        for c in v.checks
                    ],
                    [0.18, 0.33, 0.33, 0.16],
                    (1, 2),
                )
            for name, digest in v.segment_sha256:
                story.text(f"Image file {name} SHA-256 {digest}", "small")
            for first, count in v.damaged_sectors:
                story.text(damaged_chunk_line(first, count), "small")
        if not e.verifications:
            story.text("No verification of this item's media has been run.")


def _tools_and_method(story: _Story, r: ReportData) -> None:
    story.heading("tools")
    story.grid(
        ["Tool or library", "Version", "Used for"],
        [[t.name, t.version, t.role] for t in r.tools],
        [0.25, 0.4, 0.35],
    )
    story.heading("hashsets")
    if r.hash_sets:
        story.grid(
            ["Set", "Version", "Kind", "Entries", "Algorithms", "Source file and SHA-256"],
            [
                [
                    s.name,
                    s.version,
                    s.kind,
                    s.entries,
                    ", ".join(s.algorithms),
                    f"{s.source_name}\n{s.source_sha256}",
                ]
                for s in r.hash_sets
            ],
            [0.17, 0.1, 0.08, 0.08, 0.12, 0.45],
            (5,),
        )
    else:
        story.text("No hash set was used.")
    story.heading("methodology")
    story.text(
        "Each evidence item was opened read-only. Its files were enumerated with The Sleuth Kit and each was "
        "read once to compute MD5, SHA-1 and SHA-256 and the other analyses of the processing profile. Files "
        "were then matched against the hash sets listed in section 7."
    )
    jobs = r.methodology.ingest_jobs
    if jobs:
        story.grid(
            ["Job", "Item", "Profile", "Tasks", "Started", "Finished", "Status", "Items"],
            [
                [
                    j["job"],
                    j["item"],
                    j["profile"],
                    ", ".join(j["tasks"]),
                    j["started_at"],
                    j["finished_at"],
                    j["status"],
                    f"{dash(j['items_done'])} done, {dash(j['items_failed'])} failed",
                ]
                for j in jobs
            ],
            [0.06, 0.09, 0.08, 0.17, 0.17, 0.17, 0.1, 0.16],
        )
    else:
        story.text("No ingest has been run.")
    runs = r.methodology.match_runs
    if runs:
        story.grid(
            ["Match run", "Sets", "Settings", "Started", "Status", "Findings added"],
            [
                [
                    m["run"],
                    ", ".join(m["sets"]),
                    ", ".join(f"{k} {v}" for k, v in m["settings"].items()),
                    m["started_at"],
                    m["status"],
                    m["findings_added"],
                ]
                for m in runs
            ],
            [0.08, 0.2, 0.3, 0.2, 0.1, 0.12],
        )
        if any(m["rates"] for m in runs):
            story.text(CALIBRATION_NOTE)
        for m in runs:
            for sentence in m["rates"]:
                story.text(f"Match run {m['run']}: {sentence}.")
    else:
        story.text("No matching has been run.")


def _findings(story: _Story, r: ReportData) -> None:
    story.heading("findings")
    story.text(f"{len(r.findings)} finding(s).")
    for heading, counts, label in (
        ("By category", r.counts_by_category, "Category"),
        ("By hash set", r.counts_by_set, "Hash set"),
    ):
        story.sub(f"{heading} (distinct files)")
        rows = [[c.label, c.stills, c.videos, c.other, c.total] for c in counts] or [["none", "", "", "", ""]]
        story.grid([label, "Stills", "Videos", "Other", "Total"], rows, [0.52, 0.12, 0.12, 0.12, 0.12])
    for f in r.findings:
        block = _Story()
        block.sub(f"Finding {f.number}: {f.item} {f.path}")
        block.kv(
            [
                ("Evidence item / partition", f"{f.item} / {f.partition}"),
                ("Path", f.path),
                *([("Located", f.located)] if f.located else []),
                ("Inode / entry", f"{f.inode}{' (deleted)' if f.deleted else ''}"),
                ("Size", f"{dash(f.size)} bytes ({f.media}{media_length(f)})"),
                (
                    f"Modified / accessed / changed / born ({f.time_basis})",
                    f"M {dash(f.mtime)}\nA {dash(f.atime)}\nC {dash(f.ctime)}\nB {dash(f.crtime)}",
                ),
                ("MD5", f.md5),
                ("SHA-1", f.sha1),
                ("SHA-256", f.sha256),
                ("Match basis", f.basis),
                (
                    "List entry",
                    f"{f.set_name}{' ' + f.set_version if f.set_version else ''}, {f.entry}; "
                    f"list category: {f.list_category_label or 'none'}",
                ),
                ("Examiner's category", f.examiner_category_label or "not yet assessed"),
                *([("WhatsApp provenance", "\n".join(f.provenance))] if f.provenance else []),
            ],
            hashes=("MD5", "SHA-1", "SHA-256"),
        )
        story.add(KeepTogether(block.items))
    _message_findings(story, r)


def _message_findings(story: _Story, r: ReportData) -> None:
    """Findings from a WhatsApp message's stored hash whose file is in no item of the case."""
    if not r.message_findings:
        return
    story.sub(f"Findings from WhatsApp messages whose file is gone ({len(r.message_findings)})")
    story.text(sections.MESSAGE_FINDINGS_NOTE)
    for m in r.message_findings:
        block = _Story()
        block.sub(f"Message finding {m.number}: {m.item} {m.media_path or '-'}")
        block.kv(
            [
                ("Evidence item / database", f"{m.item} / {m.database}"),
                ("Path the message stores", m.media_path or "-"),
                ("Message", f"{m.provenance} (message id {m.message_id or '-'})"),
                ("SHA-256 the message stores", m.stored_sha256),
                ("Match basis", "exact SHA-256 of the message's stored hash"),
                (
                    "List entry",
                    f"{m.set_name}{' ' + m.set_version if m.set_version else ''}, {m.entry}; "
                    f"list category: {m.list_category_label or 'none'}",
                ),
            ],
            hashes=("SHA-256 the message stores",),
        )
        story.add(KeepTogether(block.items))


def _closing(story: _Story, r: ReportData) -> None:
    story.heading("notes")
    for note in r.examiner_notes or ["None."]:
        story.text(note)
    story.heading("limitations")
    for note in r.limitations:
        story.text(f"• {note}")
    story.heading("custody")
    story.kv(
        [
            ("Entries", r.custody.entries),
            ("Head hash at report time", r.custody.head_hash),
            ("Verification", r.custody_verification),
            ("Entries by action", ", ".join(f"{a} {n}" for a, n in r.custody.by_action)),
        ],
        hashes=("Head hash at report time",),
    )
    story.grid(
        ["#", "Time (UTC)", "Examiner", "Action", "Item", "Entry hash"],
        [[e.seq, e.ts, e.examiner, e.action, e.item, e.entry_hash] for e in r.custody.events],
        [0.05, 0.2, 0.15, 0.15, 0.09, 0.36],
        (5,),
    )
    story.heading("signature")
    story.text(sections.DECLARATION)
    signers = [f"{p.name}{', ' + p.badge if p.badge else ''}" for p in r.examiners if p.role == "Examiner"]
    if r.reviewer:
        signers.append(f"{r.reviewer.name}, reviewer")
    for signer in signers:
        story.add(Spacer(1, 28))
        story.grid([signer, "Date"], [["Signature:", ""]], [0.65, 0.35])


def _annex(story: _Story, r: ReportData) -> None:
    story.add(PageBreak(), Paragraph(escape(sections.ANNEX_TITLE), story.s["h1"]))
    blurred = r.annex[0].blurred
    story.text(
        "RESTRICTED. "
        + ("Images are blurred." if blurred else "Images are NOT blurred, at the examiner's explicit choice.")
    )
    for a in r.annex:
        image = Image(io.BytesIO(a.jpeg))
        scale = min(1.0, 160 / max(image.imageWidth, image.imageHeight))
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        image.hAlign = "LEFT"
        story.add(
            KeepTogether(
                [
                    image,
                    story.p(f"Finding {a.finding_number}: {a.path}\n{dash(a.sha256)}", "small"),
                    Spacer(1, 8),
                ]
            )
        )


def render_pdf(report: ReportData) -> bytes:
    """The report as PDF bytes."""
    story = _Story()
    _front(story, report)
    _people(story, report)
    _evidence(story, report)
    _tools_and_method(story, report)
    _findings(story, report)
    _closing(story, report)
    if report.annex:
        _annex(story, report)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{sections.TITLE} {report.case.number}",
        author=report.generated_by,
        subject=report.report_id,
        creator=f"Custos {report.custos_version}",
        keywords=[pdf_keywords(report.checkpoint)] if report.checkpoint else [],
        invariant=1,
    )
    doc.build(story.items, canvasmaker=canvas_for(report.case.number, report.report_id))
    return out.getvalue()


def write_pdf(report: ReportData, path: Path) -> bytes:
    """Write the PDF report; returns the bytes written."""
    data = render_pdf(report)
    Path(path).write_bytes(data)
    return data
