"""Shared helpers of the pipeline tests: run an ingest through the engine API, list and check its rows."""

from __future__ import annotations

from forensics.case.db import CaseDatabase
from forensics.case.queries.files import iter_file_records
from forensics.pipeline.ingest import IngestOutcome, run_job, start_job
from forensics.pipeline.processing_profiles import ProcessingProfile, load_profile
from tests.fixtures import FixtureImage


def ingest(
    db: CaseDatabase, profile: ProcessingProfile | None = None, workers: int = 2, **kwargs
) -> IngestOutcome:
    """Create and run one ingest job of evidence item ``EXH-1``."""
    profile = profile or load_profile("hashes")
    job_id, _, _ = start_job(db, "EXH-1", profile, workers)
    return run_job(db, job_id, profile, workers, **kwargs)


def records(db: CaseDatabase) -> dict[str, dict]:
    """Every stored item keyed ``offset:path`` (row ids left out); fails if an item is stored twice."""
    with db.session() as s:
        rows = list(iter_file_records(s, "EXH-1"))
    keyed = {(r["partition_offset"], r["path"]): r for r in rows}
    assert len(keyed) == len(rows), "an item stored twice"
    return {f"{k[0]}:{k[1]}": {f: v for f, v in r.items() if f != "id"} for k, r in keyed.items()}


def check_facts(fixture: FixtureImage, stored: dict[str, dict]) -> None:
    """Every file the fixture's build script wrote is stored with its published digests."""
    for fact in fixture.files():
        path = fact["deleted_name"] if fact["deleted"] else fact["path"]
        row = stored[f"{fact['filesystem_offset']}:{path}"]
        assert row["deleted"] == fact["deleted"], path
        if fact["kind"] == "file":
            assert (row["md5"], row["sha1"], row["sha256"], row["status"]) == (
                fact["md5"],
                fact["sha1"],
                fact["sha256"],
                "done",
            ), path
