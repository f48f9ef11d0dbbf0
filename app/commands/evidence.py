"""``custos evidence add`` and ``custos verify``: intake of an image or phone extraction, and verification."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands.common import common_options
from app.context import open_case
from app.evidence_password import add_password_option, given_password
from app.progress_display import JsonProgress, TerminalProgress, byte_reporter
from forensics.core.errors import CustosError
from forensics.evidence.extractions.survey import ExtractionSurvey, survey_extraction
from forensics.evidence.survey import EvidenceSurvey, survey_dict, survey_image
from forensics.reports.sections import damaged_chunk_line
from forensics.services.evidence import add_evidence, normalise_intake, set_time_zone, verify_evidence

INTAKE_OPTIONS = {
    "description": "description of the item",
    "seal": "seal or bag number",
    "seized_from": "where / from whom it was seized",
    "seized_by": "who seized it",
    "seized_at": "when it was seized (ISO-8601; UTC if no zone)",
    "received_by": "who received it at the lab",
    "received_at": "when it was received (ISO-8601)",
    "device_make": "device make",
    "device_model": "device model",
    "device_serial": "device serial number",
    "storage_location": "where the item is stored",
    "acquisition_tool": "tool used to image it",
    "acquisition_examiner": "who imaged it",
    "acquisition_date": "when it was imaged (ISO-8601)",
    "notes": "notes",
    "acquisition_md5": "MD5 of the media from the acquisition log",
    "acquisition_sha1": "SHA-1 of the media from the acquisition log",
    "acquisition_sha256": "SHA-256 of the media from the acquisition log",
    "time_zone": "the source device's time zone, an IANA name such as Asia/Karachi (FAT/exFAT times are "
    "local clock times, shown in UTC once it is known); unknown when not given",
}


def register(sub: argparse._SubParsersAction) -> None:
    evidence = sub.add_parser("evidence", help="add evidence items to a case")
    ev_sub = evidence.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    add = ev_sub.add_parser(
        "add",
        help="add an image, folder or phone extraction as an evidence item",
        parents=[common_options()],
    )
    add.add_argument("case_dir", metavar="DIR")
    add.add_argument(
        "image",
        metavar="IMAGE",
        help="image file (first segment), folder of extracted files, or phone extraction (zip, tar, .ab, "
        "iOS backup folder, UFDR, .ufd): detected by content",
    )
    add.add_argument("--item", required=True, help="evidence item / exhibit number")
    for name, text in INTAKE_OPTIONS.items():
        add.add_argument("--" + name.replace("_", "-"), dest=name, help=text)
    add.add_argument(
        "--no-verify",
        action="store_true",
        help="do not verify the media against its acquisition hashes now (verify later with `custos verify`)",
    )
    add.add_argument(
        "--register-unreadable",
        action="store_true",
        help="register the item for custody even when no volume or file system can be read in it",
    )
    add_password_option(add)
    add.add_argument(
        "--progress-jsonl", action="store_true", help="write progress as JSON lines on stderr (GUI, scripts)"
    )
    add.set_defaults(func=cmd_add)

    zone = ev_sub.add_parser(
        "set-time-zone",
        help="set or change an item's source time zone (a custody entry with the old and new zone)",
        parents=[common_options()],
    )
    zone.add_argument("case_dir", metavar="DIR")
    zone.add_argument("item", metavar="ITEM", help="evidence item")
    zone.add_argument(
        "zone",
        metavar="ZONE",
        help="IANA time zone name (e.g. Asia/Karachi, Europe/London); 'unknown' to unset",
    )
    zone.set_defaults(func=cmd_set_time_zone)

    survey = ev_sub.add_parser(
        "survey", help="show what an image (or folder) holds, without adding it", parents=[common_options()]
    )
    survey.add_argument("image", metavar="IMAGE", help="image file (first segment) or folder")
    survey.add_argument(
        "--json", action="store_true", help="one JSON object on stdout (for the GUI, scripts)"
    )
    survey.set_defaults(func=cmd_survey)

    verify = sub.add_parser(
        "verify", help="verify the acquisition hashes of an item", parents=[common_options()]
    )
    verify.add_argument("case_dir", metavar="DIR")
    verify.add_argument("--item", required=True)
    verify.add_argument("--md5", help="expected MD5 of the media (in addition to any stored)")
    verify.add_argument("--sha1", help="expected SHA-1 of the media")
    verify.add_argument("--sha256", help="expected SHA-256 of the media")
    verify.add_argument(
        "--progress-jsonl", action="store_true", help="write progress as JSON lines on stderr (GUI, scripts)"
    )
    verify.set_defaults(func=cmd_verify)


def _option(key: str) -> str:
    """The command-line option that sets intake field ``key``."""
    return "--seal" if key == "seal_number" else "--" + key.replace("_", "-")


def _intake_from_args(args: argparse.Namespace) -> dict[str, str | None]:
    fields = {("seal_number" if n == "seal" else n): getattr(args, n) for n in INTAKE_OPTIONS}
    return normalise_intake(fields, label=_option)


def describe_survey(survey: EvidenceSurvey) -> list[str]:
    """Human-readable lines about what was found in the image."""
    lines = [
        f"container: {survey.container}, media size {survey.media_size} bytes, "
        f"{len(survey.segments)} segment(s)"
    ]
    for key, value in sorted(survey.metadata.items()):
        lines.append(f"  header {key}: {value}")
    for algo, value in sorted(survey.stored_hashes.items()):
        lines.append(f"  stored {algo.upper()}: {value}")
    if survey.layout.error:
        lines.append(f"WARNING: {survey.layout.error}")
    if survey.layout.vs_type:
        lines.append(f"volume system: {survey.layout.vs_type}")
        for p in survey.layout.partitions:
            lines.append(
                f"  {p.addr:3d} {p.kind:11s} offset {p.offset:>12d} length {p.length:>12d}  {p.description}"
            )
    else:
        lines.append("volume system: none (file system at offset 0)")
    for fs in survey.filesystems:
        if fs.status == "ok":
            lines.append(f"file system at {fs.offset}: {fs.fs_type}{' (ambiguous)' if fs.ambiguous else ''}")
        else:
            lines.append(f"file system at {fs.offset}: {fs.status}: {fs.error}")
        lines.extend(f"  note: {note}" for note in fs.notes)
    return lines


def describe_extraction(survey: ExtractionSurvey) -> list[str]:
    """Human-readable lines about a phone extraction: what it is, its device, hashes, encryption."""
    facts = survey.metadata()
    lines = [
        f"container: extraction: {facts['description']}",
        f"  format {facts['format']}, platform {facts['platform'] or 'unknown'}, "
        f"{'encrypted' if facts['encrypted'] else 'not encrypted'}",
    ]
    for key, value in sorted(facts["device_info"].items()):
        lines.append(f"  device {key}: {value}")
    if survey.media_file is not None and survey.digests is not None:
        lines.append(f"  file {survey.media_file} ({survey.digests.size} bytes)")
        lines.append(f"    MD5     {survey.digests.md5}")
        lines.append(f"    SHA-1   {survey.digests.sha1}")
        lines.append(f"    SHA-256 {survey.digests.sha256}")
    for algorithm, stated in sorted(survey.stated_hashes.items()):
        computed = getattr(survey.digests, algorithm, None) if survey.digests else None
        word = "MATCH" if computed == stated else "MISMATCH"
        lines.append(f"  .ufd states {algorithm.upper()} {stated}: {word}")
    if survey.members is not None:
        lines.append(f"  members listed: {survey.members}")
    if survey.encrypted:
        lines.append(
            "  password checked: the extraction opens (keys kept in memory only, not stored)"
            if survey.decrypted
            else "  encrypted: the ingest will need its password"
        )
    return lines


def cmd_survey(args: argparse.Namespace) -> int:
    """Survey an image read-only; with ``--json`` failures are JSON too (``{"ok": false, "error": ...}``)."""
    try:
        extraction = survey_extraction(Path(args.image), hashes=False)
        survey = None if extraction is not None else survey_image(Path(args.image))
    except (CustosError, OSError) as exc:
        if not args.json:
            raise
        print(json.dumps({"ok": False, "error": str(exc)}))
        return 1
    if args.json:
        data = extraction_survey_dict(extraction) if extraction is not None else survey_dict(survey)
        print(json.dumps(data, default=str))
    else:
        for line in describe_extraction(extraction) if extraction is not None else describe_survey(survey):
            print(line)
    return 0


def extraction_survey_dict(survey: ExtractionSurvey) -> dict:
    """A phone extraction's survey as JSON-able data (the add-evidence dialog reads it)."""
    return {
        "ok": True,
        "path": str(survey.path),
        "container": "extraction",
        "verifiable": survey.media_file is not None,
        "encrypted": survey.encrypted,
        "media_size": survey.media_size or 0,
        "segments": [str(p) for p in survey.segments],
        "extraction": survey.metadata(),
        "warnings": survey.warnings,
        "filesystems": [{"offset": 0, "fs_type": survey.format, "status": "ok", "error": None}],
    }


