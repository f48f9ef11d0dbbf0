"""An open case as one examiner: the context every service takes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from forensics.case.db import CaseDatabase
from forensics.custody.examiners import KeyUnlock
from forensics.custody.log import CustodyLog
from forensics.custody.session import check_access, open_custody


@dataclass
class CaseContext:
    """An open case: its folder, database, acting examiner and custody log."""

    case_dir: Path
    db: CaseDatabase
    examiner: str
    custody: CustodyLog

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
) -> CaseContext:
    """Open an existing case as ``examiner``; refuses non-members and, for writing, a wrong passphrase.

    ``passphrase``: the examiner's passphrase, or a function asked for it with the examiner's name
    once membership is checked (so that nobody is asked who may not open the case at all).
    A read-only open never changes the database file (no schema upgrade) and needs no passphrase.
    ``unlocking``: the examiner's key already being unsealed in a thread (same profile and passphrase).
    """
    db = CaseDatabase(case_dir, upgrade=write)
    try:
        profile = check_access(db, examiner)
        secret: str | None = None  # a read-only open signs nothing
        if write:
            secret = passphrase(profile.name) if callable(passphrase) else passphrase
        custody = open_custody(db, profile.name, write=write, passphrase=secret, unlocking=unlocking)
    except BaseException:
        db.close()
        raise
    return CaseContext(Path(case_dir), db, custody.examiner_name, custody)
