"""Front ends and PostgreSQL case servers: the prompt for a password, the keyring, a folder for a case
known only by its server, and the login a child process of the same examiner needs.

Passwords stay in memory (and in the OS keyring when the examiner asks for it); nothing here writes one
to a file. See :mod:`forensics.case.credentials` for the order in which a password is looked for.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from forensics.case import credentials
from forensics.case.credentials import PasswordPrompt
from forensics.case.location import POINTER_NAME, is_case_folder, public_url, read_pointer, write_pointer
from forensics.core.errors import CaseError
from forensics.core.paths import custos_home
from forensics.services.context import CaseContext

DEFAULT_PORT = 5432
SERVER_CASES_FOLDER = "server-cases"  # under the Custos home: folders of cases opened by their server


def set_password_prompt(prompt: PasswordPrompt | None) -> None:
    """Install the front end's password prompt: ``prompt(server, role, reason) -> password or None``."""
    credentials.set_password_prompt(prompt)


def examiner_role(examiner: str) -> str:
    """The PostgreSQL role an examiner logs in as by default."""
    return credentials.examiner_role(examiner)


def keyring_available() -> bool:
    """Whether an OS keyring can keep a password on this workstation."""
    return credentials.keyring_available()


def remember_password(server: str, role: str, password: str, *, in_keyring: bool) -> bool:
    """Keep a password that logged in (this run; ``in_keyring``: in the OS keyring too, True if kept)."""
    return credentials.remember(server, role, password, in_keyring=in_keyring)


def case_database_url(host: str, port: int | None, database: str) -> str:
    """``postgresql://host:port/database`` (never a user name or password)."""
    if not host.strip() or not database.strip():
        raise CaseError("a case server needs a host and a database name")
    url = URL.create("postgresql", host=host.strip(), port=port or DEFAULT_PORT, database=database.strip())
    return url.render_as_string(hide_password=False)


def server_case_folder(database: str) -> Path:
    """Where a case known only by its server keeps its folder on this workstation by default."""
    return custos_home() / SERVER_CASES_FOLDER / database


def attach_server_case(folder: Path | str, url: str) -> Path:
    """A case folder pointing at the case database ``url``: made (with its pointer) when new, reused
    when it already points there; a folder holding another case is refused."""
    folder = Path(folder)
    wanted = public_url(url)
    if is_case_folder(folder):
        pointed = read_pointer(folder)
        if pointed is None or public_url(pointed) != wanted:
            raise CaseError(f"{folder}: holds another case ({pointed or 'a SQLite case'}), not {wanted}")
        return folder
    if folder.exists() and any(folder.iterdir()):
        raise CaseError(f"{folder}: the folder is not empty and holds no {POINTER_NAME}")
    folder.mkdir(parents=True, exist_ok=True)
    write_pointer(folder, wanted)
    return folder


def login_as(folder: Path | str, role: str | None) -> str | None:
    """The database URL of a server case folder with the login ``role`` (no password) for
    :func:`~forensics.services.context.open_case`; None for the default role or a SQLite case."""
    pointed = read_pointer(folder)
    if not role or pointed is None:
        return None
    return credentials.login_url(pointed, role, None).render_as_string(hide_password=False)


def child_login(ctx: CaseContext) -> dict[str, str]:
    """Environment for a child process of the same examiner on a server case (role and password, in
    memory only); empty for a SQLite case."""
    if not ctx.db.is_postgres:
        return {}
    url = ctx.db.engine.url
    env = {}
    if url.username:
        env[credentials.ENV_DB_USER] = url.username
    if url.password:
        env[credentials.ENV_DB_PASSWORD] = str(url.password)
    return env