def cmd_add(args: argparse.Namespace) -> int:
    """Intake, then (unless ``--no-verify``) verification of the media, waited for with its progress."""
    intake = _intake_from_args(args)
    image = Path(args.image)
    display = JsonProgress(args.item) if args.progress_jsonl else TerminalProgress(args.quiet)
    with open_case(args, args.case_dir, write=True) as ctx:
        try:
            result = add_evidence(
                ctx,
                image,
                args.item,
                intake,
                register_unreadable=args.register_unreadable,
                password=given_password(args),
                unlock_progress=_fraction_reporter(display, "unlocking"),
                hash_progress=byte_reporter(display, "hashing"),
            )
        finally:
            display.done()
        if not args.quiet:
            print(f"evidence item {args.item} added")
            described = (
                describe_extraction(result.extraction)
                if result.extraction is not None
                else describe_survey(result.survey)
            )
            for line in described:
                print(line)
        if result.extraction is not None:
            for warning in result.extraction.warnings:
                print(f"custos: warning: {warning}", file=sys.stderr)
        elif not result.survey.usable_filesystems:
            print(
                f"custos: error: no volume or file system could be read in {image}; registered for custody "
                "only (--register-unreadable)",
                file=sys.stderr,
            )
            return 1
        if args.no_verify or result.extraction is not None or result.survey.container == "folder":
            return 0  # a folder has no media hash; an extraction was hashed (and checked) at intake
        return _verify(args, ctx, args.item, {})


