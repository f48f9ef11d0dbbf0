"""A video finding in the report and the exports: its basis and length in the PDF and HTML, its matched
times in the CSV, its vPDQ hash in CASE/UCO (Meta's text), its MD5 and SHA-1 in VICS."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

from golden_report import golden_report
from report_helpers import pdf_text

from forensics.analysis.vpdq import parse_vpdq_line, parse_vpdq_text
from forensics.reports.exports.case_uco import case_uco_bytes
from forensics.reports.exports.csv_export import findings_csv
from forensics.reports.exports.vics import vics_bytes
from forensics.reports.model import VideoHashes
from forensics.reports.render_html import render_html
from forensics.reports.render_pdf import render_pdf

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "ThreatExchange" / "vpdq-sample-hashes"
BASIS = (
    "vPDQ video match: 21 of 21 sampled frames (100.0 %) of this video and 159 of 656 frames (24.2 %) of "
    "listed video chair-22-sd-sepia-bar.txt within PDQ distance 31, frame quality >= 50; rule: listed share "
    ">= 0 %, this video's share >= 80 %; nearest pair distance 0; matched at 0:00, 0:01, 0:02"
)


def _video_report():
    """The golden report model with a third finding: a video matched by vPDQ, with its frame hashes."""
    report = golden_report()
    first = report.findings[0]
    lines = (REFERENCE / "chair-20-sd-bar.txt").read_text().splitlines()[:90:30]  # Meta's hashes, 1 a second
    frames = [parse_vpdq_line(line, number) for number, line in enumerate(lines, 1)]
    video = replace(
        first,
        number=3,
        file_id=31,
        path="/DCIM/VID_0001.mp4",
        inode="31",
        size=2350305,
        md5="ab" * 16,
        sha1="cd" * 20,
        sha256="ef" * 32,
        media="video",
        basis=BASIS,
        algorithm="vpdq",
        threshold=31,
        set_name="vPDQ list",
        entry="record 1, MediaID chair-22-sd-sepia-bar.txt",
        duration_s=20.48,
        matched_at="0.000; 1.000; 2.000",
    )
    hashes = VideoHashes(31, tuple((f.number, f.timestamp_s, f.quality, f.hex) for f in frames))
    return replace(report, findings=[*report.findings, video], video_hashes=[hashes]), frames


def test_video_finding_in_the_pdf_and_html(tmp_path):
    report, _ = _video_report()
    html = render_html(report)
    assert "video, 20.5 s long" in html and "matched at 0:00, 0:01, 0:02" in html
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(report))
    text = " ".join(pdf_text(pdf).split())
    assert "(video, 20.5 s long)" in text and "vPDQ video match: 21 of 21 sampled frames" in text
    assert "listed share >= 0 %, this video's share >= 80 %" in text


def test_video_finding_in_the_exports():
    report, frames = _video_report()
    rows = list(csv.DictReader(io.StringIO(findings_csv(report.findings).decode("utf-8"))))
    video = rows[2]
    assert (video["duration_s"], video["matched_at"]) == ("20.48", "0.000; 1.000; 2.000")
    assert video["algorithm"] == "vpdq"
    assert rows[0]["duration_s"] == "" and rows[0]["matched_at"] == ""

    graph = json.loads(case_uco_bytes(report))["@graph"]
    [annotation] = [n for n in graph if n.get("uco-core:tag") == ["vPDQ"]]
    assert annotation["uco-core:name"] == "vPDQ of /DCIM/VID_0001.mp4"
    assert parse_vpdq_text(annotation["uco-core:description"]) == frames
    file_node = next(n for n in graph if n["@id"] == annotation["uco-core:object"][0]["@id"])
    assert file_node["@type"] == "uco-observable:File"
    hashes = [h for f in file_node["uco-core:hasFacet"] for h in f.get("uco-observable:hash", [])]
    assert {h["uco-types:hashMethod"] for h in hashes} == {"MD5", "SHA1", "SHA256"}

    media = json.loads(vics_bytes(report))["value"][0]["Media"]
    record = next(m for m in media if m["MD5"] == "AB" * 16)
    assert record["SHA1"] == "CD" * 20 and record["MediaSize"] == 2350305
    assert "vPDQ list: vPDQ video match" in record["Comments"]
    assert record["MediaFiles"][0]["FileName"] == "VID_0001.mp4"
