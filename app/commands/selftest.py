"""``custos selftest [--out DIR]``: validate this installation against published reference answers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forensics.selftest import Check, run_selftest, write_validation_report


def register(sub: argparse._SubParsersAction) -> None:
    selftest = sub.add_parser(
        "selftest",
        help="validate this installation on bundled reference images (writes an HTML and a PDF report)",
    )
    selftest.add_argument(
        "--out", metavar="DIR", default=".", help="folder for the validation report (default: current folder)"
    )
    selftest.set_defaults(func=cmd_selftest)


def _print_failure(check: Check) -> None:
    print(
        f"FAIL {check.area}: {check.subject}: {check.what}: expected {check.expected}, "
        f"observed {check.observed}",
        file=sys.stderr,
    )


def cmd_selftest(args: argparse.Namespace) -> int:
    """Exit status 0 when every check passed, 1 when any failed (the report is written either way)."""
    quiet = getattr(args, "quiet", False)
    run = run_selftest(on_check=lambda check: None if check.passed else _print_failure(check))
    html_path, pdf_path = write_validation_report(run, Path(args.out))
    if not quiet:
        passed = len(run.checks) - len(run.failed)
        print(f"{run.verdict}: {passed} of {len(run.checks)} checks passed")
        print(f"validation report: {pdf_path}")
        print(f"validation report: {html_path}")
    return 0 if run.passed else 1
