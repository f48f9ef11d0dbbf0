"""The examiner's passphrase: ``$CUSTOS_PASSPHRASE`` for scripts and tests, else a prompt."""

from __future__ import annotations

import getpass
import os
import sys
from typing import TYPE_CHECKING

from forensics.core.errors import AccessDenied, CustosError

if TYPE_CHECKING:
    from forensics.custody.examiners import KeyUnlock


def passphrase_for(examiner: str) -> str:
    env = os.environ.get("CUSTOS_PASSPHRASE")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise AccessDenied(
            f"passphrase for examiner {examiner!r} needed: set $CUSTOS_PASSPHRASE or run in a terminal"
        )
    return getpass.getpass(f"Passphrase for examiner {examiner}: ")


def unlock_early(examiner: str | None) -> KeyUnlock | None:
    """Start unsealing the examiner's key in a thread when the passphrase is in the environment.

    For a command that opens a case for writing: the key derivation then runs beside its imports
    and the opening of the case (see :func:`app.context.open_case`). None when there is no
    passphrase in the environment or no such profile: the usual path then asks and reports.
    """
    passphrase = os.environ.get("CUSTOS_PASSPHRASE")
    if passphrase is None:
        return None
    from forensics.custody.examiners import load_examiner

    try:
        profile = load_examiner(examiner)
    except CustosError:
        return None
    return profile.unlock_in_background(passphrase)
