"""The lab's auto-ingest (``forensics.services.lab_watch``): manifests, atomic claims, takeover, cluster.

Real evidence (dfVFS's ext2.E01, tests/data/README.md), real cases with examiner keys; the cluster case on
the test's Dask scheduler and two workers (``tests/dask_cluster.py``).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forensics.case.db import CaseDatabase
from forensics.case.lab_claims import CLAIMED, FINISHED, claim_item, read_claim, settle_claim
from forensics.case.location import read_pointer
from forensics.case.models import Evidence, File, IngestJob
from forensics.core.progress import CancelToken
from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.services import cases
from forensics.services.context import CaseContext, open_case
from forensics.services.lab_manifest import MANIFEST_MAX_BYTES, ManifestError, read_manifest
from forensics.services.lab_watch import LabWatcher, WatchEvent
from tests.backends import CaseBackend
from tests.data.expected import DFVFS_EXT2_E01
from tests.fixtures import assert_unchanged

ALICE = "Alice Lab"
PASSPHRASE = "lab passphrase"


def _open_as(case_dir: Path, examiner: str) -> CaseContext:
    return open_case(case_dir, examiner, write=True, passphrase=PASSPHRASE)


@pytest.fixture
def lab(tmp_path: Path, case_backend: CaseBackend) -> Path:
    """A lab folder: one case of Alice's under cases/, an empty backlog folder under backlog/."""
    create_examiner(ALICE, "Lab", "A-1", PASSPHRASE)
    cases.create_case(
        tmp_path / "cases" / "C-1",
        number="C-1",
        title="lab",
        agency=None,
        examiner=ALICE,
        passphrase=PASSPHRASE,
    ).close()
    assert (read_pointer(tmp_path / "cases" / "C-1") is not None) == case_backend.is_postgres
    (tmp_path / "backlog").mkdir()
    return tmp_path


def write_manifest(folder: Path, name: str, **fields: object) -> Path:
    manifest = {
        "custos_manifest": 1,
        "case": "../cases/C-1",
        "item": name,
        "evidence": str(DFVFS_EXT2_E01.path),
        "examiner": ALICE,
        "profile": "hashes",
    } | fields
    path = folder / f"{name}.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def test_a_manifest_is_read_with_relative_paths_and_refused_with_its_problem(lab: Path) -> None:
    backlog = lab / "backlog"
    path = write_manifest(backlog, "EXH-1", intake={"seal": "41-7", "description": "phone"})
    manifest = read_manifest(path)
    assert manifest.case == (lab / "cases" / "C-1").resolve() and manifest.item == "EXH-1"
    assert manifest.intake == {"seal_number": "41-7", "description": "phone"}
    bad = {
        "version": ({"custos_manifest": 2}, '"custos_manifest" must be 1'),
        "unknown": ({"priority": "high"}, "unknown field(s) priority"),
        "empty": ({"item": " "}, '"item" must be a non-empty string'),
        "intake": ({"intake": {"colour": "red"}}, "unknown intake field(s) colour"),
    }
    for name, (change, message) in bad.items():
        with pytest.raises(
            ManifestError, match=f"{name}.json: .*{message}".replace("(", r"\(").replace(")", r"\)")
        ):
            read_manifest(write_manifest(backlog, name, **change))
    (backlog / "large.json").write_bytes(b" " * (MANIFEST_MAX_BYTES + 1))
    with pytest.raises(ManifestError, match="large.json: larger than"):
        read_manifest(backlog / "large.json")
    (backlog / "text.json").write_bytes(b"\xff{")
    with pytest.raises(ManifestError, match="text.json: not UTF-8 JSON"):
        read_manifest(backlog / "text.json")


