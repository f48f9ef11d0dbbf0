"""Sealed results: every job seals what it wrote; an edit, insertion or deletion of a result row made
outside Custos is named by both verifiers, shown in the next report, and never absorbed by a later job."""

from __future__ import annotations

import importlib.util
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from forensics.case.seal import SEALED_TABLES
from forensics.core.progress import CancelToken
from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.pipeline.ingest import run_job, start_job
from forensics.pipeline.processing_profiles import load_profile
from forensics.reports.collect import ReportOptions
from forensics.services import cases, evidence, ingest, matching, reports, review
from forensics.services.context import CaseContext
from tests.data.expected import SLEUTHKIT_IMAGE_DD

ALICE = "Alice Sealer"
PASSPHRASE = "sealing passphrase"
VERIFIER = Path(__file__).resolve().parents[2] / "resources" / "tools" / "verify_custody.py"


def independent_problems(case_dir: Path) -> list[str] | None:
    """What the independent verifier (no Custos code) finds wrong with the results."""
    spec = importlib.util.spec_from_file_location("verify_custody_sealed", VERIFIER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.check_results(case_dir, module.read_rows(case_dir))


@pytest.fixture
def worked(tmp_path: Path):
    """A case with one ingested item, a finding, and review marks: every kind of result row."""
    create_examiner(ALICE, "Lab", "S-1", PASSPHRASE)
    ctx = cases.create_case(
        tmp_path / "case", number="SEAL-1", title="seal", agency=None, examiner=ALICE, passphrase=PASSPHRASE
    )
    image = tmp_path / "image.dd"
    shutil.copyfile(SLEUTHKIT_IMAGE_DD.path, image)
    evidence.add_evidence(ctx, image, "EXH-1", {})
    ingest.ingest_item(ctx, "EXH-1", load_profile("hashes"), 1)
    with sqlite3.connect(ctx.case_dir / "case.db") as conn:
        md5s = [r[0] for r in conn.execute("SELECT md5 FROM files WHERE md5 IS NOT NULL ORDER BY id")]
    listed = tmp_path / "list.txt"
    listed.write_text(md5s[0] + "\n", encoding="ascii")
    library = tmp_path / "library.db"
    with HashSetLibrary(library) as lib:
        import_hash_set(lib, listed, ImportOptions(name="alerts", kind="alert", format="plain"))
    matching.match(ctx, str(library))
    file_ids = [
        r[0] for r in sqlite3.connect(ctx.case_dir / "case.db").execute("SELECT file_id FROM findings")
    ]
    review.categorise(ctx, file_ids, 1, "US")
    review.tag(ctx, file_ids, "seen")
    review.note(ctx, file_ids, "look again")
    yield ctx
    ctx.close()


def _sql(ctx: CaseContext, statement: str) -> None:
    with sqlite3.connect(ctx.case_dir / "case.db") as conn:
        conn.execute(statement)


def _one(ctx: CaseContext, query: str) -> int:
    with sqlite3.connect(ctx.case_dir / "case.db") as conn:
        return int(conn.execute(query).fetchone()[0])


def test_every_job_seals_and_a_worked_case_verifies(worked):
    jobs = [e.details["job"] for e in read_entries(worked.db, action="results_sealed")]
    assert jobs[0] == "ingest" and "match" in jobs and jobs.count("review") == 3
    report = verify_case(worked.case_dir)
    assert report.ok and report.results is not None and report.results.clean
    assert independent_problems(worked.case_dir) == []
    # every sealed table had rows to seal
    kept = {
        r[0] for r in sqlite3.connect(worked.case_dir / "case.db").execute("SELECT tbl FROM result_seal_rows")
    }
    assert kept >= {"files", "findings", "review_categories", "review_tags", "review_notes"}
    assert kept <= set(SEALED_TABLES)


@pytest.mark.parametrize(
    ("tamper", "kind", "partition"),
    [
        (
            "UPDATE files SET md5 = '00000000000000000000000000000000' WHERE id = {file}",
            "changed",
            "files/EXH-1",
        ),
        ("DELETE FROM findings WHERE id = {finding}", "vanished", "findings/EXH-1"),
        (
            "INSERT INTO review_notes (file_id, text, examiner, at) VALUES ({file}, 'planted', 'x', 'y')",
            "appeared",
            "review_notes/EXH-1",
        ),
        (
            "UPDATE review_categories SET category = 2 WHERE file_id = {file}",
            "changed",
            "review_categories/EXH-1",
        ),
        ("UPDATE findings SET file_id = 999999 WHERE id = {finding}", "vanished", "findings/EXH-1"),
    ],
)
def test_a_result_edited_outside_custos_is_named(worked, tamper, kind, partition):
    file_id = _one(worked, "SELECT MIN(file_id) FROM findings")
    finding = _one(worked, "SELECT MIN(id) FROM findings")
    _sql(worked, tamper.format(file=file_id, finding=finding))
    report = verify_case(worked.case_dir)
    assert report.failure is None and not report.ok  # the chain holds; the results do not
    assert report.results is not None
    assert partition in getattr(report.results, kind)
    assert any(partition in line for line in independent_problems(worked.case_dir) or [])


def test_rewriting_the_kept_digests_too_breaks_the_signed_root(worked):
    file_id = _one(worked, "SELECT MIN(id) FROM files WHERE md5 IS NOT NULL")
    _sql(worked, f"UPDATE files SET md5 = '00000000000000000000000000000000' WHERE id = {file_id}")
    # the forger also recomputes the kept leaf of the row: the signed root no longer matches
    with sqlite3.connect(worked.case_dir / "case.db") as conn:
        from forensics.case.seal import current_leaves

        leaf = dict(current_leaves(conn, "files", "EXH-1"))[(file_id, 0, 0)]
        conn.execute("UPDATE result_seal_rows SET leaf = ? WHERE tbl = 'files' AND k1 = ?", (leaf, file_id))
    report = verify_case(worked.case_dir)
    assert report.results is not None and report.results.tampered_seal == ["files/EXH-1"]
    assert not report.ok
    assert any("seal altered" in line for line in independent_problems(worked.case_dir) or [])


def test_a_report_after_an_edit_says_so_and_a_later_job_does_not_absorb_it(worked, tmp_path):
    finding = _one(worked, "SELECT MIN(id) FROM findings")
    _sql(worked, f"DELETE FROM findings WHERE id = {finding}")
    out = tmp_path / "report.html"
    reports.write_report(worked, {"html": out}, ReportOptions(), "2026-05-06T07:08:09Z")
    assert "NOT VERIFIED" in out.read_text(encoding="utf-8")
    assert not verify_case(worked.case_dir).ok  # the report did not reseal the deletion away
    # later jobs on other tables seal their own partitions: the deletion stays named
    ingest.ingest_item(worked, "EXH-1", load_profile("hashes"), 1)
    review.tag(worked, [_one(worked, "SELECT MIN(id) FROM files")], "again")
    report = verify_case(worked.case_dir)
    assert report.results is not None and "findings/EXH-1" in report.results.vanished
    assert not report.ok


def test_a_job_that_finds_an_edit_records_it_and_verification_fails_for_good(worked):
    file_id = _one(worked, "SELECT MIN(id) FROM files WHERE md5 IS NOT NULL")
    _sql(worked, f"UPDATE files SET md5 = '00000000000000000000000000000000' WHERE id = {file_id}")
    ingest.ingest_item(worked, "EXH-1", load_profile("hashes"), 1)  # a second run reseals the item
    last = list(read_entries(worked.db, action="results_sealed"))[-1]
    assert last.details["found_before"]["changed"]["files/EXH-1"]["keys"] == [str(file_id)]
    report = verify_case(worked.case_dir)
    assert report.results is not None and report.results.clean  # as sealed now ...
    assert not report.ok  # ... but the log says it was altered before that job
    assert [f.seq for f in report.found_by_jobs if not f.expected] == [last.seq]
    assert any(f"entry {last.seq}" in line for line in independent_problems(worked.case_dir) or [])


def test_an_interrupted_ingest_is_sealed_by_its_resume_as_its_own_rows(tmp_path):
    create_examiner(ALICE, "Lab", "S-1", PASSPHRASE)
    ctx = cases.create_case(
        tmp_path / "case", number="SEAL-2", title="seal", agency=None, examiner=ALICE, passphrase=PASSPHRASE
    )
    try:
        image = tmp_path / "image.dd"
        shutil.copyfile(SLEUTHKIT_IMAGE_DD.path, image)
        evidence.add_evidence(ctx, image, "EXH-1", {})
        evidence.verify_evidence(ctx, "EXH-1")  # the case's first seal
        # a job that wrote rows and ended without sealing, as a killed process leaves it
        profile = load_profile("hashes")
        job_id, _evidence_id, _resumed = start_job(ctx.db, "EXH-1", profile, 1)
        cancel = CancelToken()
        run_job(ctx.db, job_id, profile, 1, cancel=cancel, on_progress=lambda p: cancel.cancel())
        assert _one(ctx, "SELECT COUNT(*) FROM files") > 0
        assert not verify_case(ctx.case_dir).ok  # unsealed rows appeared since the last seal
        ingest.ingest_item(ctx, "EXH-1", profile, 1)
        report = verify_case(ctx.case_dir)
        assert report.ok, report.result_lines()
        assert [f.resumes for f in report.found_by_jobs] == [job_id]
        assert independent_problems(ctx.case_dir) == []
    finally:
        ctx.close()


def test_content_regions_and_the_region_a_finding_matched_are_sealed(tmp_path: Path):
    """``file_regions`` rows are sealed by the ingest that wrote them, ``finding_regions`` by the match."""
    from PIL import Image

    from forensics.hashsets.picture_list import build_picture_list

    photos = [Path(__file__).resolve().parents[1] / "data" / "pdqhash-python" / "images" / "image1.jpg"]
    create_examiner(ALICE, "Lab", "S-1", PASSPHRASE)
    ctx = cases.create_case(
        tmp_path / "case",
        number="SEAL-2",
        title="regions",
        agency=None,
        examiner=ALICE,
        passphrase=PASSPHRASE,
    )
    try:
        folder = tmp_path / "seized"
        folder.mkdir()
        photo = Image.open(photos[0]).convert("RGB")
        canvas = Image.new("RGB", (photo.width * 2, photo.height + 200), "black")
        canvas.paste(photo, (photo.width // 2, 100))  # letterboxed and pillarboxed copy
        canvas.save(folder / "boxed.jpg", quality=90)
        evidence.add_evidence(ctx, folder, "EXH-1", {})
        profile = load_profile("full")
        profile = replace(
            profile, tasks=profile.tasks - {"match"}, nested=None, embedded=False, carve=frozenset()
        )
        ingest.ingest_item(ctx, "EXH-1", profile, 1)
        listed = tmp_path / "lab-list.jsonl"
        assert build_picture_list(photos, listed, created_by=ALICE) == (1, [])
        library = tmp_path / "library.db"
        with HashSetLibrary(library) as lib:
            import_hash_set(lib, listed, ImportOptions(name="lab", kind="alert"))
        matching.match(ctx, str(library))
        assert _one(ctx, "SELECT COUNT(*) FROM file_regions WHERE kind != 'whole'") >= 1
        assert _one(ctx, "SELECT COUNT(*) FROM finding_regions WHERE region_kind IS NOT NULL") >= 1
        report = verify_case(ctx.case_dir)
        assert report.ok and report.results is not None and report.results.clean
        assert independent_problems(ctx.case_dir) == []
        kept = {
            r[0]
            for r in sqlite3.connect(ctx.case_dir / "case.db").execute("SELECT tbl FROM result_seal_rows")
        }
        assert {"file_regions", "finding_regions"} <= kept

        _sql(ctx, "UPDATE file_regions SET phash = '0000000000000000' WHERE kind != 'whole'")
        _sql(ctx, "UPDATE finding_regions SET x = x + 1")
        report = verify_case(ctx.case_dir)
        assert report.failure is None and not report.ok and report.results is not None
        assert {"file_regions/EXH-1", "finding_regions/EXH-1"} <= set(report.results.changed)
        problems = independent_problems(ctx.case_dir) or []
        assert any("file_regions/EXH-1" in line for line in problems)
        assert any("finding_regions/EXH-1" in line for line in problems)
    finally:
        ctx.close()
