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
    create.add_argument(
        "--db",
        metavar="URL",
        help="keep the case on a PostgreSQL server: postgresql://HOST:PORT (a new database is made there) "
        "or postgresql://HOST:PORT/NAME; no password in it (prompt, keyring or $CUSTOS_DB_PASSWORD). "
        "Default: the lab's case_server setting, else case.db in the folder",
    )
    create.set_defaults(func=cmd_create)
    role = case_sub.add_parser(
        "role", help="print an examiner's PostgreSQL role name (for the lab admin who creates it)"
    )
    role.add_argument("name", metavar="EXAMINER")
    role.set_defaults(func=cmd_role)


def cmd_role(args: argparse.Namespace) -> int:
    from forensics.case.credentials import examiner_role

    print(examiner_role(args.name))
    return 0


def case_database_url(db: str | None) -> str | None:
    """The database URL that ``--db`` asks for, checked (None: the default)."""
    if db is None:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from forensics.case.location import is_postgres_url

    try:
        parsed = make_url(db)
    except ArgumentError:
        raise CaseError(f"--db {db!r}: not a database URL (postgresql://HOST:PORT[/NAME])") from None
    if not is_postgres_url(db):
        raise CaseError("--db: only a PostgreSQL server can hold a case (postgresql://HOST:PORT[/NAME])")
    if parsed.password is not None:
        raise CaseError("--db: a URL must not hold a password (give it at the prompt or in the keyring)")
    return db  # a server alone: the case gets a new database there (CaseDatabase)


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
        db_url=case_database_url(args.db),
    )
    try:
        region = case_region(ctx.db)
    finally:
        ctx.close()
    where = f" (database {ctx.db.place})" if ctx.db.is_postgres else ""
    print(f"case {args.number} created in {args.case_dir}{where} (category region {region})")
    return 0
