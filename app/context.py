"""Open a case for a command as ``--examiner``, with the passphrase from the environment or a prompt.

Membership is checked before a passphrase is asked for; write opens need the passphrase
(``$CUSTOS_PASSPHRASE``, else a prompt on a terminal), read-only opens do not. The case itself is opened
by the engine's service layer (:func:`forensics.services.context.open_case`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.passphrase import passphrase_for
from forensics.custody.examiners import KeyUnlock
from forensics.services.context import CaseContext
from forensics.services.context import open_case as open_case_as

__all__ = ["CaseContext", "open_case"]


def open_case(
    args: argparse.Namespace, case_dir: Path | str, *, write: bool, unlocking: KeyUnlock | None = None
) -> CaseContext:
    """Open an existing case as ``args.examiner``; refuses non-members (custody rules).

    ``unlocking``: the examiner's key already being unsealed (:func:`app.passphrase.unlock_early`).
    """
    return open_case_as(
        case_dir,
        getattr(args, "examiner", None),
        write=write,
        passphrase=passphrase_for,
        unlocking=unlocking,
    )
