"""Cases: create one (its founder registered first), record the GUI opening and closing it, its region."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update

from forensics import __version__
from forensics.case.db import CaseDatabase
from forensics.case.location import is_case_folder
from forensics.case.models import CaseInfo
from forensics.case.pictures import PictureCipher
from forensics.case.queries.review import case_region
from forensics.core.categories import scheme_for
from forensics.core.errors import CaseError, CategoryError
from forensics.core.timeutil import utc_now_iso
from forensics.custody import actions, witness
from forensics.custody.actions import EXAMINER_ADDED
from forensics.custody.examiners import load_examiner
from forensics.custody.log import CustodyLog
from forensics.custody.session import founder_details, founder_log
from forensics.services.case_keys import open_case_key
from forensics.services.context import CaseContext


def create_case(
    case_dir: Path | str,
    *,
    number: str,
    title: str,
    agency: str | None,
    examiner: str,
    passphrase: str,
    region: str = "US",
    db_url: str | None = None,
) -> CaseContext:
    """A new case in an empty (or new) folder, open for writing as its founder.

    Custody: ``examiner_added`` (the founder, entry 1), then ``case_created``. A wrong passphrase or
    an unknown region is refused before anything is created. ``region`` names the VICS category scheme
    (US, Canada, UK) the case's review uses. ``db_url``: a PostgreSQL database to make for the case
    (``postgresql://host:port/name``; the folder then keeps a pointer to it), default the lab's
    ``case_server`` setting if any, else ``case.db`` in the folder.
    """
    case_dir = Path(case_dir)
    if not number.strip() or not title.strip():
        raise CaseError("a case needs a number and a title")
    region = _known_region(region)
    if is_case_folder(case_dir):
        raise CaseError(f"{case_dir}: a case already exists there")
    if case_dir.exists() and any(case_dir.iterdir()):
        raise CaseError(f"{case_dir}: folder is not empty")
    load_examiner(examiner).unlock(passphrase)
    case_dir.mkdir(parents=True, exist_ok=True)
    db = CaseDatabase(case_dir, db_url, create=True, examiner=examiner)
    try:
        log = begin_custody(db, examiner, passphrase)
        key = open_case_key(db, load_examiner(examiner).unlock(passphrase), log.key_id, log)
        db.pictures = PictureCipher(key) if key is not None else None
        with db.session() as s:
            s.add(
                CaseInfo(
                    number=number,
                    title=title,
                    agency=agency or None,
                    created_at=utc_now_iso(),
                    created_by=log.examiner_name,
                    custos_version=__version__,
                    category_region=region,
                )
            )
        log.append(
            actions.CASE_CREATED,
            details={
                "number": number,
                "title": title,
                "agency": agency or None,
                "custos_version": __version__,
                "category_region": region,
            },
        )
    except BaseException:
        db.close()
        raise
    return CaseContext(case_dir, db, log.examiner_name, log, key)


def begin_custody(db: CaseDatabase, examiner: str, passphrase: str) -> CustodyLog:
    """Start a new case's log: the founder registers themself as its first member (entry 1)."""
    log = founder_log(db, examiner, passphrase)
    first = log.record(EXAMINER_ADDED, details=founder_details(examiner), genesis=True)
    witness.note_new_case(first.entry_hash, db.place)
    return log


def _known_region(region: str) -> str:
    """The scheme's own spelling of ``region``; an unknown region is refused before anything is made."""
    try:
        return scheme_for(region).region
    except CategoryError as exc:
        raise CaseError(str(exc)) from exc


def record_opened(ctx: CaseContext, via: str) -> None:
    """The examiner opened the case in a front end that keeps it open (``case_opened``)."""
    ctx.custody.append(actions.CASE_OPENED, details={"via": via, "custos_version": __version__})


def record_closed(ctx: CaseContext, via: str) -> None:
    """The examiner closed the case (``case_closed``)."""
    ctx.custody.append(actions.CASE_CLOSED, details={"via": via})


def set_region(ctx: CaseContext, region: str) -> str:
    """Change the case's category region (``case_region_changed``); returns the scheme's spelling.

    Categories already given keep the region they were given under (each category row names it).
    """
    new = _known_region(region)
    old = case_region(ctx.db)
    if new == old:
        return old
    if not ctx.writable:
        raise CaseError("the case was opened read-only: its category region cannot be changed")
    with ctx.db.session() as s:
        s.execute(update(CaseInfo).values(category_region=new))
    ctx.custody.append(
        actions.CASE_REGION_CHANGED,
        details={
            "text": f"category region of the case changed from {old} to {new}",
            "field": "category_region",
            "old": old,
            "new": new,
        },
    )
    return new
