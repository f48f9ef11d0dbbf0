"""Sub-commands: ``custos examiner`` (profiles on this workstation, and who is on a case)."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from app.commands.common import common_options
from app.context import open_case
from app.passphrase import passphrase_for
from forensics.core.errors import CustosError
from forensics.custody.examiners import (
    create_examiner,
    examiners_dir,
    find_examiner,
    list_examiners,
    load_examiner,
)
from forensics.custody.membership import members
from forensics.services.custody import add_examiner, remove_examiner


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``examiner create|list|export|add|remove|members``."""
    parser = sub.add_parser("examiner", help="examiner profiles and case membership")
    cmds = parser.add_subparsers(dest="examiner_command", metavar="ACTION", required=True)

    p = cmds.add_parser("create", help="create a profile with a passphrase-protected signing key")
    p.add_argument("name")
    p.add_argument("--agency", required=True)
    p.add_argument("--badge", required=True, help="badge or staff ID")
    p.set_defaults(func=cmd_create)

    p = cmds.add_parser("list", help="list the examiner profiles on this workstation")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = cmds.add_parser("export", help="print an examiner's public record (to add or trust them elsewhere)")
    p.add_argument("name")
    p.set_defaults(func=cmd_export)

    p = cmds.add_parser(
        "add", help="add an examiner to a case (a custody event by a member)", parents=[common_options()]
    )
    p.add_argument("case_dir", type=Path)
    p.add_argument("name")
    p.add_argument("--key-file", type=Path, help="public record from 'custos examiner export' elsewhere")
    p.add_argument("--reason", default="", help="why they join the case")
    p.set_defaults(func=cmd_add)

    p = cmds.add_parser(
        "remove",
        help="remove an examiner from a case (a custody event by a member)",
        parents=[common_options()],
    )
    p.add_argument("case_dir", type=Path)
    p.add_argument("name")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=cmd_remove)

    p = cmds.add_parser("members", help="list the examiners registered on a case", parents=[common_options()])
    p.add_argument("case_dir", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_members)


def cmd_create(args: argparse.Namespace) -> int:
    if find_examiner(args.name) is not None:
        raise CustosError(f"an examiner named {args.name!r} already exists on this workstation")
    passphrase = passphrase_for(args.name)
    if (
        os.environ.get("CUSTOS_PASSPHRASE") is None
        and getpass.getpass("Repeat the passphrase: ") != passphrase
    ):
        raise CustosError("the two passphrases differ")
    try:
        profile = create_examiner(args.name, args.agency, args.badge, passphrase)
    except ValueError as exc:
        raise CustosError(str(exc)) from None
    print(f"examiner {profile.name!r} created; key id {profile.key_id}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    profiles = list_examiners()
    if not profiles and not args.json:
        print(f"no examiner profiles in {examiners_dir()}", file=sys.stderr)
    if args.json:
        print(json.dumps([p.public_record() for p in profiles], indent=2, ensure_ascii=False))
        return 0
    for p in profiles:
        print(f"{p.name}\t{p.agency}\t{p.badge}\tkey {p.key_id[:16]}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    print(json.dumps(load_examiner(args.name).public_record(), indent=2, ensure_ascii=False))
    return 0


def _public_record(args: argparse.Namespace) -> dict:
    if args.key_file:
        try:
            record = json.loads(args.key_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CustosError(f"{args.key_file}: not a readable public record: {exc}") from None
        if not isinstance(record, dict) or str(record.get("name", "")).casefold() != args.name.casefold():
            raise CustosError(f"{args.key_file} is not the public record of {args.name!r}")
        return record
    profile = find_examiner(args.name)
    if profile is None:
        raise CustosError(f"no profile for {args.name!r} on this workstation: pass --key-file")
    return profile.public_record()


def cmd_add(args: argparse.Namespace) -> int:
    record = _public_record(args)
    with open_case(args, args.case_dir, write=True) as ctx:
        entry = add_examiner(ctx, record, args.reason)
    print(f"{record['name']!r} added to the case by {ctx.examiner!r} (custody entry {entry.seq})")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_case(args, args.case_dir, write=True) as ctx:
        entry = remove_examiner(ctx, args.name, args.reason)
    print(f"{args.name!r} removed from the case by {ctx.examiner!r} (custody entry {entry.seq})")
    return 0


def cmd_members(args: argparse.Namespace) -> int:
    with open_case(args, args.case_dir, write=False) as ctx:
        registered = members(ctx.db)
    if args.json:
        print(json.dumps([m.__dict__ for m in registered], indent=2, ensure_ascii=False))
        return 0
    for m in registered:
        state = "active" if m.active else f"removed at entry {m.removed_seq}"
        print(f"{m.name}\t{m.agency}\t{m.badge}\tkey {m.key_id[:16]}\tadded at entry {m.added_seq}\t{state}")
    return 0
