"""Bulk row writes through the DBAPI cursor give the rows SQLAlchemy's own statements give."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    select,
    update,
)

from forensics.case.bulk import insert_rows, update_rows


@pytest.fixture()
def tables():
    engine = create_engine("sqlite://")
    metadata = MetaData()
    columns = lambda: [  # noqa: E731
        Column("id", Integer, primary_key=True),
        Column("name", String),
        Column("deleted", Boolean),
        Column("size", Integer),
    ]
    ours, theirs = Table("ours", metadata, *columns()), Table("theirs", metadata, *columns())
    metadata.create_all(engine)
    return engine, ours, theirs


ROWS = [
    {"id": 1, "name": "a.txt", "deleted": False, "size": 3},
    {"id": 2, "name": "b'; DROP TABLE ours; --", "deleted": True, "size": None},
    {"id": 3, "name": "ü.jpg", "deleted": None, "size": 2**40},
]


def test_insert_and_update_equal_sqlalchemy_statements(tables):
    engine, ours, theirs = tables
    changes = [{"id": 2, "size": 7, "name": "c"}, {"id": 3, "size": 0, "name": None}]
    with engine.begin() as connection:
        insert_rows(connection, ours, ROWS)
        connection.execute(insert(theirs), ROWS)
        update_rows(connection, ours, "id", changes)
        for change in changes:
            connection.execute(update(theirs).where(theirs.c.id == change["id"]).values(**change))
    with engine.connect() as connection:
        mine = connection.execute(select(ours).order_by(ours.c.id)).all()
        reference = connection.execute(select(theirs).order_by(theirs.c.id)).all()
    assert mine == reference
    assert mine[1] == (2, "c", True, 7)


def test_single_column_rows_and_empty_batches(tables):
    engine, ours, _ = tables
    with engine.begin() as connection:
        insert_rows(connection, ours, [])
        insert_rows(connection, ours, [{"name": "only"}])
        update_rows(connection, ours, "id", [])
        update_rows(connection, ours, "name", [{"name": "only", "size": 5}])
    with engine.connect() as connection:
        assert connection.execute(select(ours.c.name, ours.c.size)).all() == [("only", 5)]


def test_unknown_column_is_refused_before_any_write(tables):
    engine, ours, _ = tables
    with engine.begin() as connection:
        with pytest.raises(ValueError, match="no column"):
            insert_rows(connection, ours, [{"id": 1, "nmae": "typo"}])
        with pytest.raises(ValueError, match="no column"):
            update_rows(connection, ours, "id", [{"id": 1, "sise": 2}])
        assert connection.execute(select(ours)).all() == []


def test_columns_with_client_side_defaults_must_be_given():
    engine = create_engine("sqlite://")
    metadata = MetaData()
    table = Table(
        "t",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("status", String, default="pending"),
        Column("stamp", String, onupdate="later"),
        Column("mask", Integer, default=0, server_default="0"),
    )
    metadata.create_all(engine)
    with engine.begin() as connection:
        with pytest.raises(ValueError, match="status"):
            insert_rows(connection, table, [{"id": 1}])
        insert_rows(connection, table, [{"id": 1, "status": "done"}])  # server default fills mask
        with pytest.raises(ValueError, match="stamp"):
            update_rows(connection, table, "id", [{"id": 1, "status": "x"}])
        update_rows(connection, table, "id", [{"id": 1, "status": "x", "stamp": "now"}])
        assert connection.execute(select(table)).all() == [(1, "x", "now", 0)]
