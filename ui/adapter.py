"""The one door from the GUI to the engine: open/create cases, queries, review writes, job commands.

Qt-free on purpose: widgets call these plain functions and methods (from worker threads when they can
take more than a moment). Every recorded action goes through the engine's service layer
(:mod:`forensics.services`), every read through its case queries (:mod:`forensics.case.queries`): no SQL
here. Native parsers of evidence (ingest, verification, survey) never run in the GUI process: the steps
of such jobs (:mod:`forensics.services.jobs`) run as ``custos`` child processes through QProcess.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from forensics.analysis.filetypes_table import CATEGORIES
from forensics.case.content import read_item
from forensics.case.queries import detail, evidence, file_table, gallery, review, video, whatsapp
from forensics.case.queries.file_table import FileFilter
from forensics.case.queries.gallery import GalleryEntry
from forensics.case.queries.whatsapp import provenance_text
from forensics.core.categories import CategoryScheme, load_schemes, scheme_for, table_path
from forensics.core.errors import CustosError
from forensics.custody.examiners import create_examiner, list_examiners
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.evidence.extractions.access import ExtractionAccess
from forensics.hashsets.findings import iter_findings
from forensics.hashsets.library import HashSetLibrary
from forensics.reports.collect_evidence import verification_run
from forensics.services import cases, review_changes, server_login
from forensics.services import review as review_service
from forensics.services.context import CaseContext, open_case
from forensics.services.jobs import JobStep
from forensics.services.review_changes import ReviewChanges
from forensics.services.unlock import extraction_access

__all__ = [
    "CaseSession",
    "CustosError",
    "ReviewChanges",
    "FileFilter",
    "category_regions",
    "step_command",
    "examiner_names",
    "hash_sets",
    "new_examiner",
    "provenance_text",
    "scheme",
]

FILE_CATEGORIES = CATEGORIES  # content categories, in order: the GUI's type filter offers these
# The password of an encrypted phone extraction, for a child custos (read by app/evidence_password.py).
EVIDENCE_PASSWORD_VARIABLE = "CUSTOS_EVIDENCE_PASSWORD"
# The password of an archive re-run by a child custos (read by app/commands/archive.py).
ARCHIVE_PASSWORD_VARIABLE = "CUSTOS_ARCHIVE_PASSWORD"


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


def examiner_role(examiner: str) -> str:
    """The PostgreSQL role an examiner logs in as by default."""
    return server_login.examiner_role(examiner)


def keyring_available() -> bool:
    """Whether the OS keyring can keep a case server's password here."""
    return server_login.keyring_available()


def remember_database_password(server: str, role: str, password: str, *, in_keyring: bool) -> bool:
    """Keep a password that logged in (memory; the OS keyring too when asked; True if kept there)."""
    return server_login.remember_password(server, role, password, in_keyring=in_keyring)


def set_database_password_prompt(prompt: Any) -> None:
    """Install the GUI's prompt for case server passwords (None: never ask)."""
    server_login.set_password_prompt(prompt)


def server_case_folder(database: str) -> str:
    """The default folder on this workstation for a case opened by its server."""
    return str(server_login.server_case_folder(database))


def step_command(step: JobStep) -> list[str]:
    """``python -m app ARGS``: how the GUI runs a job step in a child ``custos`` process."""
    return [sys.executable, "-m", "app", *step.command]


def job_environment(
    examiner: str,
    passphrase: str | None,
    evidence_password: str | None = None,
    archive_password: str | None = None,
) -> dict[str, str]:
    """Environment additions for a child ``custos`` process acting as ``examiner``.

    ``evidence_password``: of an encrypted phone extraction, for that item's job only (never a flag);
    ``archive_password``: of the archive an ``archive unlock`` job re-runs (likewise).
    """
    env = {"CUSTOS_EXAMINER": examiner, "PYTHONUNBUFFERED": "1", "CUSTOS_CANCEL_ON_STDIN": "1"}
    if passphrase is not None:
        env["CUSTOS_PASSPHRASE"] = passphrase
    if evidence_password:
        env[EVIDENCE_PASSWORD_VARIABLE] = evidence_password
    if archive_password is not None:
        env[ARCHIVE_PASSWORD_VARIABLE] = archive_password
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    return env


