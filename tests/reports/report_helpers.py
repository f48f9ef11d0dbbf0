"""Helpers of the report tests: run poppler's tools, read custody events, hash files."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from forensics.case.db import CaseDatabase
from forensics.custody.log import read_entries


def pdf_text(pdf: Path) -> str:
    """``pdftotext -layout`` of a PDF (pages separated by form feeds)."""
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page."""
    pages = pdf_text(pdf).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_image_pages(pdf: Path) -> list[int]:
    """Page numbers of every image drawn in the PDF (``pdfimages -list``)."""
    out = subprocess.run(["pdfimages", "-list", str(pdf)], check=True, capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in out.splitlines()[2:] if line.strip()]


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def report_events(case_dir: Path) -> list[dict]:
    """Details of every ``report_generated`` custody event of a case."""
    db = CaseDatabase(case_dir)
    try:
        return [e.details for e in read_entries(db, action="report_generated")]
    finally:
        db.close()