def test_of_many_claims_on_one_item_at_once_exactly_one_wins(lab: Path) -> None:
    """Each claimant with its own connection, as watchers on several machines would be."""
    case = lab / "cases" / "C-1"
    barrier = threading.Barrier(8)
    won: list[str] = []

    def claim(name: str) -> None:
        db = CaseDatabase(case)
        try:
            barrier.wait()
            if claim_item(db, "EXH-1", "EXH-1.json", "0" * 64, name):
                won.append(name)
        finally:
            db.close()

    threads = [threading.Thread(target=claim, args=(f"watcher-{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    db = CaseDatabase(case)
    try:
        claim_record = read_claim(db, "EXH-1")
        assert claim_record is not None and claim_record.claimed_by == won[0]
        assert not settle_claim(db, "EXH-1", "someone-else", FINISHED, None)  # only the owner settles it
    finally:
        db.close()


def test_a_watcher_adds_verifies_and_ingests_each_manifest_once(lab: Path) -> None:
    backlog = lab / "backlog"
    write_manifest(backlog, "EXH-1")
    write_manifest(backlog, "EXH-2", intake={"seal": "B-2"})
    (backlog / "broken.json").write_text("{", encoding="utf-8")
    events: list[WatchEvent] = []
    watcher = LabWatcher(backlog, _open_as, on_event=events.append, workers=1, progress_seconds=0)
    with assert_unchanged([DFVFS_EXT2_E01.path]):
        watcher.run(CancelToken(), interval=0.1, until_idle=True)
        watcher.run(CancelToken(), interval=0.1, until_idle=True)  # again: nothing left to do
    states = [(e.manifest, e.state) for e in events if e.state != "progress"]
    assert states == [
        ("EXH-1.json", "claimed"),
        ("EXH-1.json", "intake"),
        ("EXH-1.json", "ingest"),
        ("EXH-1.json", "finished"),
        ("EXH-2.json", "claimed"),
        ("EXH-2.json", "intake"),
        ("EXH-2.json", "ingest"),
        ("EXH-2.json", "finished"),
        ("broken.json", "invalid"),
    ]
    assert any(e.state == "progress" and e.item == "EXH-1" for e in events)
    ctx = _open_as(lab / "cases" / "C-1", ALICE)
    try:
        with ctx.db.session() as s:
            assert s.scalar(select(Evidence.seal_number).where(Evidence.item == "EXH-2")) == "B-2"
            jobs = s.execute(select(IngestJob.evidence_id, IngestJob.status)).all()
            assert sorted(status for _, status in jobs) == ["finished", "finished"]
            assert s.scalar(select(func.count()).select_from(File).where(File.md5.is_not(None))) > 0
        for item in ("EXH-1", "EXH-2"):
            claim_record = read_claim(ctx.db, item)
            assert claim_record is not None and claim_record.status == FINISHED
            assert claim_record.claimed_by == watcher.name and claim_record.job_id is not None
        actions = [(e.action, e.item) for e in read_entries(ctx.db) if e.action != "results_sealed"]
        for item in ("EXH-1", "EXH-2"):
            assert [a for a, i in actions if i == item][:1] == ["evidence_intake"]
            assert ("acquisition_verified", item) in actions and ("ingest_finished", item) in actions
    finally:
        ctx.close()
    assert verify_case(lab / "cases" / "C-1").ok


def test_a_claim_left_by_a_watcher_that_went_away_is_taken_over_and_resumed(lab: Path) -> None:
    backlog = lab / "backlog"
    write_manifest(backlog, "EXH-1")
    db = CaseDatabase(lab / "cases" / "C-1")
    try:
        assert claim_item(db, "EXH-1", "EXH-1.json", "0" * 64, "lost-host:1:dead")
    finally:
        db.close()
    events: list[WatchEvent] = []
    watcher = LabWatcher(backlog, _open_as, on_event=events.append, workers=1)
    watcher.run(CancelToken(), interval=0.1, until_idle=True)
    claimed = [e.message for e in events if e.state == "claimed"]
    assert claimed == [f"taken over from lost-host:1:dead ({CLAIMED}) by {watcher.name}"]
    db = CaseDatabase(lab / "cases" / "C-1")
    try:
        claim_record = read_claim(db, "EXH-1")
        assert claim_record is not None and claim_record.takeovers == 1 and claim_record.status == FINISHED
    finally:
        db.close()


def test_a_manifest_whose_evidence_is_missing_fails_with_its_reason(lab: Path) -> None:
    backlog = lab / "backlog"
    write_manifest(backlog, "EXH-9", evidence="../images/none.E01")
    events: list[WatchEvent] = []
    LabWatcher(backlog, _open_as, on_event=events.append).run(CancelToken(), interval=0.1, until_idle=True)
    failed = [e for e in events if e.state == "failed"]
    assert len(failed) == 1 and "images/none.E01 not found" in failed[0].message
    db = CaseDatabase(lab / "cases" / "C-1")
    try:
        claim_record = read_claim(db, "EXH-9")
        assert claim_record is not None and claim_record.status == "failed"
        assert claim_record.error is not None and "not found" in claim_record.error
    finally:
        db.close()


@pytest.mark.slow
def test_a_watcher_runs_its_jobs_on_the_cluster(lab: Path, dask) -> None:  # noqa: ANN001 - the fixture
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install distributed)")
    backlog = lab / "backlog"
    write_manifest(backlog, "EXH-1")
    events: list[WatchEvent] = []
    LabWatcher(backlog, _open_as, cluster=dask.address, on_event=events.append).run(
        CancelToken(), interval=0.1, until_idle=True
    )
    (finished,) = [e for e in events if e.state == "finished"]
    assert "on " in finished.message and "tcp://127.0.0.1:" in finished.message
    assert finished.items_done == finished.items_total > 0
