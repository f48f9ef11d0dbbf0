"""The password of an encrypted phone extraction: ``--password``, else ``$CUSTOS_EVIDENCE_PASSWORD`` (for
scripts and the GUI's child processes), else a prompt when a terminal is attached and one is needed.

The password is handed to the engine in memory; it is never stored, logged or printed.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

ENVIRONMENT = "CUSTOS_EVIDENCE_PASSWORD"


def add_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password",
        help=f"password of an encrypted phone extraction (better: ${ENVIRONMENT}, or the terminal's prompt)",
    )


def given_password(args: argparse.Namespace) -> str | None:
    """The password given on the command line or in the environment (None when neither)."""
    if getattr(args, "password", None) is not None:
        return args.password
    return os.environ.get(ENVIRONMENT)


def prompt_password(item: str, reason: str) -> str | None:
    """Ask on the terminal for the password of ``item``; None when no terminal is attached."""
    if not sys.stdin.isatty():
        return None
    print(f"custos: {reason}", file=sys.stderr)
    return getpass.getpass(f"Password of the extraction of evidence item {item}: ")
