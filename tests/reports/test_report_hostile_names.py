"""Hostile file names (control characters, undecodable bytes, markup) cannot break any output."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

from report_case import EXAMINER, NOW, PASSPHRASE, run
from report_helpers import pdf_text

from forensics.reports.text import printable_text

# (An undecodable byte in a name currently stops the logical-folder enumeration itself: reported to the
# lead; printable_text is tested on such text directly below.)
NAMES = [b"bad\x01name.txt", b"<script>alert(1).txt", b'quote"amp&.txt']


def test_every_output_survives_hostile_names(tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTOS_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CUSTOS_EXAMINER", EXAMINER)
    folder = tmp_path / "hostile"
    folder.mkdir()
    for number, name in enumerate(NAMES):
        with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
            handle.write(b"content %d\n" % number)
    case_dir = tmp_path / "case"
    run("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "1")
    run("case", "create", str(case_dir), "--number", "HOSTILE-1", "--title", "names")
    run("evidence", "add", str(case_dir), str(folder), "--item", "H-1")
    run("ingest", str(case_dir), "--profile", "hashes", "--workers", "1")
    out = tmp_path / "out"
    run("report", str(case_dir), "--pdf", str(out / "r.pdf"), "--html", str(out / "r.html"), "--now", NOW)
    for flag, name in (
        ("--dfxml", "f.xml"),
        ("--case-uco", "c.jsonld"),
        ("--vics", "v.json"),
        ("--csv", "csv"),
    ):
        run("export", str(case_dir), flag, str(out / name), "--now", NOW)
    root = ET.parse(out / "f.xml").getroot()
    names = {
        e.text
        for e in root.iter("{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}filename")
    }
    assert "bad\\x01name.txt" in names
    assert "<script>alert(1).txt" in names
    html = (out / "r.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    json.loads((out / "c.jsonld").read_text(encoding="utf-8"))
    assert "HOSTILE-1" in pdf_text(out / "r.pdf")
    files_csv = (out / "csv" / "files.csv").read_text(encoding="utf-8")
    assert 'quote""amp&.txt' in files_csv


def test_printable_text_escapes_what_no_output_can_carry():
    assert printable_text("ok é\t") == "ok é\t"
    assert printable_text("bad\udcff\x01.txt") == "bad\\udcff\\x01.txt"
    printable_text("x\udcff").encode("utf-8")  # encodable once cleaned
