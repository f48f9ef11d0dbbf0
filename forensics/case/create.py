"""Create a case: the folder, its database, the custody log started by the founding examiner."""

from __future__ import annotations

from pathlib import Path

from forensics import __version__
from forensics.case.db import CaseDatabase, case_db_path
from forensics.case.models import CaseInfo
from forensics.core.categories import scheme_for
from forensics.core.errors import CaseError, CategoryError
from forensics.core.timeutil import utc_now_iso
from forensics.custody import actions
from forensics.custody.examiners import load_examiner
from forensics.custody.log import CustodyLog
from forensics.custody.session import start_case_custody


def create_case(
    case_dir: Path | str,
    *,
    number: str,
    title: str,
    agency: str | None,
    examiner: str,
    passphrase: str,
    region: str = "US",
) -> tuple[CaseDatabase, CustodyLog]:
    """A new case in an empty (or new) folder; a wrong passphrase is refused before anything is created.

    ``region`` names the VICS category scheme (US, Canada, UK) the case's review uses.
    """
    case_dir = Path(case_dir)
    if not number.strip() or not title.strip():
        raise CaseError("a case needs a number and a title")
    region = _known_region(region)
    if case_db_path(case_dir).exists():
        raise CaseError(f"{case_dir}: a case already exists there")
    if case_dir.exists() and any(case_dir.iterdir()):
        raise CaseError(f"{case_dir}: folder is not empty")
    load_examiner(examiner).unlock(passphrase)
    case_dir.mkdir(parents=True, exist_ok=True)
    db = CaseDatabase(case_dir, create=True)
    try:
        log = start_case_custody(db, examiner, passphrase)
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
    return db, log


def _known_region(region: str) -> str:
    """The scheme's own spelling of ``region``; an unknown region is refused before anything is made."""
    try:
        return scheme_for(region).region
    except CategoryError as exc:
        raise CaseError(str(exc)) from exc
