"""``custos case create``: a new case folder with its database and custody log."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.common import common_options
from app.passphrase import passphrase_for
from forensics import __version__
from forensics.case.db import CaseDatabase, case_db_path
from forensics.case.models import CaseInfo
from forensics.custody import actions
from forensics.custody.profiles import load_examiner
from forensics.custody.session import start_case_custody
from forensics.errors import CaseError
from forensics.timeutil import utc_now_iso


def register(sub: argparse._SubParsersAction) -> None:
    case = sub.add_parser("case", help="create and inspect cases")
    case_sub = case.add_subparsers(dest="case_command", metavar="ACTION", required=True)
    create = case_sub.add_parser("create", help="create a new case folder", parents=[common_options()])
    create.add_argument("case_dir", metavar="DIR")
    create.add_argument("--number", required=True, help="case number")
    create.add_argument("--title", required=True, help="case title")
    create.add_argument("--agency", help="agency or laboratory")
    create.set_defaults(func=cmd_create)


def cmd_create(args: argparse.Namespace) -> int:
    examiner = args.examiner
    if not examiner:
        raise CaseError("name the examiner creating the case (--examiner or $CUSTOS_EXAMINER)")
    case_dir = Path(args.case_dir)
    if case_db_path(case_dir).exists():
        raise CaseError(f"{case_dir}: a case already exists there")
    if case_dir.exists() and any(case_dir.iterdir()):
        raise CaseError(f"{case_dir}: folder is not empty")
    passphrase = passphrase_for(examiner)
    load_examiner(examiner).unlock(passphrase)  # refuse a wrong passphrase before anything is created
    case_dir.mkdir(parents=True, exist_ok=True)
    db = CaseDatabase(case_dir, create=True)
    try:
        log = start_case_custody(db, examiner, passphrase)
        with db.session() as s:
            s.add(
                CaseInfo(
                    number=args.number,
                    title=args.title,
                    agency=args.agency,
                    created_at=utc_now_iso(),
                    created_by=examiner,
                    custos_version=__version__,
                )
            )
        log.append(
            actions.CASE_CREATED,
            details={
                "number": args.number,
                "title": args.title,
                "agency": args.agency,
                "custos_version": __version__,
            },
        )
    finally:
        db.close()
    print(f"case {args.number} created in {case_dir}")
    return 0
