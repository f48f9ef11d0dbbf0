"""Golden files: a fixed report model and a fixed clock give exactly the stored bytes.

Regenerate after an intended change with ``CUSTOS_UPDATE_GOLDEN=1 pytest tests/reports/test_report_golden.py``
and review the diff of ``tests/reports/golden/`` before committing it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from golden_report import golden_report

from forensics.reports.exports.case_uco import case_uco_bytes
from forensics.reports.exports.csv_export import findings_csv
from forensics.reports.exports.geo import geojson_bytes, kml_bytes
from forensics.reports.exports.vics import vics_bytes
from forensics.reports.render_html import render_html
from forensics.reports.render_pdf import render_pdf

GOLDEN = Path(__file__).resolve().parent / "golden"
OUTPUTS = {
    "report.html": lambda r: render_html(r).encode("utf-8"),
    "vics.json": vics_bytes,
    "case-uco.jsonld": case_uco_bytes,
    "findings.csv": lambda r: findings_csv(r.findings),
    "gps.kml": kml_bytes,
    "gps.geojson": geojson_bytes,
}


def _check(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("CUSTOS_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from its golden file"


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_output_matches_golden_file(name):
    _check(name, OUTPUTS[name](golden_report()))


def test_pdf_text_matches_golden_file(tmp_path):
    pdf = tmp_path / "report.pdf"
    data = render_pdf(golden_report())
    assert data == render_pdf(golden_report()), "the PDF bytes repeat (reportlab invariant mode)"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout
    _check("report.pdf.txt", text)


def test_html_escapes_what_it_shows():
    html = render_html(golden_report())
    assert "/DCIM/photo &lt;1&gt;.jpg" in html and "<1>" not in html
    assert "Operation Test &amp; Co" in html
