"""The one door from the GUI to the engine: open/create cases, queries, review writes, job commands.

Qt-free on purpose: widgets call these plain functions and methods (from worker threads when they can
take more than a moment). Native parsers of evidence (ingest, verification, survey) never run here:
:func:`cli_command` builds the ``custos`` sub-process command lines the GUI runs through QProcess.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from forensics import __version__
from forensics.analysis.filetypes_table import CATEGORIES
from forensics.case import review
from forensics.case.create import create_case
from forensics.case.db import CaseDatabase
from forensics.case.models import CaseInfo, Evidence, FileSystem, IngestError, Verification
from forensics.core.categories import CategoryScheme, load_schemes, scheme_for, table_path
from forensics.core.errors import CaseError, CustosError
from forensics.core.timeutil import ns_to_iso
from forensics.custody import actions
from forensics.custody.examiners import create_examiner, list_examiners
from forensics.custody.log import CustodyLog, read_entries
from forensics.custody.session import open_custody
from forensics.custody.verify import verify_case
from forensics.evidence.source import EvidenceSource
from forensics.hashsets.findings import iter_findings
from forensics.hashsets.library import HashSetLibrary
from forensics.reports.collect_evidence import verification_run
from ui.file_query import ROW_COLUMNS, FileFilter, build_id_query, build_rows_query
from ui.models.gallery_query import GroupSummary, gallery_sql

__all__ = [
    "CaseSession",
    "CustosError",
    "FileFilter",
    "category_regions",
    "cli_command",
    "examiner_names",
    "hash_sets",
    "new_examiner",
    "scheme",
]

FILE_CATEGORIES = CATEGORIES  # content categories, in order: the GUI's type filter offers these


def examiner_names() -> list[str]:
    """Examiner profiles on this workstation."""
    return sorted(p.name for p in list_examiners())


def new_examiner(name: str, agency: str, badge: str, passphrase: str) -> str:
    """Create an examiner profile (a new signing key sealed by the passphrase); returns the name."""
    try:
        return create_examiner(name, agency, badge, passphrase).name
    except ValueError as exc:
        raise CustosError(str(exc)) from exc


def category_regions() -> list[str]:
    """Regions of the VICS category table in force."""
    return sorted(load_schemes(table_path()))


def scheme(region: str) -> CategoryScheme:
    return scheme_for(region)


def hash_sets(library: str | None = None) -> list[dict[str, Any]]:
    """Sets of the hash-set library, as plain dicts."""
    with HashSetLibrary(library) as lib:
        return [info.as_dict() for info in lib.sets(include_incomplete=True)]


def cli_command(*args: str) -> list[str]:
    """``python -m app ARGS``: how the GUI runs engine jobs in a child process."""
    return [sys.executable, "-m", "app", *args]


def survey_command(path: str) -> list[str]:
    """Command that prints an image's survey as JSON (run as a child process)."""
    return [sys.executable, "-m", "ui.survey_probe", path]


def job_environment(examiner: str, passphrase: str | None) -> dict[str, str]:
    """Environment additions for a child ``custos`` process acting as ``examiner``."""
    env = {"CUSTOS_EXAMINER": examiner, "PYTHONUNBUFFERED": "1"}
    if passphrase is not None:
        env["CUSTOS_PASSPHRASE"] = passphrase
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    return env


@dataclass(frozen=True)
class GalleryEntry:
    """One tile of the gallery: the representative file, its group and how many files it stands for.

    ``hit``: the file has an alert finding; ``summary``: its group's totals (shared by the group's tiles).
    """

    file_id: int
    group: str
    stacked: int
    name: str
    hit: bool = False
    summary: GroupSummary | None = None


