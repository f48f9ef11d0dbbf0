"""``custos archive unlock``: re-run an archive item with its password (its encrypted members opened).

The password is read from ``$CUSTOS_ARCHIVE_PASSWORD`` (scripts, the GUI's child process) or asked on the
terminal without echo; never from the command line, where process lists and shell histories show it.
"""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import sys

from app.commands.common import common_options
from app.progress_display import JsonProgress, TerminalProgress
from forensics.core.errors import CustosError
from forensics.core.progress import CancelToken

ENVIRONMENT = "CUSTOS_ARCHIVE_PASSWORD"
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def register(sub: argparse._SubParsersAction) -> None:
    archive = sub.add_parser("archive", help="archives found in the evidence", parents=[common_options()])
    verbs = archive.add_subparsers(dest="verb", required=True)
    unlock = verbs.add_parser(
        "unlock",
        help=f"re-run an archive with its password (read from ${ENVIRONMENT} or asked, never an argument)",
        parents=[common_options()],
    )
    unlock.add_argument("case_dir", metavar="DIR")
    unlock.add_argument("file_id", type=int, metavar="FILE_ID", help="the archive's file id (custos files)")
    unlock.add_argument("--profile", help="processing profile (default: that of the item's last ingest)")
    unlock.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    unlock.add_argument(
        "--library",
        metavar="PATH",
        help="hash-set library for profiles that match (default: $CUSTOS_HASHSET_LIBRARY)",
    )
    unlock.add_argument(
        "--progress-jsonl",
        action="store_true",
        help="write progress as JSON lines on stderr (for the GUI and scripts)",
    )
    unlock.set_defaults(func=cmd_unlock)


def archive_password(file_id: int) -> str:
    """``$CUSTOS_ARCHIVE_PASSWORD``, else the terminal's prompt (no echo); refused when neither exists."""
    given = os.environ.get(ENVIRONMENT)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise CustosError(f"the archive's password is needed: set ${ENVIRONMENT} or run in a terminal")
    return getpass.getpass(f"Password of archive {file_id}: ")


def cmd_unlock(args: argparse.Namespace) -> int:
    from app.context import open_case
    from forensics.case.ingest_lock import ingest_lock
    from forensics.pipeline.processing_profiles import load_profile
    from forensics.services.archive_password import unlock_archive

    profile = load_profile(args.profile) if args.profile else None
    cancel = CancelToken()
    previous = {sig: signal.signal(sig, lambda *_: cancel.cancel()) for sig in STOP_SIGNALS}
    try:
        with open_case(args, args.case_dir, write=True) as ctx, ingest_lock(ctx.case_dir):
            password = archive_password(args.file_id)
            display = JsonProgress(str(args.file_id)) if args.progress_jsonl else TerminalProgress(args.quiet)
            try:
                result = unlock_archive(
                    ctx,
                    args.file_id,
                    password,
                    profile=profile,
                    workers=args.workers,
                    cancel=cancel,
                    on_progress=display,
                    library=args.library,
                )
            finally:
                display.done()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return _report(result, args.quiet)


def _report(result, quiet: bool) -> int:  # noqa: ANN001 - an ArchiveUnlock
    if not quiet:
        for file_id, path in result.opened:
            print(f"opened: {file_id}\t{path}")
        for member in result.still_closed:
            print(f"still closed: {member.file_id}\t{member.path}\t{member.note}")
        print(
            f"archive {result.file_id} ({result.item}): {len(result.opened)} members opened, "
            f"{len(result.still_closed)} still closed, {result.found_inside} items found inside them "
            f"(job {result.job_id})"
        )
        if result.match is not None:
            print(f"matched: {result.match.findings_added} new findings")
    if result.status == "cancelled":
        print(f"custos: unlocking archive {result.file_id} cancelled; run it again", file=sys.stderr)
        return 3
    if result.wrong_password:
        print(f"custos: error: archive {result.file_id}: wrong password; nothing opened", file=sys.stderr)
        return 1
    if not result.opened:
        notes = sorted({member.note for member in result.still_closed})
        print(
            f"custos: error: archive {result.file_id}: nothing opened ({'; '.join(notes)})", file=sys.stderr
        )
        return 1
    return 0
