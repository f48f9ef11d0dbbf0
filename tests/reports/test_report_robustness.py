"""Reports on thin or damaged cases: an empty case, a broken thumbnail, contradictory options."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_case import EXAMINER, NOW, PASSPHRASE, run
from report_helpers import pdf_image_pages, pdf_text
from sqlalchemy import update

from app.cli import main
from forensics.case.db import CaseDatabase
from forensics.case.models_analysis import FileThumbnail
from forensics.reports.sections import SECTIONS


def test_a_case_without_evidence_still_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("CUSTOS_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CUSTOS_EXAMINER", EXAMINER)
    run("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "1")
    run("case", "create", str(tmp_path / "case"), "--number", "EMPTY-1", "--title", "Nothing yet")
    run(
        "report",
        str(tmp_path / "case"),
        "--pdf",
        str(tmp_path / "r.pdf"),
        "--html",
        str(tmp_path / "r.html"),
        "--annex",
        "--now",
        NOW,
    )
    text = " ".join(pdf_text(tmp_path / "r.pdf").split())
    for _key, title in SECTIONS:
        assert title in text
    assert "No hash set was used." in text and "0 finding(s)." in text


def test_a_broken_thumbnail_is_left_out_of_the_annex(case, tmp_path):
    db = CaseDatabase(case.case_dir)
    try:
        with db.session() as s:
            s.execute(update(FileThumbnail).values(data=b"not a jpeg"))
    finally:
        db.close()
    run("report", str(case.case_dir), "--pdf", str(tmp_path / "r.pdf"), "--annex", "--now", NOW)
    assert pdf_image_pages(tmp_path / "r.pdf") == []


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "{case}", "--now", NOW],
        ["report", "{case}", "--html", "{out}", "--unblurred-annex"],
        ["report", "{case}", "--html", "{out}", "--now", "yesterday"],
    ],
)
def test_bad_options_are_refused_clearly(case, tmp_path, capsys, argv):
    out = Path(tmp_path / "r.html")
    status = main([a.format(case=case.case_dir, out=out) for a in argv])
    assert status == 2
    assert "custos: error:" in capsys.readouterr().err
    assert not out.exists()
