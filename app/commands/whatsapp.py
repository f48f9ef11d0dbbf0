"""``custos whatsapp``: read the WhatsApp databases of a case's evidence again and relink their media to the
case's items (e.g. after another evidence item was added), or show what was read (``--show``)."""

from __future__ import annotations

import argparse
import json

from app.commands.common import common_options
from app.commands.ingest import provenance_lines
from app.context import open_case
from app.evidence_password import add_password_option, given_password, prompt_password
from app.progress_display import TerminalProgress


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "whatsapp",
        help="read WhatsApp message databases and link their media to the case's items",
        parents=[common_options()],
    )
    parser.add_argument("case_dir", metavar="DIR")
    parser.add_argument("--item", help="only this evidence item's databases (default: every item)")
    parser.add_argument(
        "--show", action="store_true", help="show the databases read and the chats, read nothing again"
    )
    parser.add_argument("--jsonl", action="store_true", help="with --show: one JSON object per line")
    add_password_option(parser)
    parser.set_defaults(func=cmd_whatsapp)


def cmd_whatsapp(args: argparse.Namespace) -> int:
    if args.show:
        return _show(args)
    from forensics.evidence.extractions.errors import PasswordRequired
    from forensics.services.ingest import items_to_ingest
    from forensics.services.provenance import read_provenance

    display = TerminalProgress(args.quiet)
    with open_case(args, args.case_dir, write=True) as ctx:
        for item in items_to_ingest(ctx, args.item):
            password = given_password(args)
            while True:
                try:
                    outcome = read_provenance(ctx, item, password=password, on_progress=display)
                    break
                except PasswordRequired as exc:
                    password = None if password is not None else prompt_password(item, str(exc))
                    if password is None:
                        raise
                finally:
                    display.done()
            for line in provenance_lines(item, outcome) or [f"{item}: no WhatsApp database found"]:
                print(line)
    return 0


def _show(args: argparse.Namespace) -> int:
    from forensics.case.queries.whatsapp import chat_label, chats, sources

    with open_case(args, args.case_dir, write=False) as ctx:
        found, talks = sources(ctx.db), chats(ctx.db)
    if args.jsonl:
        for record in found:
            print(json.dumps({"database": record}, sort_keys=True, ensure_ascii=False))
        for record in talks:
            print(json.dumps({"chat": record}, sort_keys=True, ensure_ascii=False))
        return 0
    for record in found:
        state = (
            f"{record['media_messages']} media messages, {record['chats']} chats ({record['schema']})"
            if record["available"]
            else record["reason"]
        )
        print(f"{record['item']}\t{record['path']}\t{state}")
    for record in talks:
        label = chat_label(record["chat_jid"], record["chat_name"], record["group"])
        counts = f"{record['messages']} media messages\t{record['files']} files linked"
        print(f"{record['item']}\t{label}\t{counts}")
    return 0
