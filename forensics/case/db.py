"""Open, create and migrate a case database; a case is a folder holding ``case.db``.

SQLite runs in WAL mode so that readers (GUI, reports) work while ingest writes. The schema is
created and upgraded by the alembic migrations shipped in ``forensics/case/migrations`` at open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from forensics.case.pictures import PictureCipher
from forensics.core.errors import CaseError
from forensics.core.sqlite import connection_setup

CASE_DB_NAME = "case.db"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def case_db_path(case_dir: Path | str) -> Path:
    """Path of the case database inside a case folder."""
    return Path(case_dir) / CASE_DB_NAME


def make_engine(url: str) -> Engine:
    """An engine for a case database URL, with SQLite tuned for one writer and many readers."""
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", connection_setup(cache_kib=32768))
    return engine


# The newest migration in forensics/case/migrations/versions; a test checks it against alembic's own
# reading of that folder. Opening an up-to-date case compares with it and never imports alembic (~0.3 s).
HEAD_REVISION = "0016_lab_claims"


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
        self, case_dir: Path | str, url: str | None = None, *, create: bool = False, upgrade: bool = True
    ) -> None:
        # Every mapped table, whichever command runs: the ORM resolves foreign keys such as
        # findings.file_id -> files.id through the shared metadata.
        import forensics.case.schema  # noqa: F401

        self.case_dir = Path(case_dir)
        db_file = case_db_path(self.case_dir)
        if url is None:
            if not create and not db_file.exists():
                raise CaseError(f"{self.case_dir}: not a Custos case (no {CASE_DB_NAME})")
            if create:
                self.case_dir.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
            url = f"sqlite:///{db_file}"
        self.url = url
        self.engine = make_engine(url)
        if upgrade:
            migrate(self.engine)
            self._restore_hash_indexes()
        elif current_revision(self.engine) != HEAD_REVISION:
            self.engine.dispose()
            raise CaseError(
                f"{self.case_dir}: the case database needs a schema upgrade; open it once for writing"
            )
        # The case key's cipher of its pictures, once an examiner's key unwrapped it (services.context).
        self.pictures: PictureCipher | None = None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info={"db": self})

    def _restore_hash_indexes(self) -> None:
        """Build the hash indexes a killed ingest left dropped, unless an ingest runs right now."""
        from forensics.case.hash_indexes import create_hash_indexes, missing_hash_indexes
        from forensics.case.ingest_lock import ingest_running

        with self.engine.connect() as conn:
            if not missing_hash_indexes(conn):
                return
        if ingest_running(self.case_dir):
            return
        with self.engine.begin() as conn:
            create_hash_indexes(conn)

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