def cmd_set_time_zone(args: argparse.Namespace) -> int:
    """Set or change an item's source time zone through the service (custody entry ``time_zone_set``)."""
    with open_case(args, args.case_dir, write=True) as ctx:
        old, new = set_time_zone(ctx, args.item, args.zone)
    if not args.quiet:
        print(f"{args.item}: source time zone {old or 'unknown'} -> {new or 'unknown'}")
    return 0


def _fraction_reporter(display, label: str):
    """A ``fraction`` callback (the slow key derivation) feeding ``display`` as a percentage."""
    from forensics.core.progress import Progress

    progress = Progress(phase=label, items_total=100, current="deriving the key from the password")

    def report(fraction: float) -> None:
        progress.items_done = int(fraction * 100)
        display(progress)

    return report


def cmd_verify(args: argparse.Namespace) -> int:
    expected = {"md5": args.md5, "sha1": args.sha1, "sha256": args.sha256}
    with open_case(args, args.case_dir, write=True) as ctx:
        return _verify(args, ctx, args.item, expected)


def _verify(args: argparse.Namespace, ctx, item: str, expected: dict) -> int:
    """Verify an item's media, print the hashes and the verdict; the exit code says the verdict."""
    display = JsonProgress(item) if args.progress_jsonl else TerminalProgress(args.quiet)
    try:
        result = verify_evidence(ctx, item, expected, progress=byte_reporter(display, "verifying"))
    finally:
        display.done()
    digests, comparisons = result.digests, result.comparisons
    print(f"media MD5    {digests.md5}\nmedia SHA-1  {digests.sha1}\nmedia SHA-256 {digests.sha256}")
    for algo, c in sorted(comparisons.items()):
        word = "MATCH" if c["match"] else "MISMATCH"
        print(f"{algo:14s} {word:8s} expected {c['expected']} ({c['source']})")
    for start, count in result.damaged:
        print(f"custos: {damaged_chunk_line(start, count)}", file=sys.stderr)
    if result.result == "failure":
        print(
            f"custos: VERIFICATION FAILURE for item {item}: {len(result.damaged)} damaged chunk range(s) "
            "failed their checksum (read as zeros); the media read is not the media acquired",
            file=sys.stderr,
        )
        return 1
    if result.result == "mismatch":
        print(
            f"custos: ACQUISITION HASH MISMATCH for item {item}: the media does not match its "
            "recorded acquisition hash",
            file=sys.stderr,
        )
        return 1
    if result.result == "no-reference":
        print(
            f"custos: warning: item {item} has no stored or given acquisition hash to compare with; "
            "computed hashes recorded",
            file=sys.stderr,
        )
    return 0
