"""Sub-commands ``custos report`` (PDF/HTML) and ``custos export`` (VICS, CASE/UCO, DFXML, CSV, KML, GeoJSON).

Every file written is recorded, with its SHA-256, as a ``report_generated`` custody event.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands.common import common_options
from app.context import open_case
from forensics.core.errors import CustosError
from forensics.core.timeutil import parse_iso_utc, utc_now_iso
from forensics.reports.collect import ReportOptions
from forensics.services.reports import EXPORT_FORMATS, write_export, write_report


def _now(args: argparse.Namespace) -> str:
    if not args.now:
        return utc_now_iso()
    try:
        return parse_iso_utc(args.now)
    except ValueError as exc:
        raise CustosError(f"--now {args.now!r}: not an ISO-8601 date-time") from exc


def cmd_report(args: argparse.Namespace) -> int:
    targets = {fmt: getattr(args, fmt) for fmt in ("pdf", "html") if getattr(args, fmt)}
    if not targets:
        raise CustosError("name at least one output: --pdf FILE and/or --html FILE")
    if args.unblurred_annex and not args.annex:
        raise CustosError("--unblurred-annex needs --annex")
    options = ReportOptions(
        reviewer=args.reviewer,
        request=args.request,
        authority=args.authority,
        constraints=args.constraints,
        notes=tuple(args.note or ()),
        annex=args.annex,
        unblurred_annex=args.unblurred_annex,
    )
    with open_case(args, args.case_dir, write=True) as ctx:
        outputs = write_report(ctx, targets, options, _now(args))
    for output in outputs:
        print(f"{output.format}\t{output.path}\t{output.sha256}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    fmt = next(name for name in EXPORT_FORMATS if getattr(args, name.replace("-", "_")))
    with open_case(args, args.case_dir, write=True) as ctx:
        outputs = write_export(ctx, fmt, getattr(args, fmt.replace("-", "_")), _now(args))
    for output in outputs:
        print(f"{output.format}\t{output.path}\t{output.sha256}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` and ``export``."""
    report = sub.add_parser(
        "report", help="write the court report (PDF and/or HTML)", parents=[common_options()]
    )
    report.add_argument("case_dir", metavar="DIR")
    report.add_argument("--pdf", type=Path, metavar="FILE", help="write the PDF report here")
    report.add_argument("--html", type=Path, metavar="FILE", help="write the self-contained HTML report here")
    report.add_argument("--annex", action="store_true", help="add the restricted image annex (blurred)")
    report.add_argument(
        "--unblurred-annex", action="store_true", help="do not blur the annex images (explicit choice)"
    )
    report.add_argument(
        "--now", metavar="ISO-TIME", help="report date-time (default: now; fix it to reproduce)"
    )
    report.add_argument("--reviewer", help="name of the technical/administrative reviewer")
    report.add_argument("--request", help="the request or questions asked")
    report.add_argument("--authority", help="legal authority, e.g. the warrant reference")
    report.add_argument("--constraints", help="constraints on the examination")
    report.add_argument("--note", action="append", metavar="TEXT", help="an examiner note (repeatable)")
    report.set_defaults(func=cmd_report)

    export = sub.add_parser(
        "export", help="write an interchange export of the case", parents=[common_options()]
    )
    export.add_argument("case_dir", metavar="DIR")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--vics", type=Path, metavar="FILE", help="Project VIC VICS 2.0 case JSON")
    target.add_argument("--case-uco", type=Path, metavar="FILE", help="CASE/UCO 1.4 JSON-LD")
    target.add_argument("--dfxml", type=Path, metavar="FILE", help="DFXML file listing")
    target.add_argument("--csv", type=Path, metavar="DIR", help="files.csv and findings.csv into DIR")
    target.add_argument("--kml", type=Path, metavar="FILE", help="KML of GPS-tagged files")
    target.add_argument("--geojson", type=Path, metavar="FILE", help="GeoJSON of GPS-tagged files")
    export.add_argument("--now", metavar="ISO-TIME", help="export date-time (default: now)")
    export.set_defaults(func=cmd_export)
