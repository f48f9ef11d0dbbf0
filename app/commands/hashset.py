"""Sub-commands: ``hashset import|list|remove``, ``match`` and ``findings`` (known-material hash sets)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from app.commands.common import common_options
from app.context import open_case
from app.hashset_progress import ImportProgress
from app.progress_display import JsonProgress
from forensics.case.queries.whatsapp import provenance_text
from forensics.core.categories import KINDS
from forensics.hashsets.findings import iter_findings
from forensics.hashsets.formats import PARSERS
from forensics.hashsets.importer import ImportOptions, choose_format, import_hash_set
from forensics.hashsets.library import ENV_LIBRARY, HashSetLibrary
from forensics.hashsets.matching import MatchSettings
from forensics.services.matching import match

LIBRARY_HELP = f"hash-set library database (default: ${ENV_LIBRARY}, else the user data folder)"


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr)


def _text_progress(args: argparse.Namespace) -> Callable[[int, int], None]:
    def report(read: int, malformed: int) -> None:
        _say(args, f"  {read} records read, {malformed} malformed")

    return report


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    tracker = ImportProgress(JsonProgress(args.name or path.stem)) if args.progress_jsonl else None
    progress = tracker.importing if tracker else _text_progress(args)
    try:
        with HashSetLibrary(args.library) as library:
            if tracker is not None and path.is_file():
                tracker.count(path, choose_format(path, args.format))
            report = import_hash_set(
                library,
                path,
                ImportOptions(
                    name=args.name,
                    kind=args.kind,
                    format=args.format,
                    region=args.region,
                    version=args.set_version,
                    description=args.description,
                    strict=args.strict,
                    examiner=args.examiner,
                    progress=progress,
                ),
            )
    except KeyboardInterrupt:
        print("custos: import cancelled; nothing was added to the library", file=sys.stderr)
        return 3
    info = report.set
    print(
        f"imported {info.name!r}: {info.entry_count} entries ({', '.join(info.algorithms())}), "
        f"format {info.format}, kind {info.kind}, {report.malformed} malformed, "
        f"{report.duplicates} duplicates, sha256 {info.source_sha256}"
    )
    for problem in report.problems:
        print(f"  {problem['message']}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from forensics.hashsets.picture_list import build_picture_list

    paths: list[Path] = []
    for given in map(Path, args.pictures):
        paths.extend(sorted(p for p in given.rglob("*") if p.is_file()) if given.is_dir() else [given])
    count, problems = build_picture_list(
        paths, Path(args.out), created_by=args.examiner, description=args.description
    )
    for problem in problems:
        _say(args, f"  skipped: {problem}")
    print(f"listed {count} pictures in {args.out} ({len(problems)} files skipped)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with HashSetLibrary(args.library) as library:
        sets = library.sets(include_incomplete=args.all)
    if args.json:
        for info in sets:
            print(json.dumps(info.as_dict(), sort_keys=True))
        return 0
    for info in sets:
        state = "" if info.complete else " [INCOMPLETE]"
        print(
            f"{info.name}\t{info.kind}\t{info.format}\t{info.version or '-'}\t{info.region}\t"
            f"{info.entry_count}\t{info.source_name}\t{info.source_sha256}\t{info.imported_at}\t"
            f"{info.imported_by or '-'}{state}"
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with HashSetLibrary(args.library) as library:
        info = library.remove(args.name)
    print(f"removed {info.name!r} ({info.entry_count} entries); findings already made keep their provenance")
    return 0


def match_settings(args: argparse.Namespace) -> MatchSettings:
    """The thresholds and switches of ``custos match`` (pHash/dHash: None unless a threshold is given)."""
    return MatchSettings(
        pdq_threshold=args.pdq_threshold,
        pdq_min_quality=args.pdq_min_quality,
        phash_threshold=args.phash_threshold,
        dhash_threshold=args.dhash_threshold,
        gate_64bit=not args.no_64bit_gate,
        regions=not args.whole_pictures_only,
        vpdq_threshold=args.vpdq_threshold,
        vpdq_min_quality=args.vpdq_min_quality,
        vpdq_listed_share=args.vpdq_listed_share,
        vpdq_query_share=args.vpdq_query_share,
    )


def cmd_match(args: argparse.Namespace) -> int:
    settings = match_settings(args)
    with open_case(args, args.case_dir, write=True) as ctx:
        summary = match(ctx, args.library, args.sets, settings)
    for warning in summary.warnings:
        _say(args, f"warning: {warning}")
    for usage in summary.sets:
        print(f"{usage.info.name}: {usage.findings} new findings, {usage.known} files newly marked known")
    if summary.video_copy_groups:
        print(f"{summary.video_copy_groups} group(s) of videos that are copies of one clip (stacked)")
    print(
        f"match run {summary.run_id}: {summary.findings_added} new findings, "
        f"{summary.known_added} new known marks"
    )
    if summary.message_findings_added:
        print(
            f"of which {summary.message_findings_added} from the stored hash of a WhatsApp message whose "
            "file is in no item"
        )
    return 0


def cmd_findings(args: argparse.Namespace) -> int:
    with open_case(args, args.case_dir, write=False) as ctx:
        for finding in iter_findings(ctx.db):
            if args.jsonl:
                print(json.dumps(finding, sort_keys=True, ensure_ascii=False))
            else:
                path = f"(message only) {finding['path']}" if finding["message_only"] else finding["path"]
                print(
                    f"{finding['item']}\t{path}\t{finding['set']['name']}\t{finding['algorithm']}\t"
                    f"d={finding['distance']}\t{finding['entry']['category_label'] or '-'}"
                )
                for record in finding["provenance"]:
                    print(f"\t{provenance_text(record)}")
    return 0


def _library_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--library", metavar="PATH", help=LIBRARY_HELP)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``hashset``, ``match`` and ``findings``."""
    hashset = sub.add_parser("hashset", help="manage the known-material hash-set library")
    actions = hashset.add_subparsers(dest="hashset_command", metavar="ACTION", required=True)

    imp = actions.add_parser(
        "import", help="import a hash-set file (format detected from content)", parents=[common_options()]
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--name", help="set name (default: the file name without extension)")
    imp.add_argument("--kind", choices=KINDS, help="alert | known | informational (default by format)")
    imp.add_argument("--format", help=f"force the format: {', '.join(sorted(PARSERS))}")
    imp.add_argument("--region", default="US", help="VICS category scheme: US, Canada, UK (default US)")
    imp.add_argument("--set-version", help="version or date of the set (default: from the file when known)")
    imp.add_argument("--description")
    imp.add_argument("--strict", action="store_true", help="fail on the first malformed record")
    imp.add_argument(
        "--progress-jsonl",
        action="store_true",
        help="write progress as JSON lines on stderr (for the GUI and scripts)",
    )
    _library_option(imp)
    imp.set_defaults(func=cmd_import)

    build = actions.add_parser(
        "build",
        help="build a picture list (with hashes of crops and turned copies) from picture files",
        parents=[common_options()],
    )
    build.add_argument("out", metavar="OUT", help="list file to create (JSON lines; must not exist)")
    build.add_argument("pictures", metavar="PICTURE", nargs="+", help="picture files or folders")
    build.add_argument("--description")
    build.set_defaults(func=cmd_build)

    lst = actions.add_parser("list", help="list the sets of the library")
    lst.add_argument("--all", action="store_true", help="include unfinished imports")
    lst.add_argument("--json", action="store_true", help="one JSON object per set")
    _library_option(lst)
    lst.set_defaults(func=cmd_list)

    rem = actions.add_parser("remove", help="remove a set from the library")
    rem.add_argument("name", metavar="NAME")
    _library_option(rem)
    rem.set_defaults(func=cmd_remove)

    match = sub.add_parser("match", help="match a case's files against hash sets", parents=[common_options()])
    match.add_argument("case_dir", metavar="DIR")
    match.add_argument("--sets", nargs="+", metavar="NAME", help="sets to use (default: all)")
    match.add_argument(
        "--pdq-threshold", type=int, default=27, help="max PDQ Hamming distance (default 27, calibrated)"
    )
    match.add_argument("--pdq-min-quality", type=int, default=50, help="min PDQ quality (default 50)")
    match.add_argument(
        "--phash-threshold",
        type=int,
        default=None,
        help="max pHash distance; pHash is compared only when given (its measured false-match rate is "
        "stated in the findings, the custody log and the report)",
    )
    match.add_argument(
        "--dhash-threshold",
        type=int,
        default=None,
        help="max dHash distance; dHash is compared only when given (its measured rate is stated likewise)",
    )
    match.add_argument(
        "--whole-pictures-only",
        action="store_true",
        help="compare only whole pictures as stored (no content regions, no pHash/dHash turned variants)",
    )
    match.add_argument(
        "--no-64bit-gate",
        action="store_true",
        help="compare pHash/dHash also for pictures whose PDQ quality is under --pdq-min-quality",
    )
    match.add_argument(
        "--vpdq-threshold", type=int, default=31, help="max PDQ distance of a video frame pair (default 31)"
    )
    match.add_argument(
        "--vpdq-min-quality", type=int, default=50, help="min PDQ quality of compared frames (default 50)"
    )
    match.add_argument(
        "--vpdq-listed-share",
        type=float,
        default=80.0,
        help="percent of the listed video's frames that must match (default 80, Meta's README)",
    )
    match.add_argument(
        "--vpdq-query-share",
        type=float,
        default=0.0,
        help="percent of the case video's frames that must match (default 0)",
    )
    _library_option(match)
    match.set_defaults(func=cmd_match)

    findings = sub.add_parser("findings", help="list a case's hash-set findings", parents=[common_options()])
    findings.add_argument("case_dir", metavar="DIR")
    findings.add_argument("--jsonl", action="store_true", help="one JSON object per finding")
    findings.set_defaults(func=cmd_findings)
