"""``custos case create``: a new case folder with its database and custody log."""

from __future__ import annotations

import argparse

from app.commands.common import common_options
from app.passphrase import passphrase_for
from forensics.case.queries.review import case_region
from forensics.core.errors import CaseError
from forensics.services.cases import create_case


def register(sub: argparse._SubParsersAction) -> None:
    case = sub.add_parser("case", help="create and inspect cases")
    case_sub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    create = case_sub.add_parser("create", help="create a new case folder", parents=[common_options()])
    create.add_argument("case_dir", metavar="DIR")
    create.add_argument("--number", required=True, help="case number")
    create.add_argument("--title", required=True, help="case title")
    create.add_argument("--agency", help="agency or laboratory")
    create.add_argument(
        "--region", default="US", help="VICS category scheme of the review: US, Canada, UK (default US)"
    )
    create.set_defaults(func=cmd_create)


def cmd_create(args: argparse.Namespace) -> int:
    examiner = args.examiner
    if not examiner:
        raise CaseError("name the examiner creating the case (--examiner or $CUSTOS_EXAMINER)")
    ctx = create_case(
        args.case_dir,
        number=args.number,
        title=args.title,
        agency=args.agency,
        examiner=examiner,
        passphrase=passphrase_for(examiner),
        region=args.region,
    )
    try:
        region = case_region(ctx.db)
    finally:
        ctx.close()
    print(f"case {args.number} created in {args.case_dir} (category region {region})")
    return 0
