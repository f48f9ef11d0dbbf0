"""``custos evidence add`` and ``custos verify``: intake of an image, and acquisition verification."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.commands.common import common_options
from app.context import open_case
from app.progress_display import JsonProgress, TerminalProgress, byte_reporter
from forensics.case.models import Verification
from forensics.case.store import get_evidence, intake_dict, record_evidence
from forensics.custody import actions
from forensics.errors import CustosError, EvidenceError
from forensics.evidence.survey import EvidenceSurvey, survey_image
from forensics.evidence.verify import compare_hashes, hash_media, sha256_file, verdict
from forensics.reports.sections import damaged_chunk_line
from forensics.timeutil import parse_iso_utc, utc_now_iso

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
}
DATE_FIELDS = {"seized_at", "received_at", "acquisition_date"}
HASH_LENGTHS = {"acquisition_md5": 32, "acquisition_sha1": 40, "acquisition_sha256": 64}


def register(sub: argparse._SubParsersAction) -> None:
    evidence = sub.add_parser("evidence", help="add evidence items to a case")
    ev_sub = evidence.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    add = ev_sub.add_parser(
        "add", help="add an image (or folder) as an evidence item", parents=[common_options()]
    )
    add.add_argument("case_dir", metavar="DIR")
    add.add_argument("image", metavar="IMAGE", help="image file (first segment) or folder of extracted files")
    add.add_argument("--item", required=True, help="evidence item / exhibit number")
    for name, text in INTAKE_OPTIONS.items():
        add.add_argument("--" + name.replace("_", "-"), dest=name, help=text)
    add.set_defaults(func=cmd_add)

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


def _intake_from_args(args: argparse.Namespace) -> dict:
    intake: dict = {}
    for name in INTAKE_OPTIONS:
        value = getattr(args, name)
        if value is None:
            continue
        key = "seal_number" if name == "seal" else name
        if name in DATE_FIELDS:
            try:
                value = parse_iso_utc(value)
            except ValueError as exc:
                raise CustosError(
                    f"--{name.replace('_', '-')}: not an ISO-8601 date-time: {value!r}"
                ) from exc
        if name in HASH_LENGTHS:
            value = _check_hex(value, HASH_LENGTHS[name], "--" + name.replace("_", "-"))
        intake[key] = value
    return intake


def _check_hex(value: str, length: int, label: str) -> str:
    value = value.strip().lower()
    if len(value) != length or any(c not in "0123456789abcdef" for c in value):
        raise CustosError(f"{label}: expected {length} hex digits, got {value!r}")
    return value


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


def cmd_add(args: argparse.Namespace) -> int:
    intake = _intake_from_args(args)
    image = Path(args.image)
    with open_case(args, args.case_dir, write=True) as ctx:
        survey = survey_image(image)
        with ctx.db.session() as s:
            evidence = record_evidence(s, args.item, survey, intake, ctx.examiner)
            details = intake_dict(evidence)
        details["image"] = {
            "path": str(survey.path),
            "container": survey.container,
            "segments": [str(p) for p in survey.segments],
            "media_size": survey.media_size,
            "header": survey.metadata,
            "stored_hashes": survey.stored_hashes,
            "volume_system": survey.layout.vs_type,
            "filesystems": [
                {"offset": f.offset, "type": f.fs_type, "status": f.status} for f in survey.filesystems
            ],
        }
        ctx.custody.append(actions.EVIDENCE_INTAKE, item=args.item, details=details)
    if not args.quiet:
        print(f"evidence item {args.item} added")
        for line in describe_survey(survey):
            print(line)
    if not survey.usable_filesystems:
        print(f"custos: warning: no file system could be opened in {image}", file=sys.stderr)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    display = JsonProgress(args.item) if args.progress_jsonl else TerminalProgress(args.quiet)
    with open_case(args, args.case_dir, write=True) as ctx:
        with ctx.db.session() as s:
            evidence = get_evidence(s, args.item)
            path, segments, evidence_id = evidence.path, json.loads(evidence.segments_json), evidence.id
            references = {
                "md5": (evidence.stored_md5, "ewf-stored"),
                "sha1": (evidence.stored_sha1, "ewf-stored"),
            }
            examiner_refs = {
                "md5": evidence.acquisition_md5,
                "sha1": evidence.acquisition_sha1,
                "sha256": evidence.acquisition_sha256,
            }
        for algo, length in (("md5", 32), ("sha1", 40), ("sha256", 64)):
            given = getattr(args, algo)
            if given:
                examiner_refs[algo] = _check_hex(given, length, f"--{algo}")
        started = utc_now_iso()
        damaged: list[tuple[int, int]] = []
        try:
            digests = hash_media(path, progress=byte_reporter(display, "verifying"), damaged=damaged)
        except EvidenceError as exc:
            display.done()
            _record_failed_verification(ctx, evidence_id, args.item, started, str(exc))
            raise
        display.done()
        comparisons = compare_hashes(digests, {k: v for k, v in references.items() if v[0]})
        for algo, value in examiner_refs.items():
            if value:
                key = algo if algo not in comparisons else f"{algo}-examiner"
                comparisons[key] = compare_hashes(digests, {algo: (value, "examiner")})[algo]
        segment_hashes = {str(p): sha256_file(Path(p)) for p in segments} if Path(path).is_file() else {}
        result = verdict(comparisons)
        with ctx.db.session() as s:
            s.add(
                Verification(
                    evidence_id=evidence_id,
                    started_at=started,
                    finished_at=utc_now_iso(),
                    bytes_hashed=digests.size,
                    md5=digests.md5,
                    sha1=digests.sha1,
                    sha256=digests.sha256,
                    comparisons_json=json.dumps(
                        {
                            "comparisons": comparisons,
                            "segment_sha256": segment_hashes,
                            "damaged_sectors": damaged,
                        },
                        sort_keys=True,
                    ),
                    result=result,
                )
            )
        ctx.custody.append(
            actions.ACQUISITION_VERIFIED,
            item=args.item,
            details={
                "result": result,
                "bytes": digests.size,
                "md5": digests.md5,
                "sha1": digests.sha1,
                "sha256": digests.sha256,
                "comparisons": comparisons,
                "segment_sha256": segment_hashes,
                "damaged_sectors": damaged,
                "started_at": started,
            },
        )
    print(f"media MD5    {digests.md5}\nmedia SHA-1  {digests.sha1}\nmedia SHA-256 {digests.sha256}")
    for algo, c in sorted(comparisons.items()):
        word = "MATCH" if c["match"] else "MISMATCH"
        print(f"{algo:14s} {word:8s} expected {c['expected']} ({c['source']})")
    for start, count in damaged:
        print(f"custos: {damaged_chunk_line(start, count)}", file=sys.stderr)
    if result == "mismatch":
        print(
            f"custos: ACQUISITION HASH MISMATCH for item {args.item}: the media does not match its "
            "recorded acquisition hash",
            file=sys.stderr,
        )
        return 1
    if result == "no-reference":
        print(
            f"custos: warning: item {args.item} has no stored or given acquisition hash to compare with; "
            "computed hashes recorded",
            file=sys.stderr,
        )
    return 0


def _record_failed_verification(ctx, evidence_id: int, item: str, started: str, message: str) -> None:
    """A media read error during verification is itself a result: recorded, and in the custody log."""
    with ctx.db.session() as s:
        s.add(
            Verification(
                evidence_id=evidence_id,
                started_at=started,
                finished_at=utc_now_iso(),
                comparisons_json="{}",
                result="error",
                error=message,
            )
        )
    ctx.custody.append(
        actions.ACQUISITION_VERIFIED,
        item=item,
        details={"result": "error", "error": message, "started_at": started},
    )
