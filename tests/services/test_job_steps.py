"""Every job step a front end runs is a command line the ``custos`` parser accepts (no Qt needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import build_parser
from app.commands.hashset import match_settings
from forensics.core.progress import Progress, ProgressRecord
from forensics.hashsets.hits import MatchSettings
from forensics.services import jobs

CASE = Path("/cases/2026-1")


def _every_step() -> list[jobs.JobStep]:
    full = jobs.ReportRequest(
        pdf=Path("/out/r.pdf"),
        html=Path("/out/r.html"),
        annex=True,
        unblurred_annex=True,
        reviewer="R. Viewer",
        request="the questions",
        authority="warrant 1",
        note="a note",
    )
    steps = [
        jobs.survey("/evidence/EXH-01.E01"),
        jobs.add_evidence(
            CASE,
            "/evidence/EXH-01.E01",
            "EXH-01",
            {"seal_number": "S-1", "seized_at": "2026-01-01T00:00:00Z", "acquisition_md5": "0" * 32},
        ),
        jobs.verify(CASE, "EXH-01"),
        jobs.ingest(CASE, "EXH-01", "triage"),
        jobs.hashset_import("/lists/a.json", "a", "alert", "US"),
        jobs.hashset_remove("a"),
        jobs.match(CASE, ["a", "b"]),
        jobs.match(CASE, ["a"], MatchSettings(phash_threshold=6, regions=False)),
        jobs.report(CASE, full),
        jobs.report(CASE, jobs.ReportRequest(html=Path("/out/r.html"))),
        jobs.selftest("/validation"),
        jobs.archive_unlock(CASE, 42),
    ]
    steps += [jobs.export(CASE, fmt, Path("/out") / fmt) for fmt in jobs.EXPORT_FORMATS]
    steps += jobs.evidence_intake(CASE, "/evidence/EXH-01.E01", "EXH-01", {}, "full", "ewf")
    return [s for s in steps if s is not None]


@pytest.mark.parametrize("step", _every_step(), ids=lambda s: " ".join(s.command[:2]))
def test_the_command_line_parser_accepts_every_step(step: jobs.JobStep) -> None:
    args = build_parser(step.argv).parse_args(step.argv)
    assert callable(getattr(args, "func", None)), step.command


def test_a_step_keeps_what_the_examiner_gave() -> None:
    step = jobs.add_evidence(CASE, "/e.E01", "EXH-01", {"seal_number": "S-1", "description": "laptop"})
    args = build_parser(step.argv).parse_args(step.argv)
    assert (args.item, args.seal, args.description, args.image) == ("EXH-01", "S-1", "laptop", "/e.E01")
    ingest = build_parser(jobs.ingest(CASE, "X", "full").argv).parse_args(jobs.ingest(CASE, "X", "full").argv)
    assert (ingest.item, ingest.profile, ingest.progress_jsonl) == ("X", "full", True)


@pytest.mark.parametrize(
    "settings",
    [
        MatchSettings(),
        MatchSettings(pdq_threshold=20, pdq_min_quality=60, phash_threshold=6, dhash_threshold=9),
        MatchSettings(dhash_threshold=0, regions=False, gate_64bit=False),
        MatchSettings(vpdq_threshold=20, vpdq_min_quality=70, vpdq_listed_share=0.0, vpdq_query_share=80.0),
    ],
)
def test_a_match_step_carries_the_examiners_thresholds(settings: MatchSettings) -> None:
    step = jobs.match(CASE, ["a"], settings)
    assert match_settings(build_parser(step.argv).parse_args(step.argv)) == settings
    default = jobs.match(CASE, ["a"])
    assert match_settings(build_parser(default.argv).parse_args(default.argv)) == MatchSettings()


def test_a_folder_is_not_verified_and_a_report_needs_an_output() -> None:
    labels = [s.label for s in jobs.evidence_intake(CASE, "/tree", "EXH-02", {}, "triage", "folder")]
    assert labels == [jobs.ADDING, jobs.INGEST]
    assert jobs.report(CASE, jobs.ReportRequest(annex=True)) is None
    with pytest.raises(ValueError):
        jobs.export(CASE, "xlsx", "/out/x")


def test_progress_lines_are_read_back_as_written() -> None:
    progress = Progress(
        phase="processing", items_done=3, items_total=9, bytes_done=10, bytes_total=99, errors=1
    )
    record = ProgressRecord.of("EXH-01", progress)
    assert ProgressRecord.parse(record.to_json()) == record
    assert ProgressRecord.parse("custos: warning: something") is None
    assert ProgressRecord.parse('{"not": "progress"}') is None
    assert ProgressRecord.parse('{"progress": 1, "items_done": "many"}') is None


def test_the_archive_unlock_step_carries_no_password() -> None:
    step = jobs.archive_unlock(CASE, 42)
    args = build_parser(step.argv).parse_args(step.argv)
    assert (args.file_id, args.progress_jsonl) == (42, True)
    assert not any("password" in word for word in step.command)
