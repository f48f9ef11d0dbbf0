"""Page furniture and styles of the PDF report: marking, case number and "Page n of m" on every page."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from forensics.reports.sections import MARKING

PAGE_SIZE = A4
MARGIN = 18 * mm
NAVY = colors.HexColor("#1f3a5f")
LIGHT = colors.HexColor("#e6edf4")
KEY_BG = colors.HexColor("#f4f7fa")
GRID = colors.HexColor("#b8c4d0")
RED = colors.HexColor("#8b0000")


def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles (built-in PDF fonts only: nothing is loaded from disk or network)."""
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName="Helvetica", fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle(
            "title",
            parent=base["Title"],
            fontName="Helvetica-Bold",
            fontSize=20,
            textColor=NAVY,
            spaceAfter=6,
        ),
        "marking": ParagraphStyle(
            "marking", parent=body, fontName="Helvetica-Bold", alignment=TA_CENTER, textColor=RED, fontSize=10
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=base["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=13,
            textColor=NAVY,
            spaceBefore=12,
            spaceAfter=5,
        ),
        "h2": ParagraphStyle(
            "h2", parent=base["Heading3"], fontName="Helvetica-Bold", fontSize=10, spaceBefore=6, spaceAfter=3
        ),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "key": ParagraphStyle("key", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=10),
        "hash": ParagraphStyle("hash", parent=body, fontName="Courier", fontSize=7, leading=9),
        "small": ParagraphStyle(
            "small", parent=body, fontSize=7.5, leading=9, textColor=colors.HexColor("#444")
        ),
    }


class NumberedCanvas(Canvas):
    """A canvas that draws the header and footer once the page count is known ("Page n of m")."""

    case_number = ""
    report_id = ""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("invariant", 1)
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own; its stubs omit private methods

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._furniture(number, total)
            super().showPage()
        super().save()

    def _furniture(self, number: int, total: int) -> None:
        width, height = PAGE_SIZE
        self.saveState()
        self.setFont("Helvetica-Bold", 8)
        self.setFillColor(RED)
        self.drawCentredString(width / 2, height - 10 * mm, MARKING)
        self.setFillColor(NAVY)
        self.drawString(MARGIN, height - 10 * mm, f"Case {self.case_number}")
        self.drawRightString(width - MARGIN, height - 10 * mm, f"Report {self.report_id}")
        self.setStrokeColor(NAVY)
        self.line(MARGIN, height - 12 * mm, width - MARGIN, height - 12 * mm)
        self.line(MARGIN, 12 * mm, width - MARGIN, 12 * mm)
        self.setFont("Helvetica", 8)
        self.setFillColor(colors.black)
        self.drawString(MARGIN, 8 * mm, f"Case number {self.case_number}")
        self.drawCentredString(width / 2, 8 * mm, MARKING)
        self.drawRightString(width - MARGIN, 8 * mm, f"Page {number} of {total}")
        self.restoreState()


def canvas_for(case_number: str, report_id: str) -> type[NumberedCanvas]:
    """A canvas class that prints this case's number and report ID on every page."""
    return type("CaseCanvas", (NumberedCanvas,), {"case_number": case_number, "report_id": report_id})
