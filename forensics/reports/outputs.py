"""Produce report and export files, each described with its SHA-256 for the custody log."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from forensics.reports.exports.case_uco import case_uco_bytes
from forensics.reports.exports.csv_export import files_csv, findings_csv, video_hashes_csv, videos_csv
from forensics.reports.exports.dfxml import dfxml_bytes
from forensics.reports.exports.geo import geojson_bytes, kml_bytes
from forensics.reports.exports.vics import vics_bytes
from forensics.reports.model import ReportData
from forensics.reports.render_html import render_html
from forensics.reports.render_pdf import render_pdf


@dataclass(frozen=True)
class Output:
    """One file written: its format, where, and the SHA-256 of its bytes."""

    format: str
    path: Path
    size: int
    sha256: str

    def as_details(self) -> dict:
        return {"format": self.format, "name": self.path.name, "bytes": self.size, "sha256": self.sha256}


def write_output(fmt: str, path: Path | str, data: bytes) -> Output:
    """Write ``data`` to ``path`` (parents created) and describe it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Output(fmt, path, len(data), hashlib.sha256(data).hexdigest())


def report_renderers() -> dict[str, Callable[[ReportData], bytes]]:
    """Renderers of the report proper, by format name."""
    return {"pdf": render_pdf, "html": lambda report: render_html(report).encode("utf-8")}


def export_builders(db) -> dict[str, Callable[[ReportData], bytes]]:
    """Single-file exports by format name (CSV writes two files: see :func:`write_csv`)."""
    return {
        "vics": vics_bytes,
        "case-uco": case_uco_bytes,
        "dfxml": lambda report: dfxml_bytes(db, report),
        "kml": kml_bytes,
        "geojson": geojson_bytes,
    }


def write_csv(db, report: ReportData, folder: Path | str) -> list[Output]:
    """``files.csv`` and ``findings.csv`` in ``folder``; ``videos.csv`` and ``video_hashes.csv`` (every
    sampled frame's PDQ) when the case has videos."""
    folder = Path(folder)
    outputs = [
        write_output("csv-files", folder / "files.csv", files_csv(db)),
        write_output("csv-findings", folder / "findings.csv", findings_csv(report.findings)),
    ]
    videos = videos_csv(db)
    if videos.count(b"\n") > 1:  # a header and at least one video
        outputs.append(write_output("csv-videos", folder / "videos.csv", videos))
        outputs.append(write_output("csv-video-hashes", folder / "video_hashes.csv", video_hashes_csv(db)))
    return outputs


def outputs_details(report: ReportData, outputs: list[Output], *, kind: str) -> dict:
    """Details of the ``report_generated`` entry naming every file written with its SHA-256."""
    return {
        "kind": kind,
        "report_id": report.report_id,
        "generated_at": report.generated_at,
        "custody_head_at_generation": report.custody.head_hash,
        "findings": len(report.findings),
        "annex_images": len(report.annex),
        "annex_blurred": all(a.blurred for a in report.annex),
        "outputs": [o.as_details() for o in outputs],
    }
