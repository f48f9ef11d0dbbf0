"""Options every sub-command accepts after its own name (``--examiner``, ``--quiet``)."""

from __future__ import annotations

import argparse


def common_options() -> argparse.ArgumentParser:
    """A parent parser to pass as ``parents=[common_options()]`` to each sub-command parser."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--examiner",
        dest="sub_examiner",
        default=None,
        help="act as this examiner (default: $CUSTOS_EXAMINER)",
    )
    parent.add_argument(
        "-q", "--quiet", dest="sub_quiet", action="store_true", default=False, help="no progress output"
    )
    return parent


def merge_common(args: argparse.Namespace) -> argparse.Namespace:
    """Let options given after the sub-command override the top-level ones."""
    if getattr(args, "sub_examiner", None):
        args.examiner = args.sub_examiner
    if getattr(args, "sub_quiet", False):
        args.quiet = True
    return args
