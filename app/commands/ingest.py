"""``custos ingest``: enumerate, hash and analyse every item of the case's evidence (resumable)."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import TYPE_CHECKING

from app.commands.common import common_options
from app.evidence_password import add_password_option, given_password, prompt_password
from app.passphrase import unlock_early
from app.progress_display import JsonProgress, TerminalProgress
from forensics.core.progress import AlertRecord, CancelToken
from forensics.pipeline.executor import WorkerProcesses, default_workers
from forensics.pipeline.processing_profiles import (
    DEFAULT_PROFILE,
    ProcessingProfile,
    available_profiles,
    describe_profile,
    load_profile,
)

if TYPE_CHECKING:
    from forensics.custody.examiners import KeyUnlock

# The case database layer (SQLAlchemy) and the job code are imported inside the functions below, once
# the worker processes are started: the workers' own start-up then runs while this process imports them.


# Signals that cancel an ingest cleanly (resumable, with its custody entry): Ctrl-C, a polite kill, a
# closed terminal; Windows has only the first.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def register(sub: argparse._SubParsersAction) -> None:
    ingest = sub.add_parser(
        "ingest", help="process the evidence of a case (resumes where it stopped)", parents=[common_options()]
    )
    ingest.add_argument("case_dir", metavar="DIR")
    ingest.add_argument("--item", help="only this evidence item (default: every item)")
    ingest.add_argument(
        "--workers", type=int, default=default_workers(), help="worker processes (default: cores)"
    )
    ingest.add_argument(
        "--profile",
        default=DEFAULT_PROFILE,
        help=f"processing profile: {', '.join(available_profiles())} (default: {DEFAULT_PROFILE})",
    )
    ingest.add_argument(
        "--until-first-alert",
        action="store_true",
        help="field triage: end the job (resumable) once matching confirms an alert; the item is then "
        "not fully processed (rerun to go on)",
    )
    ingest.add_argument(
        "--progress-jsonl",
        action="store_true",
        help="write progress as JSON lines on stderr (for the GUI and scripts)",
    )
    ingest.add_argument(
        "--library",
        metavar="PATH",
        help="hash-set library for profiles that match (default: $CUSTOS_HASHSET_LIBRARY)",
    )
    add_password_option(ingest)
    ingest.set_defaults(func=cmd_ingest)


def cmd_ingest(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    with WorkerProcesses(args.workers).start() as processes:  # stopped here if no job takes them
        # the custody key's scrypt runs beside the imports and the case opening
        unlocking = unlock_early(getattr(args, "examiner", None))
        return _ingest_case(args, profile, processes, unlocking)


def _ingest_case(
    args: argparse.Namespace,
    profile: ProcessingProfile,
    processes: WorkerProcesses,
    unlocking: KeyUnlock | None,
) -> int:
    from app.context import open_case
    from forensics.case.ingest_lock import ingest_lock
    from forensics.services.ingest import items_to_ingest

    cancel = CancelToken()
    previous = {sig: signal.signal(sig, lambda *_: cancel.cancel()) for sig in STOP_SIGNALS}
    status = 0
    try:
        with (
            open_case(args, args.case_dir, write=True, unlocking=unlocking) as ctx,
            ingest_lock(ctx.case_dir),
        ):
            for item in items_to_ingest(ctx, args.item):
                if cancel.cancelled:
                    break
                status = max(status, _ingest_item(ctx, item, profile, args, cancel, processes))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return status


def provenance_lines(item: str, outcome) -> list[str]:
    """What reading the WhatsApp databases gave, one line per database and one for the links."""
    lines = []
    for source in outcome.sources:
        if source.available:
            lines.append(
                f"{item}: WhatsApp {source.path}: {source.media_messages} media messages, "
                f"{source.chats} chats, {source.contacts} contacts ({source.schema})"
            )
        else:
            lines.append(f"{item}: WhatsApp {source.path}: {source.reason}")
    if outcome.messages:
        rules = ", ".join(f"{count} by {rule}" for rule, count in sorted(outcome.links_by_rule.items()))
        lines.append(
            f"{item}: WhatsApp media messages of the case: {outcome.linked_messages} linked to items "
            f"({rules or 'none'}), {outcome.unlinked_messages} whose file is in no item"
        )
    return lines


def profile_lines(item: str, profile: ProcessingProfile, until_first_alert: bool) -> list[str]:
    """What the job runs and skips, and in which order it hands items out (printed before it starts)."""
    runs, skips = describe_profile(profile)
    if until_first_alert and not profile.until_first_alert:
        runs.append("stop at the first alert")
    lines = [f"{item}: profile {profile.name}: {', '.join(runs)}"]
    if skips:
        lines.append(f"{item}: profile {profile.name} skips: {', '.join(skips)}")
    if profile.order.ranked:
        lines.append(f"{item}: order: {' > '.join(profile.order.describe())}")
    return lines


class AlertPrinter:
    """Each finding of the job as it is made: a line on stdout, and a JSON line with ``--progress-jsonl``."""

    def __init__(self, display, quiet: bool) -> None:  # noqa: ANN001 - a progress display
        self.display = display
        self.quiet = quiet

    def __call__(self, record: AlertRecord) -> None:
        if isinstance(self.display, JsonProgress):
            self.display.stream.write(record.to_json() + "\n")
            self.display.stream.flush()
        if not self.quiet:
            self.display.done()  # a terminal's status line is cleared first
            print(record.text(), flush=True)


def _ingest_item(ctx, item: str, profile, args, cancel: CancelToken, processes: WorkerProcesses) -> int:
    """One evidence item's job; the first item's job takes the workers started with the command."""
    from forensics.evidence.extractions.errors import PasswordRequired
    from forensics.pipeline.ingest import STOPPED
    from forensics.services.ingest import collector_for_the_job, ingest_item

    collector_for_the_job()
    display = JsonProgress(item) if args.progress_jsonl else TerminalProgress(args.quiet)
    password = given_password(args)
    if not args.quiet:
        for line in profile_lines(item, profile, args.until_first_alert):
            print(line, flush=True)
    alerts = AlertPrinter(display, args.quiet)
    try:
        while True:
            try:
                result = ingest_item(
                    ctx,
                    item,
                    profile,
                    args.workers,
                    cancel=cancel,
                    on_progress=display,
                    processes=processes,
                    library=args.library,
                    password=password,
                    on_alert=alerts,
                    until_first_alert=args.until_first_alert or None,
                )
                break
            except PasswordRequired as exc:  # an encrypted extraction: ask on a terminal, else refuse
                password = None if password is not None else prompt_password(item, str(exc))
                if password is None:
                    raise
    finally:
        display.done()
    outcome = result.outcome
    for problem in outcome.listing_problems:  # shown even with -q: the listing itself may be incomplete
        print(f"custos: warning: {item}: {problem}", file=sys.stderr)
    if result.provenance is not None and not args.quiet:
        for line in provenance_lines(item, result.provenance):
            print(line)
    if result.match is not None:
        summary = result.match
        if not args.quiet:
            print(
                f"{item}: matched against {len(summary.sets)} hash set(s): {summary.findings_added} new "
                f"findings, {summary.known_added} files newly marked known"
            )
        for warning in summary.warnings:
            print(f"custos: warning: {warning}", file=sys.stderr)
    if not args.quiet:
        print(
            f"{item}: {outcome.status}: {outcome.items_done} items hashed, {outcome.items_failed} errors, "
            f"{outcome.bytes_done} bytes read (job {outcome.job_id})"
        )
    if outcome.status == STOPPED:
        pending = outcome.items_total - outcome.items_done - outcome.items_failed
        go_on = "--profile triage" if profile.until_first_alert else "without --until-first-alert"
        print(
            f"custos: {item}: stopped at the first alert: {pending} items not processed, the item is not "
            f"fully processed; run ingest again ({go_on}) to go on",
            file=sys.stderr,
        )
        return 0
    if outcome.status == "cancelled":
        print(f"custos: ingest of {item} cancelled; run the same command again to resume", file=sys.stderr)
        return 3
    if not result.readable:
        print(
            f"custos: error: {item}: no volume or file system could be read; nothing was listed",
            file=sys.stderr,
        )
        return 1
    return 0