class CaseSession:
    """An open case as one examiner, with a writable custody log."""

    def __init__(self, case_dir: Path, db: CaseDatabase, custody: CustodyLog, passphrase: str) -> None:
        self.case_dir = case_dir
        self.db = db
        self.custody = custody
        self.passphrase = passphrase

    # -- open / create ---------------------------------------------------------------------------
    @classmethod
    def open(cls, case_dir: str | Path, examiner: str, passphrase: str) -> CaseSession:
        """Open an existing case; refuses non-members and a wrong passphrase (custody rules)."""
        case_dir = Path(case_dir)
        db = CaseDatabase(case_dir)
        try:
            custody = open_custody(db, examiner, write=True, passphrase=passphrase)
            custody.append(actions.CASE_OPENED, details={"via": "gui", "custos_version": __version__})
        except BaseException:
            db.close()
            raise
        return cls(case_dir, db, custody, passphrase)

    @classmethod
    def create(
        cls,
        case_dir: str | Path,
        *,
        number: str,
        title: str,
        agency: str | None,
        examiner: str,
        passphrase: str,
        region: str = "US",
    ) -> CaseSession:
        """Create a case folder, start its custody log as ``examiner``, record the case and its region."""
        db, custody = create_case(
            case_dir,
            number=number,
            title=title,
            agency=agency,
            examiner=examiner,
            passphrase=passphrase,
            region=region,
        )
        return cls(Path(case_dir), db, custody, passphrase)

    def close(self) -> None:
        """Record that the examiner closed the case, then release the database (once)."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        try:
            if self.custody.writable:
                self.custody.append(actions.CASE_CLOSED, details={"via": "gui"})
        finally:
            self.db.close()

    @property
    def examiner(self) -> str:
        return self.custody.examiner_name

    # -- case overview --------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        with self.db.session() as s:
            row = s.scalar(select(CaseInfo).limit(1))
        if row is None:
            return {"number": "?", "title": str(self.case_dir), "agency": None}
        return {"number": row.number, "title": row.title, "agency": row.agency, "created_at": row.created_at}

    def evidence_items(self) -> list[dict[str, Any]]:
        """Evidence items with their file systems and latest media verification (for the tree)."""
        out = []
        with self.db.session() as s:
            for ev in s.scalars(select(Evidence).order_by(Evidence.id)):
                latest = s.scalar(
                    select(Verification)
                    .where(Verification.evidence_id == ev.id)
                    .order_by(Verification.id.desc())
                    .limit(1)
                )
                out.append(
                    {
                        "id": ev.id,
                        "item": ev.item,
                        "description": ev.description,
                        "container": ev.container,
                        "verification": verification_run(latest) if latest is not None else None,
                        "filesystems": [
                            {
                                "id": fs.id,
                                "offset": fs.offset,
                                "fs_type": fs.fs_type,
                                "status": fs.status,
                                "listing_problems": _listing_problems(s, fs.id),
                            }
                            for fs in ev.filesystems
                        ],
                    }
                )
        return out

    def folders(self, filesystem_id: int) -> list[str]:
        """Paths of every directory of a file system, sorted (the tree builds its levels from them)."""
        with self._cursor() as cur:
            cur.execute(
                "SELECT path FROM files WHERE filesystem_id = ? AND kind IN ('directory', 'virtual-dir') "
                "AND parent_id IS NULL ORDER BY path",
                (filesystem_id,),
            )
            return [r[0] for r in cur]

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        """A raw DB-API cursor (the fastest way to pull a million ids)."""
        conn = self.db.engine.raw_connection()
        try:
            cur = conn.cursor()
            try:
                yield cur
            finally:
                cur.close()
        finally:
            conn.close()

    # -- file table ------------------------------------------------------------------------------
    def file_ids(
        self, flt: FileFilter, sort: str = "id", descending: bool = False, limit: int | None = None
    ) -> list[int]:
        """Ids of the files the filter keeps, in display order (the first ``limit`` only, if given)."""
        sql, params = build_id_query(flt, sort, descending)
        if limit is not None:
            sql, params = sql + " LIMIT ?", [*params, limit]
        with self._cursor() as cur:
            cur.execute(sql, params)
            return [r[0] for r in cur.fetchall()]

    def file_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Display fields of the given files, keyed by id."""
        if not ids:
            return {}
        with self._cursor() as cur:
            cur.execute(build_rows_query(len(ids)), ids)
            return {r[0]: dict(zip(ROW_COLUMNS, r, strict=True)) for r in cur.fetchall()}

    def file_detail(self, file_id: int) -> dict[str, Any]:
        """Everything known of one file: metadata, hashes, analysis, EXIF, findings, review."""
        with self._cursor() as cur:
            cur.execute(
                'SELECT f.*, e.item AS item, fs.fs_type AS fs_type, fs."offset" AS fs_offset '
                "FROM files f JOIN evidence e ON e.id = f.evidence_id "
                "JOIN filesystems fs ON fs.id = f.filesystem_id WHERE f.id = ?",
                (file_id,),
            )
            row = _one(cur)
            if row is None:
                raise CaseError(f"no file {file_id}")
            cur.execute("SELECT * FROM file_analysis WHERE file_id = ?", (file_id,))
            analysis = _one(cur)
            cur.execute("SELECT * FROM file_exif WHERE file_id = ?", (file_id,))
            exif = _one(cur)
            cur.execute("SELECT set_name, algorithm FROM file_known WHERE file_id = ?", (file_id,))
            known = [f"{r[0]} ({r[1]})" for r in cur.fetchall()]
        if analysis is not None:
            analysis.pop("pdq_dihedral", None)
        for key in ("mtime", "atime", "ctime", "crtime"):
            row[key] = ns_to_iso(row.pop(f"{key}_ns"))
        findings = self.findings_of(file_id)
        return {
            "file": row,
            "analysis": analysis,
            "exif": exif,
            "known": known,
            "findings": findings,
            "review": review.review_of(self.db, file_id),
        }

    def read_content(self, file_id: int, limit: int) -> bytes:
        """The first ``limit`` bytes of a file, read-only from the evidence (for previews)."""
        item, locator = review.file_locators(self.db, [file_id])[file_id]
        with self.db.session() as s:
            path = s.scalar(select(Evidence.path).where(Evidence.item == item))
        with EvidenceSource(path) as source:
            return source.read_all(locator, limit)

    # -- gallery ---------------------------------------------------------------------------------
    def gallery(
        self, group_by: str = "folder", stack_identical: bool = True, rank_by_hits: bool = False
    ) -> list[GalleryEntry]:
        """Tiles of every file with a thumbnail, grouped by folder or matched set; copies stacked.

        With ``rank_by_hits`` the groups most loaded with alert findings and categorised material
        (share of flagged files, then their count) come first; see :mod:`ui.models.gallery_query`.
        """
        alert = [
            (region, number)
            for region, sch in load_schemes(table_path()).items()
            for number, category in sch.categories.items()
            if category.kind == "alert"
        ]
        sql, params = gallery_sql(group_by, rank_by_hits, alert)
        with self._cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        entries: list[GalleryEntry] = []
        seen: dict[str, int] = {}  # md5 -> index of the tile that stands for every copy
        summaries: dict[str, GroupSummary] = {}
        for file_id, group, md5, name, hit, files, hits, categorised, flagged in rows:
            if stack_identical and md5 and md5 in seen:
                index = seen[md5]
                entries[index] = replace(entries[index], stacked=entries[index].stacked + 1)
                continue
            if md5:
                seen[md5] = len(entries)
            summary = summaries.get(group)
            if summary is None:
                summary = summaries[group] = GroupSummary(files, hits, categorised, flagged)
            entries.append(GalleryEntry(file_id, group, 1, name, bool(hit), summary))
        return entries

    def identical_files(self, file_ids: list[int]) -> list[int]:
        """The given files plus every file with the same MD5 (what a stacked gallery tile stands for)."""
        if not file_ids:
            return []
        marks = ",".join("?" * len(file_ids))
        with self._cursor() as cur:
            cur.execute(
                f"SELECT id FROM files WHERE md5 IN (SELECT md5 FROM files WHERE id IN ({marks}) "
                f"AND md5 IS NOT NULL) UNION SELECT id FROM files WHERE id IN ({marks}) ORDER BY 1",
                [*file_ids, *file_ids],
            )
            return [r[0] for r in cur.fetchall()]

    def thumbnails(self, ids: list[int]) -> dict[int, bytes]:
        """Thumbnail JPEG bytes of the given files."""
        if not ids:
            return {}
        with self._cursor() as cur:
            cur.execute(
                f"SELECT file_id, data FROM thumbnails WHERE file_id IN ({','.join('?' * len(ids))})", ids
            )
            return {r[0]: bytes(r[1]) for r in cur.fetchall()}

    # -- findings, custody -----------------------------------------------------------------------
    def findings(self) -> list[dict[str, Any]]:
        """Every finding with its provenance, plus the file id."""
        out = []
        with self._cursor() as cur:
            cur.execute("SELECT id, file_id FROM findings")
            file_of = dict(cur.fetchall())
        for finding in iter_findings(self.db):
            finding["file_id"] = file_of.get(finding["finding_id"])
            out.append(finding)
        return out

    def findings_of(self, file_id: int) -> list[dict[str, Any]]:
        """The findings of one file (same objects as :meth:`findings`), by set, algorithm and entry."""
        return [{**finding, "file_id": file_id} for finding in iter_findings(self.db, file_id)]

    def custody_entries(self) -> list[dict[str, Any]]:
        return [
            {
                "seq": e.seq,
                "ts": e.ts,
                "examiner": e.examiner,
                "action": e.action,
                "item": e.item,
                "target": e.target,
                "details": e.details,
                "entry_hash": e.entry_hash,
            }
            for e in read_entries(self.db)
        ]

    def verify_custody(self) -> dict[str, Any]:
        """Walk the whole chain: ``{"ok", "entries", "head_hash", "break"}``."""
        return verify_case(self.case_dir).as_json()

    # -- review writes (each one a custody event) -------------------------------------------------
    def categorise(self, file_ids: list[int], number: int, region: str) -> int:
        return review.set_category(self.db, self.custody, file_ids, number, region)

    def tag(self, file_ids: list[int], tag: str) -> int:
        return review.add_tag(self.db, self.custody, file_ids, tag)

    def note(self, file_ids: list[int], text: str) -> int:
        return review.add_note(self.db, self.custody, file_ids, text)

    def reveal(self, file_id: int, view: str = "gallery") -> None:
        review.record_reveal(self.db, self.custody, file_id, view=view)

    def viewed(self, file_id: int, view: str) -> None:
        review.record_view(self.db, self.custody, file_id, view=view)

    def categorised(self) -> dict[int, int]:
        return review.categorised_files(self.db)

    # -- jobs --------------------------------------------------------------------------------------
    def job_environment(self) -> dict[str, str]:
        return job_environment(self.examiner, self.passphrase)

    def filesystem_label(self, filesystem_id: int) -> str:
        with self.db.session() as s:
            fs = s.get(FileSystem, filesystem_id)
        return "?" if fs is None else f"{fs.fs_type or fs.status} @ {fs.offset}"

    # -- review filters and the case's category region --------------------------------------------
    def tags(self) -> list[str]:
        """Every review tag used in the case, sorted (the filter bar offers them)."""
        with self._cursor() as cur:
            cur.execute("SELECT DISTINCT tag FROM review_tags ORDER BY tag COLLATE NOCASE")
            return [r[0] for r in cur.fetchall()]

    def region(self) -> str:
        """The VICS category region (US, Canada, UK) of this case's review."""
        return review.case_region(self.db)

    def set_region(self, region: str) -> str:
        """Change the case's category region (a signed custody event); returns the scheme's spelling."""
        return review.set_case_region(self.db, self.custody, region)


def _one(cur: Any) -> dict[str, Any] | None:
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def parse_json_line(line: str) -> dict[str, Any] | None:
    """A progress object from a child's stderr line, or None for ordinary text."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _listing_problems(session, filesystem_id: int) -> list[str]:
    """What the ingest recorded while listing this file system (walk errors, damaged chunks), once each."""
    messages = session.scalars(
        select(IngestError.message)
        .where(IngestError.filesystem_id == filesystem_id, IngestError.stage == "enumerate")
        .order_by(IngestError.id)
    )
    return list(dict.fromkeys(messages))
