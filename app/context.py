"""Open a case for a command, as an examiner, with its custody log ready to record events.

Every command that touches a case goes through :func:`open_case` so that access checks and
custody recording happen in one place. Membership is checked before a passphrase is asked for;
write opens need the passphrase (``$CUSTOS_PASSPHRASE``, else a prompt on a terminal), read-only
opens do not (see :mod:`forensics.custody.session`).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from app.passphrase import passphrase_for
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

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> CaseContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_case(
    args: argparse.Namespace, case_dir: Path | str, *, write: bool, unlocking: KeyUnlock | None = None
) -> CaseContext:
    """Open an existing case as ``args.examiner``; refuses non-members (custody rules).

    ``unlocking``: the examiner's key already being unsealed (:func:`app.passphrase.unlock_early`).
    """
    db = CaseDatabase(case_dir, upgrade=write)  # a read-only open never changes the file
    try:
        profile = check_access(db, getattr(args, "examiner", None))
        passphrase = passphrase_for(profile.name) if write else None
        custody = open_custody(db, profile.name, write=write, passphrase=passphrase, unlocking=unlocking)
    except BaseException:
        db.close()
        raise
    return CaseContext(Path(case_dir), db, custody.examiner_name, custody)
