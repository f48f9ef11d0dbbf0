"""Opening and closing a case in the GUI are custody events (case_opened / case_closed)."""

from __future__ import annotations

from forensics.case.db import CaseDatabase
from forensics.custody.log import read_entries
from tests.ui.conftest import EXAMINER, PASSPHRASE
from ui.adapter import CaseSession


def test_open_and_close_are_recorded_once(ingested_case):
    session = CaseSession.open(ingested_case, EXAMINER, PASSPHRASE)
    session.close()
    session.close()  # closing twice records nothing more
    db = CaseDatabase(ingested_case, upgrade=False)
    try:
        actions = [e.action for e in read_entries(db)]
    finally:
        db.close()
    assert actions[-2:] == ["case_opened", "case_closed"]
    assert actions.count("case_closed") == 1
