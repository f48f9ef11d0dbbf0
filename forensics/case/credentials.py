"""Logging in to a PostgreSQL case server: which role, which password, never a password on disk in clear.

* The role: ``$CUSTOS_DB_USER`` when set (a lab admin, a script), else the examiner's own role,
  :func:`examiner_role` of their name (``custos case role NAME`` prints it for the lab admin who creates it),
  else what libpq chooses (``$PGUSER``, the login name).
* The password, in order: one given by the front end this run (remembered in memory only),
  ``$CUSTOS_DB_PASSWORD``, the operating system's keyring (the ``keyring`` package: Windows Credential
  Manager, macOS Keychain, the Secret Service on Linux desktops) where one is available, libpq's own
  (``$PGPASSWORD``, the ``pgpass`` file), and last the front end's prompt
  (:func:`set_password_prompt`; the CLI asks on the terminal, the GUI in a dialog). Kerberos/GSSAPI or
  certificate logins need no password at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Callable

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from forensics.case.location import driver_url, public_url
from forensics.core.errors import AccessDenied, CaseError

log = logging.getLogger(__name__)

ENV_DB_USER = "CUSTOS_DB_USER"
ENV_DB_PASSWORD = "CUSTOS_DB_PASSWORD"
KEYRING_SERVICE = "custos-postgresql"
LOGIN_ATTEMPTS = 3  # prompts per connection before giving up
CONNECT_TIMEOUT_S = 10

# (server "host:port", role) -> password given this run (never written anywhere).
_given: dict[tuple[str, str], str] = {}
# The front end's prompt: (server, role, reason) -> password, or None when the examiner cancels.
PasswordPrompt = Callable[[str, str, str], str | None]
_prompt: PasswordPrompt | None = None


def set_password_prompt(prompt: PasswordPrompt | None) -> None:
    """Install the front end's way of asking for a database password (None: never ask)."""
    global _prompt
    _prompt = prompt


def examiner_role(name: str) -> str:
    """The PostgreSQL role of an examiner: ``ex_<name in lower-case ASCII>_<6 hex of its hash>``.

    The hash (of the name as the custody log compares names: NFC, stripped, case-folded) keeps two names
    that fold to the same ASCII apart; the whole stays within PostgreSQL's 63 bytes.
    """
    key = unicodedata.normalize("NFC", name).strip().casefold()
    folded = unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:40] or "examiner"
    return f"ex_{slug}_{hashlib.sha256(key.encode('utf-8')).hexdigest()[:6]}"


def server_key(url: str | URL) -> str:
    parsed = driver_url(url)
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}"


def login_role(examiner: str | None) -> str | None:
    """The role to log in as (see the module's notes); None lets libpq choose."""
    if os.environ.get(ENV_DB_USER):
        return os.environ[ENV_DB_USER]
    name = examiner or os.environ.get("CUSTOS_EXAMINER")
    return examiner_role(name) if name else None


def _keyring_password(server: str, role: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, f"{role}@{server}")
    except (KeyringError, RuntimeError, OSError) as exc:  # no usable backend (a headless machine)
        log.debug("keyring unavailable: %s", exc)
        return None


def keyring_available() -> bool:
    """Whether a real OS keyring can keep passwords here (not the ``fail`` or plain-text backends)."""
    try:
        import keyring
    except ImportError:
        return False
    backend = keyring.get_keyring()
    priority = getattr(backend, "priority", 0)
    name = type(backend).__module__
    return priority > 0 and "fail" not in name and "null" not in name and "plaintext" not in name.lower()


def remember(url: str | URL, role: str, password: str, *, in_keyring: bool = False) -> bool:
    """Keep a password for this run; ``in_keyring``: also in the OS keyring (True when it was kept there)."""
    server = server_key(url)
    _given[(server, role)] = password
    if not in_keyring or not keyring_available():
        return False
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(KEYRING_SERVICE, f"{role}@{server}", password)
        return True
    except (KeyringError, RuntimeError, OSError) as exc:
        log.warning("the password could not be kept in the keyring: %s", exc)
        return False


def known_password(url: str | URL, role: str | None) -> str | None:
    """A password known without asking (given this run, environment, keyring); None: let libpq try."""
    if role is None:
        return os.environ.get(ENV_DB_PASSWORD)
    server = server_key(url)
    return _given.get((server, role)) or os.environ.get(ENV_DB_PASSWORD) or _keyring_password(server, role)


def login_url(url: str | URL, role: str | None, password: str | None) -> URL:
    """The driver URL with the role and password set (in memory only)."""
    parsed = driver_url(url)
    if role is not None:
        parsed = parsed.set(username=role)
    if password is not None:
        parsed = parsed.set(password=password)
    return parsed


def _needs_password(exc: OperationalError) -> bool:
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return "password" in text and ("authentication failed" in text or "no password supplied" in text)


def _refused(exc: OperationalError) -> bool:
    text = str(exc.orig if exc.orig is not None else exc).lower()
    return "permission denied for database" in text or "not permitted to log in" in text


def connect_engine(
    url: str | URL,
    examiner: str | None,
    setup: Callable[[Engine], None] | None = None,
    *,
    role: str | None = None,
) -> Engine:
    """An engine logged in to a PostgreSQL database (the first connection made, so a login fails here).

    ``setup(engine)`` installs connection listeners before the first connection. A refused login asks
    the front end's prompt again (at most :data:`LOGIN_ATTEMPTS` times); a role without the right to
    connect (not on the case) is :class:`AccessDenied`.
    """
    parsed = driver_url(url)
    role = role or parsed.username or login_role(examiner)
    password = parsed.password or known_password(parsed, role)
    where = public_url(parsed)
    reason = "password needed"
    for _attempt in range(LOGIN_ATTEMPTS + 1):
        engine = create_engine(
            login_url(parsed, role, password),
            future=True,
            pool_pre_ping=True,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "custos"},
        )
        if setup is not None:
            setup(engine)
        try:
            with engine.connect():
                pass
            if password is not None and role is not None:
                _given[(server_key(parsed), role)] = password
            return engine
        except OperationalError as exc:
            engine.dispose()
            if _refused(exc):
                raise AccessDenied(f"{where}: the role {role!r} may not open this case database") from None
            if not _needs_password(exc):
                raise CaseError(f"{where}: the database server cannot be reached: {exc.orig}") from None
            reason = "wrong password" if password else "password needed"
        if _prompt is None:
            break
        password = _prompt(where, role or "", reason)
        if password is None:
            break
    raise AccessDenied(f"{where}: login as {role!r} refused ({reason})")
