"""``custos selftest``: the bundled reference answers, the checks, the report, and how failures show."""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from pathlib import Path

import pytest
from markupsafe import escape

from app.cli import main
from forensics.core.resources import resources_dir
from forensics.selftest import render_html, run_selftest, write_validation_report
from forensics.selftest.check_images import KIND_BY_LETTER
from forensics.selftest.reference import load_reference
from tests.data.expected import DATA_DIR, IMAGES_BY_KEY

REFERENCE = resources_dir() / "selftest"
AREAS = {
    "stored hash",
    "media",
    "media hash",
    "file system",
    "listing",
    "file hash",
    "negative",
    "PDQ",
    "imagehash",
    "EXIF",
    "file type",
    "read-only",
}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def bundled_run():
    return run_selftest()


def test_every_check_passes_on_the_bundled_reference(bundled_run) -> None:
    assert bundled_run.failed == []
    assert bundled_run.verdict == "PASS"
    assert {check.area for check in bundled_run.checks} == AREAS
    assert len(bundled_run.checks) >= 70
    assert all(check.source for check in bundled_run.checks)


def test_run_states_components_machine_and_times(bundled_run) -> None:
    names = {component.name for component in bundled_run.components}
    assert {"The Sleuth Kit", "libewf (pyewf)", "libmagic", "pdqhash", "imagehash", "ExifRead"} <= names
    assert all(component.version for component in bundled_run.components)
    assert {"host", "operating system", "Python"} <= set(bundled_run.machine)
    assert bundled_run.started_utc.endswith("Z") and bundled_run.finished_utc >= bundled_run.started_utc


def test_reference_files_are_byte_identical_copies_of_the_test_data() -> None:
    """Each bundled file is one of tests/data's third-party files, unchanged, with a NOTICE beside it."""
    test_files = {_sha256(p): p for p in DATA_DIR.rglob("*") if p.is_file() and p.stat().st_size < 400_000}
    for path in load_reference().files():
        assert _sha256(path) in test_files, f"{path} is not a copy of a tests/data file"
        assert (path.parent / "NOTICE.md").is_file()


def test_expected_listings_agree_with_the_independent_transcription() -> None:
    """expected.toml restates tests/data/expected.py (both transcribed from the publishers' data)."""
    for image in load_reference().images:
        published = IMAGES_BY_KEY[image.name]
        assert image.stored_md5 == published.stored_md5
        assert image.media_md5 == published.media_md5
        assert image.media_size == published.media_size
        rows = {row.path: row for fs in published.filesystems for row in fs.files}
        for entry in image.files:
            row = rows[entry.path]
            assert entry.deleted == (not row.allocated)
            if not entry.deleted:
                assert (entry.inode, entry.kind, entry.size) == (row.inode, row.kind, row.size)
                assert entry.kind in KIND_BY_LETTER
            assert entry.md5 in (None, row.md5) and entry.sha1 in (None, row.sha1)


def _copy_resources(tmp_path: Path) -> Path:
    copy = tmp_path / "resources"
    shutil.copytree(resources_dir(), copy)
    return copy


def _edit_expected(reference: Path, old: str, new: str) -> None:
    path = reference / "expected.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    tomllib.loads(path.read_text(encoding="utf-8"))


def test_a_wrong_answer_fails_its_check_and_the_run(tmp_path: Path) -> None:
    reference = _copy_resources(tmp_path) / "selftest"
    published_pdq = "fb4eed46cb8a6c78819ca06b756c541f7b07ef6d02c82fccd00f862166272cda"
    _edit_expected(reference, published_pdq, "0" * 64)
    run = run_selftest(reference)
    assert [(c.area, c.subject, c.what) for c in run.failed] == [
        ("PDQ", "ThreatExchange/rgb.jpeg", "PDQ hash")
    ]
    assert run.failed[0].observed == published_pdq
    assert run.verdict == "FAIL"


def test_damaged_reference_files_fail_their_checks_without_stopping_the_run(tmp_path: Path) -> None:
    reference = _copy_resources(tmp_path) / "selftest"
    (reference / "dfvfs" / "ext2.E01").unlink()
    truncated = reference / "ThreatExchange" / "LA.png"
    truncated.write_bytes(truncated.read_bytes()[:200])
    run = run_selftest(reference)
    failed_subjects = {check.subject for check in run.failed}
    assert failed_subjects == {"dfvfs/ext2.E01", "ThreatExchange/LA.png"}
    # Everything else was still checked and passed.
    assert any(c.subject == "sleuthkit/image.dd" and c.passed for c in run.checks)
    assert any(c.subject == "exif-py/Canon_40D.jpg" and c.passed for c in run.checks)


def test_report_lists_every_check_with_expected_and_observed(bundled_run, tmp_path: Path) -> None:
    html_path, pdf_path = write_validation_report(bundled_run, tmp_path / "out")
    assert pdf_path.read_bytes().startswith(b"%PDF") and pdf_path.stat().st_size > 5000
    html = html_path.read_text(encoding="utf-8")
    assert html == render_html(bundled_run)
    for check in bundled_run.checks:
        assert str(escape(check.expected)) in html and str(escape(check.observed)) in html
    assert "PASS" in html and bundled_run.machine["host"] in html


def test_cli_writes_the_report_and_exits_zero(tmp_path: Path, capsys) -> None:
    assert main(["selftest", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out
    assert len(list(tmp_path.glob("validation-*.pdf"))) == 1
    assert len(list(tmp_path.glob("validation-*.html"))) == 1


def test_cli_exits_one_and_names_the_failure(tmp_path: Path, capsys, monkeypatch) -> None:
    resources = _copy_resources(tmp_path)
    _edit_expected(resources / "selftest", 'phash = "ba8c84536bd3c366"', 'phash = "ba8c84536bd3c367"')
    monkeypatch.setenv("CUSTOS_RESOURCES", str(resources))
    assert main(["selftest", "--out", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert "FAIL" in captured.out
    assert (
        "imagehash/imagehash.png: pHash: expected ba8c84536bd3c367, observed ba8c84536bd3c366" in captured.err
    )
    assert list((tmp_path / "out").glob("validation-*.pdf"))


def test_every_bundled_reference_file_is_named_in_its_notice_with_its_sha256() -> None:
    for path in load_reference().files():
        notice = (path.parent / "NOTICE.md").read_text(encoding="utf-8")
        assert f"`{path.name}`" in notice and _sha256(path) in notice, path
