"""Where a case's database is: ``case.db`` in the case folder (SQLite), or a PostgreSQL database that
the folder names in a small pointer file, ``case-db.json``.

The pointer holds the server and database only, never a user name or a password::

    {"format": "custos-case-database/1", "url": "postgresql://pg.lab:5432/custos_2026_0042_3fa2c1d0"}

Each examiner connects as their own PostgreSQL role (:mod:`forensics.case.credentials`), so the same
folder (on a share, or copied to each workstation) serves every examiner of the case.
"""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from forensics.core.errors import CaseError

CASE_DB_NAME = "case.db"
POINTER_NAME = "case-db.json"
POINTER_FORMAT = "custos-case-database/1"
MAX_DATABASE_NAME = 50  # PostgreSQL allows 63 bytes; the members' role adds "_members"


def case_db_path(case_dir: Path | str) -> Path:
    """Path of the SQLite case database inside a case folder."""
    return Path(case_dir) / CASE_DB_NAME


def pointer_path(case_dir: Path | str) -> Path:
    return Path(case_dir) / POINTER_NAME


def is_case_folder(case_dir: Path | str) -> bool:
    """Whether the folder holds a case (its SQLite database or a pointer to a server's)."""
    return case_db_path(case_dir).exists() or pointer_path(case_dir).exists()


def is_postgres_url(url: str | URL | None) -> bool:
    return url is not None and str(url).startswith(("postgresql:", "postgresql+", "postgres:"))


def driver_url(url: str | URL) -> URL:
    """A PostgreSQL URL with the psycopg 3 driver named (``postgresql://`` means psycopg2 to SQLAlchemy)."""
    parsed = make_url(str(url)) if not isinstance(url, URL) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def public_url(url: str | URL) -> str:
    """The URL without user name and password (what a pointer file and the custody witness keep)."""
    parsed = make_url(str(url)) if not isinstance(url, URL) else url
    # URL.set ignores None: a URL without credentials is built anew.
    bare = URL.create(
        "postgresql", host=parsed.host, port=parsed.port, database=parsed.database, query=parsed.query
    )
    return bare.render_as_string(hide_password=False)


def read_pointer(case_dir: Path | str) -> str | None:
    """The database URL a case folder points to; None for a folder without a pointer."""
    path = pointer_path(case_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeError, ValueError) as exc:
        raise CaseError(f"{path}: the case's database pointer cannot be read: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("format") != POINTER_FORMAT
        or not is_postgres_url(data.get("url"))
    ):
        raise CaseError(f"{path}: not a Custos case database pointer ({POINTER_FORMAT})")
    if make_url(data["url"]).password is not None or make_url(data["url"]).username is not None:
        raise CaseError(f"{path}: a case database pointer must not hold a user name or password")
    return str(data["url"])


def write_pointer(case_dir: Path | str, url: str | URL) -> Path:
    """Write the folder's pointer to ``url`` (kept without user name and password)."""
    path = pointer_path(case_dir)
    text = json.dumps({"format": POINTER_FORMAT, "url": public_url(url)}, indent=2, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def database_name_for(case_dir: Path | str) -> str:
    """A new database name for a case folder: ``custos_<folder>_<8 random hex>`` (lower case, ASCII)."""
    folded = unicodedata.normalize("NFKD", Path(case_dir).resolve().name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_") or "case"
    return f"custos_{slug}"[: MAX_DATABASE_NAME - 9] + "_" + secrets.token_hex(4)


def server_database_url(server: str, case_dir: Path | str) -> str:
    """The URL of a new database for the case on a lab server (``case_server`` of the lab settings)."""
    parsed = make_url(server)
    if not is_postgres_url(server):
        raise CaseError(f"case server {public_url(server)}: only PostgreSQL servers hold cases")
    return parsed.set(database=database_name_for(case_dir)).render_as_string(hide_password=False)


def case_url(case_dir: Path | str, *, create: bool = False) -> str:
    """The database URL of an existing case folder (SQLite file or pointer), without credentials."""
    pointed = read_pointer(case_dir)
    if pointed is not None:
        return pointed
    db_file = case_db_path(case_dir)
    if not create and not db_file.exists():
        raise CaseError(f"{case_dir}: not a Custos case (no {CASE_DB_NAME} or {POINTER_NAME})")
    return f"sqlite:///{db_file}"
