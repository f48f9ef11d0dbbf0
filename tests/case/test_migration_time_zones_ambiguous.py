"""Migration 0015 on a case that holds data: file systems rebuilt under a new unique key, nothing lost.

SQLite keeps a unique key in the table's definition, so ``filesystems`` is rebuilt; ``files`` and
``ingest_errors`` point at it, which a plain batch rebuild with foreign keys on refuses. The case here is
migrated to 0007 by alembic itself and filled through SQL, as an older build would have left it, then
opened (every later revision runs).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from forensics.case.db import HEAD_REVISION, CaseDatabase, alembic_config, case_db_path, make_engine

ROWS = (
    "INSERT INTO evidence (id, item, path, segments_json, container, added_at) "
    "VALUES (1, 'E', 'p', '[]', 'raw', 't')",
    "INSERT INTO filesystems (id, evidence_id, \"offset\", fs_type, status, enumerated) VALUES "
    "(1, 1, 0, 'ext2', 'ok', 1), (2, 1, 1048576, 'ntfs', 'ok', 1)",
    "INSERT INTO files (id, evidence_id, filesystem_id, seq, path, name, kind, allocated, deleted, orphan, "
    "meta_reallocated, has_metadata, tasks_mask, status) VALUES "
    "(1, 1, 1, 0, '/a', 'a', 'file', 1, 0, 0, 0, 1, 0, 'done'), "
    "(2, 1, 2, 0, '/b', 'b', 'file', 1, 0, 0, 0, 1, 0, 'done')",
    "INSERT INTO ingest_errors (evidence_id, filesystem_id, file_id, stage, message, at) "
    "VALUES (1, 2, 2, 'enumerate', 'note', 't')",
)  # fmt: skip


REVISION = "0015_time_zones_ambiguous_fs"

SECOND_TYPE = (
    'INSERT INTO filesystems (evidence_id, "offset", fs_type, status, enumerated) '
    "VALUES (1, 0, 'fat16', 'ok', 0)"
)


def _old_case(folder: Path) -> Path:
    folder.mkdir()
    engine = make_engine(f"sqlite:///{case_db_path(folder)}")
    command.upgrade(alembic_config(engine), "0007_ingest_error_filesystem")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    engine.dispose()
    return folder


def test_a_case_with_data_is_migrated_whole(tmp_path: Path) -> None:
    db = CaseDatabase(_old_case(tmp_path / "case"))
    try:
        with db.engine.connect() as connection:
            assert (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
            )
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
            rows = connection.execute(
                text('SELECT id, "offset", fs_type, ambiguous, notes FROM filesystems ORDER BY id')
            ).all()
            assert rows == [(1, 0, "ext2", 0, None), (2, 1048576, "ntfs", 0, None)]
            assert connection.execute(
                text("SELECT filesystem_id FROM files ORDER BY id")
            ).scalars().all() == [1, 2]
            assert connection.execute(text("SELECT time_zone FROM evidence")).scalar() is None
        with db.engine.begin() as connection:  # a second type at an offset is now allowed
            connection.execute(text(SECOND_TYPE))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:  # the same type twice is not
            connection.execute(text(SECOND_TYPE))
    finally:
        db.close()


def test_the_migration_goes_back(tmp_path: Path) -> None:
    folder = _old_case(tmp_path / "case")
    CaseDatabase(folder).close()
    engine = make_engine(f"sqlite:///{case_db_path(folder)}")
    try:
        config = alembic_config(engine)
        previous = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
        command.downgrade(config, previous)
        with engine.connect() as connection:
            columns = {row[1] for row in connection.execute(text("PRAGMA table_info(filesystems)"))}
            assert "ambiguous" not in columns and "notes" not in columns
            assert connection.execute(text("SELECT count(*) FROM files")).scalar() == 2
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    finally:
        engine.dispose()
