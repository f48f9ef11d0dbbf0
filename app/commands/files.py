"""``custos files``: list every item of a case (JSON lines for scripts and tests)."""

from __future__ import annotations

import argparse
import json
import sys

from app.commands.common import common_options
from app.context import open_case
from forensics.case.queries.files import iter_file_records

PAGE = 1000


def register(sub: argparse._SubParsersAction) -> None:
    files = sub.add_parser("files", help="list the items found in a case", parents=[common_options()])
    files.add_argument("case_dir", metavar="DIR")
    files.add_argument("--item", help="only this evidence item")
    files.add_argument("--jsonl", action="store_true", help="one JSON object per line (default: a table)")
    files.set_defaults(func=cmd_files)


def _with_analysis(session, records: list[dict]) -> list[dict]:
    from forensics.case.analysis_store import analysis_fields

    extra = analysis_fields(session, [r["id"] for r in records])
    for record in records:
        record.update(extra.get(record["id"], {}))
    return records


def cmd_files(args: argparse.Namespace) -> int:
    out = sys.stdout
    with open_case(args, args.case_dir, write=False) as ctx, ctx.db.session() as s:
        page: list[dict] = []
        for record in iter_file_records(s, args.item):
            page.append(record)
            if len(page) >= PAGE:
                _emit(out, _with_analysis(s, page), args.jsonl)
                page = []
        if page:
            _emit(out, _with_analysis(s, page), args.jsonl)
    return 0


def _emit(out, records: list[dict], jsonl: bool) -> None:
    for r in records:
        if jsonl:
            out.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
        else:
            flags = (
                ("A" if r["allocated"] else "-")
                + ("D" if r["deleted"] else "-")
                + ("O" if r["orphan"] else "-")
            )
            out.write(
                f"{r['item']}\t{r['partition_offset']}\t{r['inode']}\t{flags}\t{r['size']}\t"
                f"{r['md5'] or '-'}\t{r['path']}\n"
            )
