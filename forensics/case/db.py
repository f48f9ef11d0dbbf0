"""Open, create and migrate a case database; a case is a folder holding ``case.db`` (SQLite), or a
pointer to a PostgreSQL database on a lab server (``forensics/case/location.py``).

SQLite runs in WAL mode so that readers (GUI, reports) work while ingest writes. The schema is
created and upgraded by the alembic migrations shipped in ``forensics/case/migrations`` at open, the
same on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from forensics.case.location import (
    CASE_DB_NAME,  # noqa: F401  (re-exported: callers name the SQLite file through this module)
    case_db_path,
    case_url,
    is_postgres_url,
    public_url,
    read_pointer,
    server_database_url,
    write_pointer,
)
from forensics.case.pictures import PictureCipher
from forensics.core.errors import CaseError
from forensics.core.lab_settings import load_lab_settings
from forensics.core.sqlite import connection_setup

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

__all__ = ["CASE_DB_NAME", "CaseDatabase", "case_db_path", "make_engine", "migrate"]


def make_engine(url: str, examiner: str | None = None) -> Engine:
    """An engine for a case database URL: SQLite tuned for one writer and many readers; PostgreSQL
    logged in as the examiner's role (``credentials``), each session working as the case's role."""
    if is_postgres_url(url):
        from forensics.case.credentials import connect_engine
        from forensics.case.pg_access import database_of, set_case_role

        database = database_of(url)

        def setup(engine: Engine) -> None:
            event.listen(engine, "connect", lambda dbapi, _record: set_case_role(dbapi, database))

        return connect_engine(url, examiner, setup)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", connection_setup(cache_kib=32768))
    return engine


def _new_postgres_database(url: str, examiner: str | None) -> None:
    """Create a new case's database on its server as the founder's role (or ``$CUSTOS_DB_USER``)."""
    from forensics.case.credentials import connect_engine, login_role
    from forensics.case.pg_access import database_of, maintenance_url, prepare_case_database

    role = login_role(examiner)
    admin = connect_engine(maintenance_url(url), examiner)
    try:
        founder = role or admin.url.username or ""
        prepare_case_database(admin, database_of(url), founder)
    finally:
        admin.dispose()


# The newest migration in forensics/case/migrations/versions; a test checks it against alembic's own
# reading of that folder. Opening an up-to-date case compares with it and never imports alembic (~0.3 s).
HEAD_REVISION = "0017_files_fillfactor"


def alembic_config(engine: Engine):
    """An alembic Config for the shipped migrations, bound to ``engine``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    """The head revision as alembic reads it from the migrations folder (None if it holds none)."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(create_engine("sqlite://")))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in the database (alembic's ``alembic_version`` table), None when empty."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:
        raise CaseError(f"case database has {len(rows)} schema revisions recorded; expected one")
    return rows[0] if rows else None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it in an empty database)."""
    if current_revision(engine) != HEAD_REVISION:
        from alembic import command

        command.upgrade(alembic_config(engine), "head")


class CaseDatabase:
    """A migrated case database: an engine plus a session factory."""

    def __init__(
        self,
        case_dir: Path | str,
        url: str | None = None,
        *,
        create: bool = False,
        upgrade: bool = True,
        examiner: str | None = None,
    ) -> None:
        """Open the case in ``case_dir`` (its SQLite file or the database its pointer names).

        ``create``: a new case; ``url`` then names a PostgreSQL database to make for it (or is None: the
        lab's ``case_server`` setting when there is one, else ``case.db`` in the folder). ``examiner``:
        whose PostgreSQL role logs in (default ``$CUSTOS_EXAMINER``; see ``credentials``).
        """
        # Every mapped table, whichever command runs: the ORM resolves foreign keys such as
        # findings.file_id -> files.id through the shared metadata.
        import forensics.case.schema  # noqa: F401

        self.case_dir = Path(case_dir)
        if create:
            if url is None and read_pointer(self.case_dir) is None:
                server = load_lab_settings().case_server
                url = server_database_url(server, self.case_dir) if server else None
            self.case_dir.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
            if url is not None and is_postgres_url(url):
                if not make_url(url).database:  # a server alone: a new database there
                    url = server_database_url(url, self.case_dir)
                _new_postgres_database(url, examiner)
                write_pointer(self.case_dir, url)
        if url is None:
            url = case_url(self.case_dir, create=create)
        self.url = url
        self.is_postgres = is_postgres_url(url)
        # What names the case outside this folder: the database for a server case (the same for every
        # examiner's folder), the folder for a SQLite one (custody witness store).
        self.place = public_url(url) if self.is_postgres else str(self.case_dir)
        self.engine = make_engine(url, examiner)
        if upgrade:
            migrate(self.engine)
            self._restore_ingest_indexes()
        elif current_revision(self.engine) != HEAD_REVISION:
            self.engine.dispose()
            raise CaseError(
                f"{self.case_dir}: the case database needs a schema upgrade; open it once for writing"
            )
        # The case key's cipher of its pictures, once an examiner's key unwrapped it (services.context).
        self.pictures: PictureCipher | None = None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={"db": self})

    def _restore_ingest_indexes(self) -> None:
        """Build the indexes a killed ingest left dropped, unless an ingest runs right now."""
        from forensics.case.ingest_indexes import create_ingest_indexes, missing_ingest_indexes
        from forensics.case.ingest_lock import ingest_running
        from forensics.case.ingest_mark import ingest_marked

        with self.engine.connect() as conn:
            if not missing_ingest_indexes(conn) or ingest_marked(conn):  # marked: one runs elsewhere
                return
        if ingest_running(self.case_dir):
            return
        with self.engine.begin() as conn:
            create_ingest_indexes(conn)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self.sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def close(self) -> None:
        self.engine.dispose()
