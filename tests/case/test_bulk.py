"""Bulk row writes through the DBAPI cursor give the rows SQLAlchemy's own statements give."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Integer,
    LargeBinary,
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


def test_both_stores_give_the_rows_of_sqlalchemy_statements(case_backend, tmp_path):
    """On a case of each store (PostgreSQL: one statement of arrays per call): a reserved word as a column
    name, ints among floats, bytes, NULLs everywhere, ids drawn in the rows' order, a key updated twice."""
    from forensics.case.db import CaseDatabase

    db = CaseDatabase(tmp_path / "case", create=True)
    assert db.is_postgres == case_backend.is_postgres
    metadata = MetaData()
    columns = lambda: [  # noqa: E731
        Column("id", Integer, primary_key=True),
        Column("offset", String(40)),
        Column("size", BigInteger),
        Column("ratio", Float),
        Column("deleted", Boolean),
        Column("data", LargeBinary),
    ]
    ours, theirs = Table("bulk_ours", metadata, *columns()), Table("bulk_theirs", metadata, *columns())
    rows = [
        {"offset": "+01:00", "size": 2**40, "ratio": 1, "deleted": True, "data": b"\x00\xff"},
        {"offset": None, "size": None, "ratio": 0.5, "deleted": None, "data": None},
        {"offset": "b'; DROP TABLE bulk_ours; --", "size": 3, "ratio": None, "deleted": False, "data": b""},
    ]
    changes = [
        {"id": 2, "offset": '{a,"b"}', "ratio": 2, "data": b"x"},
        {"id": 3, "offset": None, "ratio": 0.25, "data": None},
        {"id": 2, "offset": "last", "ratio": 3.5, "data": b"y"},  # the same key again: these values win
    ]
    try:
        with db.engine.begin() as connection:
            metadata.create_all(connection)
            insert_rows(connection, ours, rows)
            connection.execute(insert(theirs), rows)
            update_rows(connection, ours, "id", changes)
            for change in changes:
                connection.execute(update(theirs).where(theirs.c.id == change["id"]).values(**change))
        with db.engine.connect() as connection:
            mine = connection.execute(select(ours).order_by(ours.c.id)).all()
            reference = connection.execute(select(theirs).order_by(theirs.c.id)).all()
    finally:
        db.close()
    assert mine == reference
    assert [tuple(row) for row in mine] == [
        (1, "+01:00", 2**40, 1.0, True, b"\x00\xff"),
        (2, "last", None, 3.5, None, b"y"),
        (3, None, 3, 0.25, False, None),
    ]
