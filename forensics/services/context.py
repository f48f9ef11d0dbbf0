"""An open case as one examiner: the context every service takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from forensics.case.db import CaseDatabase
from forensics.case.pictures import PictureCipher
from forensics.core.errors import AccessDenied
from forensics.custody.examiners import KeyUnlock
from forensics.custody.log import CustodyLog
from forensics.custody.session import check_access, unlock_examiner
from forensics.services.case_keys import open_case_key


@dataclass
class CaseContext:
    """An open case: its folder, database, acting examiner and custody log."""

    case_dir: Path
    db: CaseDatabase
    examiner: str
    custody: CustodyLog
    case_key: bytes | None = None  # unwrapped with the examiner's key; seals the case's pictures

    @property
    def writable(self) -> bool:
        """Whether custody entries can be signed (opened for writing with the examiner's passphrase)."""
        return self.custody.writable

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CaseContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_case(
    case_dir: Path | str,
    examiner: str | None,
    *,
    write: bool,
    passphrase: str | Callable[[str], str] | None = None,
    unlocking: KeyUnlock | None = None,
    db_url: str | None = None,
) -> CaseContext:
    """Open an existing case as ``examiner``; refuses non-members and a wrong passphrase.

    ``passphrase``: the examiner's passphrase, or a function asked for it with the examiner's name
    once membership is checked (so that nobody is asked who may not open the case at all). Reading needs
    it too: the case's pictures are sealed with the case key, which only an examiner's key unwraps. A
    read-only open never changes the database file (no schema upgrade) and signs nothing.
    ``unlocking``: the examiner's key already being unsealed in a thread (same profile and passphrase).
    ``db_url``: the case's server database with the login role to use (default: the folder's pointer and
    the examiner's own role).
    """
    db = CaseDatabase(case_dir, db_url, upgrade=write, examiner=examiner)
    try:
        profile = check_access(db, examiner)
        secret = passphrase(profile.name) if callable(passphrase) else passphrase
        if secret is None:
            raise AccessDenied(f"a passphrase is needed to open the case as {profile.name!r}")
        key = unlock_examiner(profile, secret, unlocking)
        custody = CustodyLog(db, profile.name, profile.key_id, key if write else None)
        unwrapped = open_case_key(db, key, profile.key_id, custody if write else None)
        if unwrapped is not None:
            db.pictures = PictureCipher(unwrapped)
    except BaseException:
        db.close()
        raise
    return CaseContext(Path(case_dir), db, custody.examiner_name, custody, unwrapped)
