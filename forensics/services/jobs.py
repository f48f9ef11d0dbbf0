"""Jobs a front end runs in a child ``custos`` process: typed steps, spelled once as command lines.

Native parsers of evidence (survey, verification, ingest) and long jobs (imports, matching, reports)
run in a child process so that a crash or a hang never takes the front end down. A front end asks
this module for the steps of a job and runs each :attr:`JobStep.command` as ``custos`` arguments; the
command's progress comes back as :class:`forensics.core.progress.ProgressRecord` lines on stderr. A test
parses every step with the command line's own parser, so a flag spelled here is one the CLI has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from forensics.hashsets.hits import MatchSettings

PathLike = str | Path

# Labels of the steps (shown in progress views; the ingest step is the one a resume runs again).
ADDING, SURVEYING, VERIFYING, INGEST = "adding", "surveying", "verifying", "ingest"
UNLOCKING = "unlocking archive"
IMPORTING, MATCHING, REMOVING, REPORTING, EXPORTING, SELFTEST = (
    "importing",
    "matching",
    "removing",
    "report",
    "export",
    "selftest",
)
REPORT_FORMATS = ("pdf", "html")
EXPORT_FORMATS = ("vics", "case-uco", "dfxml", "csv", "kml", "geojson")
# Containers whose media has no acquisition hash to verify (a folder of extracted files).
UNVERIFIABLE_CONTAINERS = frozenset({"folder"})


@dataclass(frozen=True)
class JobStep:
    """One child process of a job: a label for progress views and the ``custos`` arguments it runs."""

    label: str
    command: tuple[str, ...]

    @property
    def argv(self) -> list[str]:
        return list(self.command)


def _step(label: str, *args: PathLike) -> JobStep:
    return JobStep(label, tuple(str(a) for a in args))


def survey(image: PathLike) -> JobStep:
    """What an image holds, as one JSON object on stdout (``custos evidence survey``)."""
    return _step(SURVEYING, "evidence", "survey", image, "--json")


def add_evidence(case_dir: PathLike, image: PathLike, item: str, intake: Mapping[str, str]) -> JobStep:
    """Intake of ``image`` as evidence item ``item`` with its intake fields (stored names); the media is
    verified by its own step (:func:`verify`), whose progress the front end shows."""
    args: list[PathLike] = ["evidence", "add", case_dir, image, "--item", item, "--no-verify"]
    for key, value in intake.items():
        if value:
            args += ["--seal" if key == "seal_number" else "--" + key.replace("_", "-"), value]
    return _step(ADDING, *args)


def verify(case_dir: PathLike, item: str) -> JobStep:
    return _step(VERIFYING, "verify", case_dir, "--item", item, "--progress-jsonl")


def ingest(case_dir: PathLike, item: str, profile: str) -> JobStep:
    return _step(INGEST, "ingest", case_dir, "--item", item, "--progress-jsonl", "--profile", profile)


def archive_unlock(case_dir: PathLike, file_id: int) -> JobStep:
    """Re-run archive ``file_id`` with its password, which the child reads from its environment
    (``$CUSTOS_ARCHIVE_PASSWORD``): never an argument."""
    return _step(UNLOCKING, "archive", "unlock", case_dir, str(file_id), "--progress-jsonl")


def evidence_intake(
    case_dir: PathLike,
    image: PathLike,
    item: str,
    intake: Mapping[str, str],
    profile: str,
    container: str | None,
) -> list[JobStep]:
    """A new evidence item: intake, verification of its media (not for a folder), then ingest."""
    steps = [add_evidence(case_dir, image, item, intake)]
    if container not in UNVERIFIABLE_CONTAINERS:
        steps.append(verify(case_dir, item))
    steps.append(ingest(case_dir, item, profile))
    return steps


def hashset_import(path: PathLike, name: str, kind: str, region: str) -> JobStep:
    return _step(
        IMPORTING,
        "hashset",
        "import",
        path,
        "--name",
        name,
        "--kind",
        kind,
        "--region",
        region,
        "--progress-jsonl",
    )


def hashset_remove(name: str) -> JobStep:
    return _step(REMOVING, "hashset", "remove", name)


def match(case_dir: PathLike, sets: Iterable[str], settings: MatchSettings | None = None) -> JobStep:
    """Matching against the named sets, with the examiner's thresholds and vPDQ rule (``None``: defaults).

    pHash and dHash are compared only when ``settings`` names their thresholds (docs/matching.md).
    """
    args: list[PathLike] = ["match", case_dir, "--sets", *sets]
    if settings is not None:
        args += ["--pdq-threshold", str(settings.pdq_threshold)]
        args += ["--pdq-min-quality", str(settings.pdq_min_quality)]
        for algorithm in ("phash", "dhash"):
            threshold = settings.threshold(algorithm)
            if threshold is not None:
                args += [f"--{algorithm}-threshold", str(threshold)]
        if not settings.regions:
            args.append("--whole-pictures-only")
        if not settings.gate_64bit:
            args.append("--no-64bit-gate")
        args += ["--vpdq-threshold", str(settings.vpdq_threshold)]
        args += ["--vpdq-min-quality", str(settings.vpdq_min_quality)]
        args += ["--vpdq-listed-share", str(settings.vpdq_listed_share)]
        args += ["--vpdq-query-share", str(settings.vpdq_query_share)]
    return _step(MATCHING, *args)


@dataclass(frozen=True)
class ReportRequest:
    """What the examiner chose for a report: outputs, annex, and the report's own fields."""

    pdf: Path | None = None
    html: Path | None = None
    annex: bool = False
    unblurred_annex: bool = False
    reviewer: str | None = None
    request: str | None = None
    authority: str | None = None
    note: str | None = None


def report(case_dir: PathLike, request: ReportRequest) -> JobStep | None:
    """The report step, or None when neither a PDF nor an HTML file is asked for."""
    args: list[PathLike] = ["report", case_dir]
    for key in REPORT_FORMATS:
        target = getattr(request, key)
        if target is not None:
            args += [f"--{key}", target]
    if len(args) == 2:
        return None
    if request.annex:
        args.append("--annex")
        if request.unblurred_annex:
            args.append("--unblurred-annex")
    for option in ("reviewer", "request", "authority", "note"):
        value = (getattr(request, option) or "").strip()
        if value:
            args += [f"--{option}", value]
    return _step(REPORTING, *args)


def export(case_dir: PathLike, fmt: str, target: PathLike) -> JobStep:
    """One interchange export (``csv``: ``target`` is a folder)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    return _step(EXPORTING, "export", case_dir, f"--{fmt}", target)


def selftest(out: PathLike) -> JobStep:
    return _step(SELFTEST, "selftest", "--out", out)
