"""Sub-commands: ``custos custody`` (verify, log, note, transfer, correct, intake).

``verify`` and ``log`` read the case database read-only and need no examiner, so that anyone who
holds a case folder (a reviewer, the defence, the court) can check it. The others record signed
events and need a member examiner and their passphrase.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands.common import common_options
from app.context import open_case
from forensics.core.errors import CustosError
from forensics.custody.canonical import canonical_json
from forensics.custody.intake import current_intake, intake_corrections
from forensics.custody.records import entry_from_row
from forensics.custody.store import CustodyStore
from forensics.custody.trust import roster_path, workstation_trust
from forensics.custody.verify import VerifyReport, load_trusted_keys, verify_case
from forensics.services.custody import add_note, correct_intake, record_transfer


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``custody verify|log|note|transfer|correct|intake``."""
    parser = sub.add_parser("custody", help="the signed chain-of-custody log")
    cmds = parser.add_subparsers(dest="custody_command", metavar="ACTION", required=True)

    p = cmds.add_parser(
        "verify",
        help="check every link, key and signature (exit 0 intact, 1 broken)",
        parents=[common_options()],
    )
    p.add_argument("case_dir", type=Path)
    p.add_argument("--trusted-keys", type=Path, help="JSON public records of examiners to trust")
    p.add_argument(
        "--no-local-keys",
        action="store_true",
        help="do not trust this workstation's examiner profiles (the lab roster and --trusted-keys only)",
    )
    p.add_argument("--head", help="a head hash printed earlier (e.g. in a report) that must be in the log")
    p.add_argument(
        "--report",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a report (PDF or HTML) whose signed checkpoint the log must hold (repeatable)",
    )
    p.add_argument(
        "--no-witness", action="store_true", help="do not hold the log to this workstation's witness store"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = cmds.add_parser("log", help="print the custody log", parents=[common_options()])
    p.add_argument("case_dir", type=Path)
    p.add_argument("--jsonl", action="store_true", help="one JSON object per entry")
    p.add_argument("--item", help="only entries about this evidence item")
    p.add_argument("--action", help="only entries with this action")
    p.set_defaults(func=cmd_log)

    p = cmds.add_parser("note", help="record a free note", parents=[common_options()])
    p.add_argument("case_dir", type=Path)
    p.add_argument("text")
    p.add_argument("--item", help="the evidence item the note is about")
    p.set_defaults(func=cmd_note)

    p = cmds.add_parser(
        "transfer", help="record a physical custody transfer of an evidence item", parents=[common_options()]
    )
    p.add_argument("case_dir", type=Path)
    p.add_argument("--item", required=True)
    p.add_argument("--from", dest="from_person", required=True)
    p.add_argument("--to", dest="to_person", required=True)
    p.add_argument("--reason", required=True)
    p.add_argument("--seal-checked", action="store_true", help="the seal was checked intact at hand-over")
    p.add_argument("--seal", help="seal or bag number at hand-over")
    p.add_argument("--location", help="where the item goes")
    p.set_defaults(func=cmd_transfer)

    p = cmds.add_parser(
        "correct", help="correct one intake field (old value, new value and reason are logged)"
    )
    p.add_argument("case_dir", type=Path)
    p.add_argument("--item", required=True)
    p.add_argument("--field", required=True)
    value = p.add_mutually_exclusive_group(required=True)
    value.add_argument("--value")
    value.add_argument("--clear", action="store_true", help="the field should be empty")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_correct)

    p = cmds.add_parser(
        "intake", help="show an item's current intake record and its corrections", parents=[common_options()]
    )
    p.add_argument("case_dir", type=Path)
    p.add_argument("item")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_intake)


def _trusted(args: argparse.Namespace) -> dict[str, str]:
    """The lab roster, this workstation's profiles (unless ``--no-local-keys``), and ``--trusted-keys``."""
    try:
        trusted = workstation_trust(local_profiles=not args.no_local_keys)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CustosError(f"{roster_path()}: not a readable roster of public records: {exc}") from None
    if args.trusted_keys:
        try:
            trusted.update(load_trusted_keys(args.trusted_keys))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CustosError(f"{args.trusted_keys}: not a readable list of public records: {exc}") from None
    return trusted


