"""Ingest opens what items hold and carves unallocated space: every nested item listed, hashed, analysed,
stored below its parent with a locator chain that reopens its exact bytes."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from sqlalchemy import func, select

from forensics.case.content import read_item
from forensics.case.db import CaseDatabase
from forensics.case.models import File, IngestError
from forensics.case.queries.files import iter_file_records
from forensics.case.store import record_evidence
from forensics.core.progress import CancelToken
from forensics.evidence.survey import survey_image
from forensics.pipeline.processing_profiles import load_profile
from tests.fixtures import assert_unchanged
from tests.pipeline.helpers import ingest


def _records(db) -> list[dict]:
    with db.session() as s:
        return list(iter_file_records(s, "EXH-1"))


def _notes(db) -> list[str]:
    """What the job noted about items and what they hold (a defence's stop, a damaged container)."""
    with db.session() as s:
        return list(s.scalars(select(IngestError.message)))


# The engine on both case stores (tests/backends.py): members below a top-level item at the same walk
# position (one unique index is partial on both).
pytestmark = pytest.mark.usefixtures("case_backend")


def test_members_of_archives_documents_and_disk_images_are_items_with_their_md5(
    case_with, fixture_nested_archives
) -> None:
    db = case_with(fixture_nested_archives.image)
    outcome = ingest(db, load_profile("full"))
    assert outcome.status == "finished"
    rows = _records(db)
    by_id = {r["id"]: r for r in rows}
    facts = fixture_nested_archives.facts["nested"]
    for container, expected in facts.items():
        holders = [r for r in rows if r["path"] == f"/evidence/{container}"]
        assert len(holders) == 1, container
        below = [r for r in rows if r["parent_id"] == holders[0]["id"]]
        descendants = {r["id"] for r in below}
        grown = True
        while grown:  # everything below the container, at any depth
            more = {r["id"] for r in rows if r["parent_id"] in descendants} - descendants
            descendants |= more
            grown = bool(more)
        inside = [by_id[i] for i in descendants]
        for member in expected.get("members", []):
            if member.get("encrypted"):
                listed = [r for r in inside if r["path"] == member["path"]]
                assert listed and "encrypted" in listed[0]["flags"] and listed[0]["md5"] is None, container
                continue
            found = [r for r in inside if r["md5"] == member["md5"]]
            assert found, f"{container}: {member}"
            assert all(f"/evidence/{container}" in r["located"] for r in found)
            if member.get("unsafe") and member["path"].startswith(".."):  # a name that leaves its folder
                assert any("unsafe-name" in r["flags"] for r in found)
        if expected.get("levels"):  # a deep chain: the bottom member is found, the depth defence noted
            assert any(r["md5"] == expected["bottom"]["md5"] for r in inside) or any(
                "nesting depth" in note for note in _notes(db)
            )


def test_reopening_a_nested_item_gives_its_listed_bytes(case_with, fixture_nested_archives) -> None:
    db = case_with(fixture_nested_archives.image)
    ingest(db, load_profile("triage"))
    nested = [r for r in _records(db) if r["parent_id"] and r["md5"]]
    assert len(nested) > 40
    for record in nested:
        assert hashlib.md5(read_item(db, record["id"])).hexdigest() == record["md5"], record["located"]


def test_damaged_and_hostile_containers_are_notes_and_the_job_goes_on(
    case_with, fixture_nested_archives
) -> None:
    db = case_with(fixture_nested_archives.image)
    outcome = ingest(db, load_profile("triage"))
    assert outcome.status == "finished"
    notes = " | ".join(_notes(db))
    assert "corrupt.E01" in notes and "truncated-album.tar.gz" in notes and "nesting depth above" in notes
    with db.session() as s:
        pending = s.scalar(select(func.count()).select_from(File).where(File.status == "pending"))
    assert pending == 0


def test_a_second_run_and_a_resumed_run_add_no_item_twice(case_with, fixture_nested_archives) -> None:
    db = case_with(fixture_nested_archives.image)
    cancel = CancelToken()
    seen: list[int] = []

    def stop_soon(progress) -> None:
        seen.append(progress.items_done)
        if progress.items_done > 20:
            cancel.cancel()

    first = ingest(db, load_profile("triage"), cancel=cancel, on_progress=stop_soon)
    ingest(db, load_profile("triage"))
    once = sorted((r["parent_id"] or 0, r["path"], r["md5"] or "") for r in _records(db))
    ingest(db, load_profile("full"))  # a richer profile: the same items, analysed further
    again = sorted((r["parent_id"] or 0, r["path"], r["md5"] or "") for r in _records(db))
    assert first.status in ("cancelled", "finished")
    assert len(once) == len(set(once))
    assert set(once) <= set(again) and len(again) == len(set(again))


def test_progress_counts_nested_items_as_they_are_found(case_with, fixture_nested_archives) -> None:
    db = case_with(fixture_nested_archives.image)
    seen = []
    outcome = ingest(db, load_profile("hashes"), on_progress=lambda p: seen.append(dataclasses.replace(p)))
    rows = _records(db)
    assert seen[-1].items_done == seen[-1].items_total
    assert seen[-1].items_total >= len([r for r in rows if r["status"] in ("done", "error")])
    assert outcome.status == "finished" and any(r["parent_id"] for r in rows)
    assert not any(r["link"] == "carved" for r in rows)  # the hashes profile does not carve


def test_every_contiguous_deleted_file_is_carved_back_with_its_md5(case_with, fixture_carving_wiped) -> None:
    wiped = fixture_carving_wiped.facts["wiped"]
    for name, facts in wiped.items():
        db = case_with(fixture_carving_wiped.directory / name)
        ingest(db, load_profile("full"))
        rows = _records(db)
        carved = [r for r in rows if r["link"] == "carved"]
        valid = {r["md5"] for r in carved if "partial" not in r["flags"]}
        for file in facts["files"]:
            if file["contiguous"]:
                assert file["md5"] in valid, f"{name}: {file['name']}"
        for record in carved:
            assert record["located"].startswith(record["path"]) and "/$Unallocated" in record["located"]
            assert hashlib.md5(read_item(db, record["id"])).hexdigest() == record["md5"]


def test_bombs_are_stopped_with_a_note_and_the_job_ends(tmp_path, fixture_nested_bombs) -> None:
    """A 10 GiB-of-zeros member, a 42.zip-style nest and a 1 GiB gzip of zeros, as a folder of evidence."""
    bombs = [fixture_nested_bombs.directory / name for name in fixture_nested_bombs.facts["bombs"]]
    db = CaseDatabase(tmp_path / "case", create=True)
    with db.session() as s:
        record_evidence(s, "EXH-1", survey_image(fixture_nested_bombs.directory), {}, "Alice Example")
    with assert_unchanged(bombs):
        outcome = ingest(db, load_profile("triage"))
    assert outcome.status == "finished"
    notes = " | ".join(_notes(db))
    for bomb in fixture_nested_bombs.facts["bombs"]:
        assert bomb in notes, bomb
    assert "expansion ratio above" in notes
    rows = _records(db)
    expanded = sum(r["size"] or 0 for r in rows if r["parent_id"] and r["status"] == "done")
    assert expanded < 2 << 30  # nothing like the bombs' full expansion was read
