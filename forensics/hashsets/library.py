"""The hash-set library database: open (creating it), list, look up and remove sets.

Location: an explicit path or SQLAlchemy URL, else ``$CUSTOS_HASHSET_LIBRARY``, else the lab's
``hashset_library`` setting (a PostgreSQL database the lab's workstations share, docs/lab.md), else
``$XDG_DATA_HOME/custos/hashsets.db`` (``~/.local/share/custos/hashsets.db``). The schema is created
from the models on first open and its version recorded in ``library_info``. A PostgreSQL library is
logged in to as a case server is (``forensics.case.credentials``: the examiner's role, no password on
disk); the perceptual index built from it stays in a cache on each workstation, keyed by what it holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from forensics.core.sqlite import connection_setup
from forensics.hashsets.errors import HashSetError
from forensics.hashsets.models import (
    LIBRARY_SCHEMA_VERSION,
    HashEntry,
    HashEntryVariant,
    HashSet,
    LibraryBase,
    LibraryInfo,
)
from forensics.hashsets.set_info import SetInfo

ENV_LIBRARY = "CUSTOS_HASHSET_LIBRARY"


def default_library_path() -> Path:
    """The per-user default library file."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "custos" / "hashsets.db"


def resolve_library_location(explicit: str | os.PathLike[str] | None = None) -> str:
    """The library location in force: explicit value, then the environment, then the default path."""
    chosen = explicit or os.environ.get(ENV_LIBRARY)
    if not chosen:
        from forensics.core.lab_settings import load_lab_settings

        chosen = load_lab_settings().hashset_library or default_library_path()
    return str(chosen)


def _is_url(location: str) -> bool:
    return "://" in location


def _open_engine(url: str) -> Engine:
    """An engine on the library: a PostgreSQL one logged in as the examiner's role (the lab's shared
    library), any other URL as SQLAlchemy opens it."""
    from forensics.case.location import is_postgres_url

    if is_postgres_url(url):
        from forensics.case.credentials import connect_engine

        def setup(engine: Engine) -> None:
            event.listen(engine, "connect", lambda dbapi, _record: _work_as_owner(dbapi))

        return connect_engine(url, None, setup)
    return create_engine(url, future=True)


# The library database's owner (the lab's library role), when the examiner's login role is a member of it.
_OWNER_IF_MEMBER = (
    "SELECT r.rolname FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
    "WHERE d.datname = current_database() AND r.rolname <> session_user "
    "AND pg_has_role(session_user, r.oid, 'MEMBER')"
)


def _work_as_owner(dbapi_connection: Any) -> None:
    """Each session works as the library's owning role (docs/lab.md), so that the tables any examiner's
    first open creates, and the sets any examiner imports, are the lab's, not that examiner's."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(_OWNER_IF_MEMBER)
        row = cursor.fetchone()
        if row is not None:
            cursor.execute("SET ROLE " + '"' + str(row[0]).replace('"', '""') + '"')
    finally:
        cursor.close()
    dbapi_connection.commit()


class HashSetLibrary:
    """An open library database shared by all cases of a workstation or lab."""

    def __init__(self, location: str | os.PathLike[str] | None = None) -> None:
        self.location = resolve_library_location(location)
        if _is_url(self.location):
            self.url = self.location
        else:
            path = Path(self.location)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise HashSetError(f"hash-set library {path}: {exc}") from exc
            self.url = f"sqlite:///{path}"
        self.engine: Engine = _open_engine(self.url)
        if self.engine.dialect.name == "sqlite":
            event.listen(
                self.engine, "connect", connection_setup(cache_kib=262144)
            )  # 256 MiB: big imports stay cached
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._create_schema()

    def _create_schema(self) -> None:
        LibraryBase.metadata.create_all(self.engine)
        try:
            with self.session() as session:
                if session.get(LibraryInfo, "schema_version") is None:
                    session.add(LibraryInfo(key="schema_version", value=str(LIBRARY_SCHEMA_VERSION)))
        except IntegrityError:
            pass  # another process or thread created the same new library at the same moment
        with self.session() as session:
            info = session.get(LibraryInfo, "schema_version")
            if info is not None and int(info.value) > LIBRARY_SCHEMA_VERSION:
                raise HashSetError(f"hash-set library {self.location} is newer than this Custos")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def sets(self, *, include_incomplete: bool = False) -> list[SetInfo]:
        """Sets ordered by name; only complete (fully imported) ones unless asked."""
        query = select(HashSet).order_by(HashSet.name, HashSet.id)
        if not include_incomplete:
            query = query.where(HashSet.complete.is_(True))
        with self.session() as session:
            return [SetInfo.from_row(row) for row in session.scalars(query)]

    def get(self, name: str) -> SetInfo:
        """The complete set of this name."""
        for info in self.sets():
            if info.name == name:
                return info
        raise HashSetError(f"no hash set named {name!r} in {self.location}")

    def select(self, names: list[str] | None) -> list[SetInfo]:
        """The complete sets to use: all of them, or the named ones (every name must exist)."""
        if not names:
            return self.sets()
        return [self.get(name) for name in names]

    def remove(self, name: str) -> SetInfo:
        """Delete a set and its entries (incomplete leftovers of the name included)."""
        with self.session() as session:
            rows = list(session.scalars(select(HashSet).where(HashSet.name == name)))
            if not rows:
                raise HashSetError(f"no hash set named {name!r} in {self.location}")
            infos = [SetInfo.from_row(row) for row in rows]
            for row in rows:
                row.complete = False
            session.flush()
            for row in rows:
                session.execute(delete(HashEntryVariant).where(HashEntryVariant.set_id == row.id))
                session.execute(delete(HashEntry).where(HashEntry.set_id == row.id))
                session.delete(row)
        from forensics.hashsets.index_cache import IndexCache, default_cache_root

        IndexCache(default_cache_root(self.location)).clear()  # no copy of the removed codes stays behind
        complete = [info for info in infos if info.complete]
        return complete[0] if complete else infos[0]

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> HashSetLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