class CaseSession:
    """An open case as one examiner, with a writable custody log."""

    def __init__(self, ctx: CaseContext, passphrase: str) -> None:
        self.ctx = ctx
        self.case_dir = ctx.case_dir
        self.db = ctx.db
        self.custody = ctx.custody
        self.passphrase = passphrase
        # Keys of encrypted phone extractions the examiner unlocked in this session (memory only).
        self._extraction_keys: dict[str, ExtractionAccess] = {}
        # Passwords of archives the examiner re-ran in this session, by archive file id (memory only):
        # previews of their members read through them.
        self._archive_passwords: dict[int, str] = {}

    # -- open / create ---------------------------------------------------------------------------
    @classmethod
    def open(
        cls, case_dir: str | Path, examiner: str, passphrase: str, *, role: str | None = None
    ) -> CaseSession:
        """Open an existing case; refuses non-members and a wrong passphrase (custody rules).

        ``role``: the PostgreSQL role of a server case's login (default the examiner's own role); its
        password comes from the credentials' sources, last the installed prompt.
        """
        url = server_login.login_as(case_dir, role)
        ctx = open_case(case_dir, examiner, write=True, passphrase=passphrase, db_url=url)
        try:
            cases.record_opened(ctx, via="gui")
        except BaseException:
            ctx.close()
            raise
        return cls(ctx, passphrase)

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
        ctx = cases.create_case(
            case_dir,
            number=number,
            title=title,
            agency=agency,
            examiner=examiner,
            passphrase=passphrase,
            region=region,
        )
        return cls(ctx, passphrase)

    @classmethod
    def connect(
        cls,
        host: str,
        port: int | None,
        database: str,
        folder: str | Path,
        examiner: str,
        passphrase: str,
        role: str | None = None,
    ) -> CaseSession:
        """Open a case known only by its server: ``folder`` is made to point at it (or already does),
        then the case opens as a folder case."""
        url = server_login.case_database_url(host, port, database)
        case_dir = server_login.attach_server_case(folder, url)
        return cls.open(case_dir, examiner, passphrase, role=role)

    def close(self) -> None:
        """Record that the examiner closed the case, then release the database (once)."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        try:
            if self.ctx.writable:
                cases.record_closed(self.ctx, via="gui")
        finally:
            self.ctx.close()

    @property
    def examiner(self) -> str:
        return self.ctx.examiner

    # -- case overview --------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        info = review.case_info(self.db)
        if info is None:
            return {"number": "?", "title": str(self.case_dir), "agency": None}
        return info

    def evidence_items(self) -> list[dict[str, Any]]:
        """Evidence items with their file systems and latest media verification (for the tree)."""
        return [
            {
                "id": ev.id,
                "item": ev.item,
                "description": ev.description,
                "container": ev.container,
                "verification": (
                    verification_run(ev.latest_verification) if ev.latest_verification is not None else None
                ),
                "filesystems": [
                    {
                        "id": fs.id,
                        "offset": fs.offset,
                        "fs_type": fs.fs_type,
                        "status": fs.status,
                        "listing_problems": fs.listing_problems,
                    }
                    for fs in ev.filesystems
                ],
            }
            for ev in evidence.evidence_summaries(self.db)
        ]

    def folders(self, filesystem_id: int) -> list[str]:
        """Paths of every directory of a file system, sorted (the tree builds its levels from them)."""
        return detail.folders(self.db, filesystem_id)

    # -- file table ------------------------------------------------------------------------------
    def file_ids(
        self, flt: FileFilter, sort: str = "id", descending: bool = False, limit: int | None = None
    ) -> list[int]:
        """Ids of the files the filter keeps, in display order (the first ``limit`` only, if given)."""
        return file_table.file_ids(self.db, flt, sort, descending, limit)

    def file_rows(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        """Display fields of the given files, keyed by id."""
        return file_table.file_rows(self.db, ids)

    def file_detail(self, file_id: int) -> dict[str, Any]:
        """Everything known of one file: metadata, hashes, analysis, EXIF, findings, review, locator."""
        found = detail.file_detail(self.db, file_id)
        found["findings"] = self.findings_of(file_id)
        found["messages"] = whatsapp.provenance_of(self.db, [file_id]).get(file_id, [])
        return found

    def read_content(self, file_id: int, limit: int) -> bytes:
        """The first ``limit`` bytes of a file, read-only from the evidence (for previews)."""
        return read_item(self.db, file_id, limit, self._extraction_keys, self._archive_passwords)

    def has_encrypted_members(self, file_id: int) -> bool:
        """Whether the file is an archive listing encrypted members not read yet (offer its password)."""
        from forensics.services.archive_password import has_encrypted_members

        return has_encrypted_members(self.ctx, file_id)

    def remember_archive_password(self, file_id: int, password: str) -> None:
        """Keep an archive's password in memory for this session's previews of its members."""
        self._archive_passwords[file_id] = password

    def unlock_extraction(self, item: str, password: str) -> None:
        """Unlock evidence item ``item``'s encrypted extraction for previews in this session (the keys stay
        in memory; ``extraction_decrypted`` is signed; a wrong password raises, nothing recorded)."""
        access = extraction_access(self.ctx, item, password, stage="preview")
        if access is not None:
            self._extraction_keys[item] = access

    # -- gallery ---------------------------------------------------------------------------------
    def gallery(
        self, group_by: str = "folder", stack_identical: bool = True, rank_by_hits: bool = False
    ) -> list[GalleryEntry]:
        """Tiles of every file with a thumbnail, grouped by folder or matched set; copies stacked."""
        return gallery.gallery(self.db, group_by, stack_identical, rank_by_hits)

    def identical_files(self, file_ids: list[int]) -> list[int]:
        """The given files plus every file with the same MD5 (what a stacked gallery tile stands for)."""
        return gallery.identical_files(self.db, file_ids)

    def thumbnails(self, ids: list[int]) -> dict[int, bytes]:
        """Thumbnail JPEG bytes of the given files."""
        return gallery.thumbnails(self.db, ids)

    def video_strip(self, file_id: int) -> list[video.StripPicture]:
        """A video's frame strip in time order (empty for other files and triage ingests)."""
        return video.video_strip(self.db, file_id)

    # -- findings, custody -----------------------------------------------------------------------
    def findings(self) -> list[dict[str, Any]]:
        """Every finding with its provenance, plus the file id."""
        file_of = detail.finding_file_ids(self.db)
        out = []
        for finding in iter_findings(self.db):  # a message-only finding has no file (finding_id None)
            finding["file_id"] = file_of.get(finding["finding_id"]) if finding["finding_id"] else None
            out.append(finding)
        return out

    def findings_of(self, file_id: int) -> list[dict[str, Any]]:
        """The findings of one file (same objects as :meth:`findings`), by set, algorithm and entry."""
        return [{**finding, "file_id": file_id} for finding in iter_findings(self.db, file_id)]

    def chats(self) -> list[dict[str, Any]]:
        """WhatsApp chats of the case with their media counts (for the gallery's chat groups)."""
        return whatsapp.chats(self.db)

    def whatsapp_sources(self) -> list[dict[str, Any]]:
        """The WhatsApp databases read, with what each gave or why provenance is unavailable."""
        return whatsapp.sources(self.db)

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
        role = self.db.engine.url.username if self.on_server else None  # read as the session's login
        return verify_case(self.case_dir, login_role=role).as_json()

    # -- review writes (each one a custody event, through the service layer) ---------------------
    def categorise(self, file_ids: list[int], number: int, region: str) -> int:
        return review_service.categorise(self.ctx, file_ids, number, region)

    def tag(self, file_ids: list[int], tag: str) -> int:
        return review_service.tag(self.ctx, file_ids, tag)

    def note(self, file_ids: list[int], text: str) -> int:
        return review_service.note(self.ctx, file_ids, text)

    def reveal(self, file_id: int, view: str = "gallery") -> None:
        review_service.record_reveal(self.ctx, file_id, view=view)

    def viewed(self, file_id: int, view: str) -> None:
        review_service.record_view(self.ctx, file_id, view=view)

    def categorised(self) -> dict[int, int]:
        return review.categorised_files(self.db)

    # -- review marks made elsewhere (other examiners, other windows) ------------------------------
    def custody_position(self) -> int:
        """The custody log's last entry number: review changes are asked for after it."""
        return review_changes.latest_seq(self.ctx)

    def review_changes(self, after_seq: int) -> ReviewChanges:
        """Review marks signed after ``after_seq`` by anyone (files, examiners, the new position)."""
        return review_changes.review_changes_since(self.ctx, after_seq)

    @property
    def on_server(self) -> bool:
        return self.db.is_postgres

    # -- jobs --------------------------------------------------------------------------------------
    def job_environment(
        self, evidence_password: str | None = None, archive_password: str | None = None
    ) -> dict[str, str]:
        env = job_environment(self.examiner, self.passphrase, evidence_password, archive_password)
        env.update(server_login.child_login(self.ctx))  # a server case: the same login (memory only)
        return env

    def filesystem_label(self, filesystem_id: int) -> str:
        return evidence.filesystem_label(self.db, filesystem_id)

    # -- review filters and the case's category region --------------------------------------------
    def tags(self) -> list[str]:
        """Every review tag used in the case, sorted (the filter bar offers them)."""
        return review.tags_in_use(self.db)

    def region(self) -> str:
        """The VICS category region (US, Canada, UK) of this case's review."""
        return review.case_region(self.db)

    def set_region(self, region: str) -> str:
        """Change the case's category region (a signed custody event); returns the scheme's spelling."""
        return cases.set_region(self.ctx, region)
