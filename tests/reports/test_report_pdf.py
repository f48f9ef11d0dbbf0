"""The PDF report, driven through ``custos report``: sections, hashes, findings, page furniture, custody."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from report_case import CASE_NUMBER, EXT2_STORED_MD5, NOW, run
from report_helpers import pdf_image_pages, pdf_pages, pdf_text, report_events, sha256_file

from forensics.custody.verify import verify_case
from forensics.reports.sections import ANNEX_TITLE, SECTIONS
from tests.backends import copy_case_folder
from tests.data.expected import PASSWORDS_MD5, PASSWORDS_SHA1


def _report(case_dir: Path, out: Path, *extra: str) -> Path:
    pdf = out / "report.pdf"
    run(
        "report",
        str(case_dir),
        "--pdf",
        str(pdf),
        "--now",
        NOW,
        "--reviewer",
        "Bob Reviewer",
        "--authority",
        "Warrant 12/2026",
        "--request",
        "Find known material",
        *extra,
    )
    return pdf


def test_pdf_has_every_section_hash_and_finding(case, tmp_path):
    pdf = _report(case.case_dir, tmp_path)
    text = " ".join(pdf_text(pdf).split())
    for _key, title in SECTIONS:
        assert title in text
    assert EXT2_STORED_MD5 in text  # the E01's stored acquisition MD5, as dfvfs published it
    assert "MATCH" in text
    assert "Warrant 12/2026" in text and "Bob Reviewer" in text
    for path, md5 in (("/passwords.txt", PASSWORDS_MD5), ("/DSCN0010.jpg", case.photo_md5["DSCN0010.jpg"])):
        assert path in text
        assert md5 in text
    assert PASSWORDS_SHA1 in text
    assert "Finding 1:" in text and "Finding 2:" in text and "Finding 3:" not in text
    assert "exact MD5" in text
    # The examiner's grade (category 1) is shown beside the list's (category 2) for the photo.
    assert "Child Abuse Material (CAM)" in text and "Child Exploitive (Non-CAM) Age Difficult" in text


def test_every_page_has_case_number_and_page_n_of_m(case, tmp_path):
    pages = pdf_pages(_report(case.case_dir, tmp_path))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert f"Case number {CASE_NUMBER}" in page


def test_no_image_in_the_body_and_a_blurred_annex_only_on_request(case, tmp_path):
    plain = _report(case.case_dir, tmp_path / "plain")
    assert pdf_image_pages(plain) == []
    assert ANNEX_TITLE not in pdf_text(plain)
    annexed = _report(case.case_dir, tmp_path / "annex", "--annex")
    pages = pdf_pages(annexed)
    annex_start = next(i for i, page in enumerate(pages, start=1) if ANNEX_TITLE in page)
    images = pdf_image_pages(annexed)
    assert images, "the annex shows the matched photo"
    assert min(images) >= annex_start
    assert "Images are blurred" in pages[annex_start - 1]


def test_report_sha256_is_a_custody_event(case, tmp_path):
    pdf = _report(case.case_dir, tmp_path)
    events = report_events(case.case_dir)
    assert len(events) == 1
    outputs = events[0]["outputs"]
    assert outputs == [
        {"format": "pdf", "name": "report.pdf", "bytes": pdf.stat().st_size, "sha256": sha256_file(pdf)}
    ]
    assert events[0]["kind"] == "report" and events[0]["generated_at"] == NOW
    assert verify_case(case.case_dir).ok  # the chain (with the new event) still verifies


def test_same_case_and_clock_give_identical_pdf(case, tmp_path, monkeypatch):
    twin = tmp_path / "twin"
    copy_case_folder(case.case_dir, twin)
    shutil.copytree(tmp_path / "witness", tmp_path / "twin-witness")
    first = _report(case.case_dir, tmp_path / "a")
    monkeypatch.setenv("CUSTOS_WITNESS_DIR", str(tmp_path / "twin-witness"))  # the twin's own workstation
    second = _report(twin, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()


def test_pages_render(case, tmp_path):
    pdf = _report(case.case_dir, tmp_path, "--annex")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == len(pdf_pages(pdf))
    assert all(p.stat().st_size > 1000 for p in rendered)


def test_report_id_and_date_come_from_the_fixed_clock(case, tmp_path):
    text = pdf_text(_report(case.case_dir, tmp_path))
    assert re.search(rf"Report\s+{CASE_NUMBER}-R20261122T120000Z", text)
    assert NOW in text
