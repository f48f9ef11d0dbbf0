"""The examiner's passphrase: ``$CUSTOS_PASSPHRASE`` for scripts and tests, else a prompt."""

from __future__ import annotations

import getpass
import os
import sys

from forensics.errors import AccessDenied


def passphrase_for(examiner: str) -> str:
    env = os.environ.get("CUSTOS_PASSPHRASE")
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise AccessDenied(
            f"passphrase for examiner {examiner!r} needed: set $CUSTOS_PASSPHRASE or run in a terminal"
        )
    return getpass.getpass(f"Passphrase for examiner {examiner}: ")
