"""The case database: made by migrations at open, equal to the models, WAL, files with a parent relation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from forensics.case.db import HEAD_REVISION, CaseDatabase, current_revision, head_revision
from forensics.case.models import Evidence, File, FileSystem, Volume
from forensics.case.queries.files import iter_file_records
from forensics.case.schema import metadata
from forensics.case.store import get_evidence, record_evidence
from forensics.core.errors import CaseError
from forensics.evidence.survey import survey_image
from tests.case.old_cases import new_and_old_case_params, new_or_old_case
from tests.data.expected import PLASO_IMAGE_SPLIT_E01, SLEUTHKIT_MMLS_1, TSK_VOLUME_SYSTEM_PARTITIONS
from tests.fixtures import FixtureImage, assert_unchanged

CORE_TABLES = (
    "case_info",
    "evidence",
    "verifications",
    "volumes",
    "filesystems",
    "files",
    "ingest_jobs",
    "ingest_errors",
)


@pytest.fixture
def db(tmp_path: Path):
    database = CaseDatabase(tmp_path / "case", create=True)
    yield database
    database.close()


def test_open_refuses_a_folder_that_is_not_a_case(tmp_path: Path) -> None:
    with pytest.raises(CaseError, match="not a Custos case"):
        CaseDatabase(tmp_path)


@pytest.mark.parametrize("saved", new_and_old_case_params(schema_dependent=True))
def test_migrated_schema_equals_models_and_uses_wal(saved: str | None, tmp_path: Path) -> None:
    """A new case, and every case saved by an earlier build once migrated (``old_cases.py``)."""
    db = new_or_old_case(saved, tmp_path)
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
            tables = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars())
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        db.close()
    core = [d for d in diffs if any(t in str(d) for t in CORE_TABLES)]
    assert core == []
    assert set(CORE_TABLES) <= tables


def test_reopen_keeps_data_and_revision(tmp_path: Path) -> None:
    first = CaseDatabase(tmp_path, create=True)
    with first.session() as s:
        s.add(
            Evidence(
                item="E1", path="/x", segments_json="[]", container="raw", added_at="2026-01-01T00:00:00Z"
            )
        )
    first.close()
    again = CaseDatabase(tmp_path)
    with again.session() as s:
        assert s.scalar(select(Evidence.item)) == "E1"
    again.close()


def _record(db: CaseDatabase, item: str, image: Path) -> int:
    with assert_unchanged([image]):
        survey = survey_image(image)
    with db.session() as s:
        return record_evidence(s, item, survey, {"seal_number": "SB-1", "description": "disk"}, "Alice").id


def test_record_evidence_stores_volumes_and_file_systems(db: CaseDatabase) -> None:
    with assert_unchanged(SLEUTHKIT_MMLS_1.paths):
        _record(db, "EXH-1", SLEUTHKIT_MMLS_1.path)
    with db.session() as s:
        evidence = get_evidence(s, "EXH-1")
        assert (evidence.container, evidence.media_size, evidence.volume_system) == ("ewf", 62915072, "dos")
        assert (evidence.stored_md5, evidence.stored_sha1) == (
            SLEUTHKIT_MMLS_1.stored_md5,
            SLEUTHKIT_MMLS_1.stored_sha1,
        )
        assert evidence.seal_number == "SB-1"
        volumes = [
            (v.addr, v.start_sector, v.length_sectors, v.description, v.flags) for v in evidence.volumes
        ]
        assert volumes == [
            (p.addr, p.start, p.length, p.description, p.flags) for p in SLEUTHKIT_MMLS_1.partitions
        ]
        fss = [(f.offset, f.fs_type, f.status) for f in evidence.filesystems]
        assert fss == [(fs.offset, "ntfs", "ok") for fs in SLEUTHKIT_MMLS_1.filesystems]
        by_offset = {v.offset: v.id for v in evidence.volumes if v.kind == "allocated"}
        assert all(f.volume_id == by_offset[f.offset] for f in evidence.filesystems)
        meta = json.loads(evidence.container_meta_json)
        assert meta["stored_hashes"]["md5"] == SLEUTHKIT_MMLS_1.stored_md5


def test_split_e01_partition_table_in_volumes_table(db: CaseDatabase) -> None:
    with assert_unchanged(PLASO_IMAGE_SPLIT_E01.paths):
        _record(db, "P", PLASO_IMAGE_SPLIT_E01.path)
    with db.session() as s:
        rows = s.execute(
            select(
                Volume.addr, Volume.start_sector, Volume.length_sectors, Volume.description, Volume.flags
            ).order_by(Volume.addr)
        ).all()
        statuses = s.execute(select(FileSystem.offset, FileSystem.status).order_by(FileSystem.offset)).all()
    assert [tuple(r) for r in rows] == [
        (p.addr, p.start, p.length, p.description, p.flags) for p in TSK_VOLUME_SYSTEM_PARTITIONS
    ]
    assert [tuple(r) for r in statuses] == [(512, "unrecognised"), (352 * 512, "ok")]


def test_multisegment_e01_header_recorded(db: CaseDatabase, fixture_e01_multiseg: FixtureImage) -> None:
    with assert_unchanged(fixture_e01_multiseg.evidence_files):
        _record(db, "M", fixture_e01_multiseg.image)
    with db.session() as s:
        evidence = get_evidence(s, "M")
        header = json.loads(evidence.container_meta_json)["header"]
        segments = json.loads(evidence.segments_json)
    assert {
        k: header[k] for k in fixture_e01_multiseg.facts["evidence"]["ewf"]["headers"]
    } == fixture_e01_multiseg.facts["evidence"]["ewf"]["headers"]
    assert [Path(p).name for p in segments] == [p.name for p in fixture_e01_multiseg.segments]


def test_duplicate_item_refused(db: CaseDatabase) -> None:
    _record(db, "EXH-1", PLASO_IMAGE_SPLIT_E01.path)
    with pytest.raises(CaseError, match="already exists"):
        _record(db, "EXH-1", PLASO_IMAGE_SPLIT_E01.path)


def test_files_have_a_parent_relation_and_listing_fields(db: CaseDatabase) -> None:
    evidence_id = _record(db, "P", PLASO_IMAGE_SPLIT_E01.path)
    with db.session() as s:
        fs_id = s.scalar(select(FileSystem.id).where(FileSystem.status == "ok"))
        common = dict(
            evidence_id=evidence_id,
            filesystem_id=fs_id,
            kind="file",
            allocated=True,
            deleted=False,
            orphan=False,
        )
        archive = File(
            seq=0, path="/a.zip", name="a.zip", size=10, mtime_ns=1_500_000_000_123_456_789, **common
        )
        s.add(archive)
        s.flush()
        s.add(File(seq=0, parent_id=archive.id, path="/a.zip/inner.txt", name="inner.txt", size=3, **common))
        s.flush()
        # The same walk position twice at the top level, then a parent that does not exist.
        for bad in (
            File(seq=0, path="/b", name="b", **common),
            File(seq=1, parent_id=999_999, path="/c", name="c", **common),
        ):
            with pytest.raises(IntegrityError), s.begin_nested():
                s.add(bad)
                s.flush()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(File).where(File.parent_id.is_not(None))) == 1
        records = list(iter_file_records(s, "P"))
    assert [r["path"] for r in records] == ["/a.zip", "/a.zip/inner.txt"]
    assert records[0]["mtime"] == "2017-07-14T02:40:00.123456789Z"
    assert records[0]["partition_offset"] == 352 * 512 and records[0]["fs_type"] == "ext2"


def test_the_recorded_head_is_the_newest_migration() -> None:
    """``HEAD_REVISION`` (compared at every open without alembic) is what alembic finds in the folder."""
    assert head_revision() == HEAD_REVISION


def test_an_up_to_date_case_opens_without_importing_alembic(tmp_path) -> None:
    CaseDatabase(tmp_path / "case", create=True).close()
    code = (
        "import sys; from forensics.case.db import CaseDatabase; "
        f"CaseDatabase({str(tmp_path / 'case')!r}).close(); "
        "print(any(m == 'alembic' or m.startswith('alembic.') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
