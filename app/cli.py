"""The ``custos`` command line: one sub-command module per area under ``app/commands``."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

import forensics
from app.commands.common import merge_common
from forensics.errors import CustosError

# Each module defines ``register(subparsers)``; its sub-commands set ``func(args) -> int``.
COMMAND_MODULES = [
    "app.commands.examiner",
    "app.commands.case",
    "app.commands.evidence",
    "app.commands.ingest",
    "app.commands.files",
    "app.commands.custody",
    "app.commands.hashset",
    "app.commands.demo",
    "app.commands.report",
    "app.commands.gui",
    "app.commands.selftest",
]


def build_parser() -> argparse.ArgumentParser:
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
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = merge_common(parser.parse_args(argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
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


if __name__ == "__main__":
    sys.exit(main())
