"""The ``custos`` command line: one sub-command module per area under ``app/commands``."""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys

import forensics
from app.cancel_input import watch_stdin_for_cancel
from app.commands.common import merge_common
from app.native_log import divert_native_stderr
from forensics.core.errors import CustosError

# Each module defines ``register(subparsers)``; its sub-commands set ``func(args) -> int``.
COMMAND_MODULES = [
    "app.commands.examiner",
    "app.commands.case",
    "app.commands.evidence",
    "app.commands.ingest",
    "app.commands.archive",
    "app.commands.files",
    "app.commands.custody",
    "app.commands.hashset",
    "app.commands.whatsapp",
    "app.commands.demo",
    "app.commands.report",
    "app.commands.gui",
    "app.commands.selftest",
    "app.commands.lab",
]


# The commands each module registers: a run imports only the module of its command (start-up time of
# every ingest, verify, ...); help, errors and a missing command import them all. Checked by a test.
COMMANDS = {
    "examiner": "app.commands.examiner",
    "case": "app.commands.case",
    "evidence": "app.commands.evidence",
    "verify": "app.commands.evidence",
    "ingest": "app.commands.ingest",
    "archive": "app.commands.archive",
    "files": "app.commands.files",
    "custody": "app.commands.custody",
    "hashset": "app.commands.hashset",
    "match": "app.commands.hashset",
    "findings": "app.commands.hashset",
    "whatsapp": "app.commands.whatsapp",
    "demo": "app.commands.demo",
    "report": "app.commands.report",
    "export": "app.commands.report",
    "gui": "app.commands.gui",
    "selftest": "app.commands.selftest",
    "lab": "app.commands.lab",
}


def command_word(argv: list[str]) -> str | None:
    """The sub-command named in ``argv`` (after the global options), or None."""
    words = iter(argv)
    for word in words:
        if word in ("-q", "--quiet") or word.startswith("--examiner="):
            continue
        if word == "--examiner":
            next(words, None)
            continue
        return None if word.startswith("-") else word
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv`` naming a known command, only that command's module is imported."""
    parser = argparse.ArgumentParser(
        prog="custos",
        description="Custos: offline triage of seized device images (read-only).",
    )
    parser.add_argument("--version", action="version", version=f"custos {forensics.__version__}")
    parser.add_argument(
        "--examiner",
        default=os.environ.get("CUSTOS_EXAMINER"),
        help="act as this examiner (default: $CUSTOS_EXAMINER)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    word = command_word(argv) if argv is not None else None
    for name in [COMMANDS[word]] if word in COMMANDS else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def install_database_password_prompt() -> None:
    """A PostgreSQL case server's password is asked on the terminal (never echoed, never stored)."""
    from forensics.case.credentials import set_password_prompt

    def ask(server: str, role: str, reason: str) -> str | None:
        if not sys.stdin.isatty():
            return None
        import getpass

        try:
            return getpass.getpass(f"password of {role} on {server} ({reason}): ")
        except (EOFError, KeyboardInterrupt):
            return None

    set_password_prompt(ask)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = merge_common(parser.parse_args(argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    install_database_password_prompt()
    try:
        watch_stdin_for_cancel()  # inside the try: a cancel that comes at once is a clean interrupt too
        return int(args.func(args) or 0)
    except CustosError as exc:
        print(f"custos: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("custos: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """The ``custos`` program: :func:`main`, then the process ends.

    Objects still alive are frozen first: the interpreter's final garbage collection would only walk
    them all (about 0.08 s after an ingest); every exit handler and close still runs.
    """
    divert_native_stderr()
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