def _print_report(case_dir: Path, report: VerifyReport) -> None:
    if report.failure is None:
        print(f"custody log of {case_dir}: {_verdict(report)}")
        print(f"  entries: {report.entries}")
        print(f"  head:    {report.head_hash}")
    else:
        brk = report.failure
        print(f"custody log of {case_dir}: BROKEN at entry {brk.seq} ({brk.kind})")
        print(f"  {brk.message}")
        print(f"  entries verified before the break: {report.entries}")
    if report.failure is None:
        if report.results is None:
            print("  results: never sealed (the case was made before results were sealed)")
        elif report.results.clean:
            print(f"  results: as sealed at entry {report.sealed_at}")
        else:
            print(f"  results: CHANGED since the seal at entry {report.sealed_at}")
            for line in report.results.lines():
                print(f"    {line}")
        for found in report.found_by_jobs:
            print(f"  {'note' if found.expected else 'ALTERED BEFORE A JOB'}: {found.text()}")
    for anchor in report.anchors:
        print(f"  checked against {anchor}")
    for problem in report.anchor_problems:
        print(f"  ANCHOR: {problem}")
    for m in report.members:
        anchor = "matches trusted key" if m.name in report.anchored else "NO TRUSTED KEY (unanchored)"
        state = "" if m.active else f", removed at entry {m.removed_seq}"
        print(f"  examiner {m.name} ({m.agency}, {m.badge}): key {m.key_id[:16]}, {anchor}{state}")


def _verdict(report: VerifyReport) -> str:
    """INTACT only when the chain, the results and every anchor hold and every key is vouched for."""
    if report.ok:
        return "INTACT"
    problems = []
    if report.results is not None and not report.results.clean:
        problems.append("RESULTS CHANGED")
    if any(not found.expected for found in report.found_by_jobs):
        problems.append("RESULTS ALTERED BEFORE A JOB")
    if report.anchor_problems:
        problems.append("NOT WHAT WAS WITNESSED OR REPORTED")
    if report.unanchored:
        problems.append("UNANCHORED KEYS (" + ", ".join(report.unanchored) + ")")
    return "chain consistent, but " + "; ".join(problems)


def cmd_verify(args: argparse.Namespace) -> int:
    report = verify_case(
        args.case_dir,
        trusted_keys=_trusted(args),
        expected_head=args.head,
        reports=args.report,
        witness=not args.no_witness,
    )
    if args.json:
        print(json.dumps(report.as_json(), indent=2))
    else:
        _print_report(args.case_dir, report)
    return 0 if report.ok else 1


def cmd_log(args: argparse.Namespace) -> int:
    with CustodyStore(args.case_dir) as store:
        for row in store.rows():
            if (args.item and row["item"] != args.item) or (args.action and row["action"] != args.action):
                continue
            try:
                entry = entry_from_row(row)
            except (ValueError, TypeError, KeyError):
                print(f"entry {row['seq']}: unreadable row", file=sys.stderr)
                continue
            if args.jsonl:
                print(canonical_json(entry.as_json()))
            else:
                target = f" {entry.target.get('path', '')}" if entry.target else ""
                print(
                    f"{entry.seq:>6}  {entry.ts}  {entry.examiner}  {entry.action}  {entry.item or '-'}"
                    f"{target}  {canonical_json(entry.details)}"
                )
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    if not args.text.strip():
        raise CustosError("a note cannot be empty")
    with open_case(args, args.case_dir, write=True) as ctx:
        entry = add_note(ctx, args.text, args.item)
    print(f"note recorded (custody entry {entry.seq})")
    return 0


def cmd_transfer(args: argparse.Namespace) -> int:
    with open_case(args, args.case_dir, write=True) as ctx:
        entry = record_transfer(
            ctx,
            args.item,
            from_person=args.from_person,
            to_person=args.to_person,
            reason=args.reason,
            seal_checked=args.seal_checked,
            seal_number=args.seal,
            location=args.location,
        )
    print(f"transfer of {args.item} from {args.from_person} to {args.to_person} recorded (entry {entry.seq})")
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    value = None if args.clear else args.value
    with open_case(args, args.case_dir, write=True) as ctx:
        entry = correct_intake(ctx, args.item, args.field, value, args.reason)
    print(
        f"{args.item} {args.field}: {entry.details['old']!r} -> {entry.details['new']!r} (entry {entry.seq})"
    )
    return 0


def cmd_intake(args: argparse.Namespace) -> int:
    with open_case(args, args.case_dir, write=False) as ctx:
        view = current_intake(ctx.db, args.item)
        corrections = intake_corrections(ctx.db, args.item)
    if args.json:
        print(json.dumps({"current": view, "corrections": corrections}, indent=2, ensure_ascii=False))
        return 0
    for field, value in view.items():
        print(f"{field}: {value if value is not None else ''}")
    for c in corrections:
        print(
            f"corrected at entry {c['seq']} by {c['examiner']}: {c['field']} {c['old']!r} -> {c['new']!r} "
            f"({c['reason']})"
        )
    return 0
