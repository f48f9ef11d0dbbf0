"""Render the report-data model as one self-contained HTML file (Jinja2 template, styles inline).

Nothing is fetched when the file is opened: styles are in the page and annex images are data URIs.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from forensics.core.resources import resource_path
from forensics.custody.checkpoint import html_element
from forensics.reports import sections
from forensics.reports.model import ReportData

TEMPLATE = "report.html.j2"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(resource_path("templates"))),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["d"] = lambda value, default="-": default if value in (None, "") else value
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    env.globals.update(
        title=sections.title,
        verdict=sections.check_verdict,
        damaged_chunk_line=sections.damaged_chunk_line,
        TITLE=sections.TITLE,
        MARKING=sections.MARKING,
        DECLARATION=sections.DECLARATION,
        NO_IMAGES_NOTE=sections.NO_IMAGES_NOTE,
        CALIBRATION_NOTE=sections.CALIBRATION_NOTE,
        MESSAGE_FINDINGS_NOTE=sections.MESSAGE_FINDINGS_NOTE,
        ANNEX_TITLE=sections.ANNEX_TITLE,
    )
    return env


def render_html(report: ReportData) -> str:
    """The report as HTML text."""
    element = html_element(report.checkpoint) if report.checkpoint else ""
    return _environment().get_template(TEMPLATE).render(r=report, checkpoint_element=element)


def write_html(report: ReportData, path: Path) -> bytes:
    """Write the HTML report (UTF-8, LF line ends); returns the bytes written."""
    data = render_html(report).encode("utf-8")
    Path(path).write_bytes(data)
    return data
