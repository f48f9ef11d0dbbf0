"""``custos verify`` of an E01 with a damaged chunk: mismatch, the sectors named, recorded and reported."""

from __future__ import annotations

import json
from pathlib import Path

import pyewf
import pytest
from sqlalchemy import select

from forensics.case.models import Verification
from tests.app.cli_helpers import case_db, cli, new_case
from tests.evidence.damaged_ewf import CHUNK, damaged_e01
from tests.fixtures import FixtureImage, assert_unchanged
from tests.reports.report_helpers import pdf_text

pytestmark = pytest.mark.skipif(
    not hasattr(pyewf.handle, "get_checksum_errors"), reason="stock libewf-python"
)


def test_verify_names_recorded_and_reports_the_damaged_sectors(
    tmp_path: Path, capsys, fixture_ext4_deleted: FixtureImage
) -> None:
    segment, index = damaged_e01(tmp_path, fixture_ext4_deleted.image, "deflated")
    first = index * CHUNK // 512
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged([segment]):
        added = cli(capsys, "evidence", "add", case, segment, "--item", "D", "--no-verify")
        assert added.code == 0
        run = cli(capsys, "verify", case, "--item", "D")
    assert run.code == 1 and "VERIFICATION FAILURE" in run.err
    assert f"custos: Damaged EWF chunk: sectors {first}-{first + 63}" in run.err
    with case_db(case) as db, db.session() as s:
        [row] = s.scalars(select(Verification)).all()
    assert json.loads(row.comparisons_json)["damaged_sectors"] == [[first, 64]]
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    now = "2026-11-22T12:00:00Z"
    assert cli(capsys, "report", case, "--html", html, "--pdf", pdf, "--now", now).code == 0
    assert f"Damaged EWF chunk: sectors {first}-{first + 63}" in html.read_text(encoding="utf-8")
    assert f"Damaged EWF chunk: sectors {first}-{first + 63}" in " ".join(pdf_text(pdf).split())
