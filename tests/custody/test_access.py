"""Who may open a case: members only; a passphrase to sign; membership changes are custody events."""

from __future__ import annotations

from pathlib import Path

import pytest
from custody_helpers import PASSPHRASE, new_case

from forensics.case.db import CaseDatabase
from forensics.core.errors import AccessDenied, CaseError
from forensics.custody import actions
from forensics.custody.examiners import create_examiner, profile_path
from forensics.custody.keys import PassphraseError
from forensics.custody.membership import members
from forensics.custody.session import open_custody
from forensics.custody.verify import verify_case
from forensics.services.cases import begin_custody
from forensics.services.custody import add_examiner, remove_examiner
from tests.services_helpers import context


@pytest.fixture
def case(tmp_path: Path, alice):
    db, log = new_case(tmp_path / "case", alice.name)
    yield db, log
    db.close()


@pytest.mark.parametrize("write", [True, False])
def test_non_member_is_refused(case, bob, write: bool) -> None:
    db, _ = case
    with pytest.raises(AccessDenied, match="'Bob Sample' is not on this case"):
        open_custody(db, bob.name, write=write, passphrase=PASSPHRASE)


@pytest.mark.parametrize(("name", "message"), [(None, "no examiner given"), ("Nobody", "unknown examiner")])
def test_missing_or_unknown_examiner_is_refused(case, name, message: str) -> None:
    db, _ = case
    with pytest.raises(AccessDenied, match=message):
        open_custody(db, name, write=False, passphrase=None)


def test_wrong_or_missing_passphrase_cannot_sign(case, alice) -> None:
    db, _ = case
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        open_custody(db, alice.name, write=True, passphrase="guess guess guess")
    with pytest.raises(AccessDenied, match="passphrase is needed"):
        open_custody(db, alice.name, write=True, passphrase=None)
    with pytest.raises(PassphraseError):
        begin_custody(db, alice.name, "guess guess guess")


def test_a_recreated_profile_with_another_key_is_refused(case, alice) -> None:
    db, _ = case
    profile_path(alice.name).unlink()
    create_examiner(alice.name, "Metro", "MP-1001", PASSPHRASE)
    with pytest.raises(AccessDenied, match="not the key registered"):
        open_custody(db, alice.name, write=False, passphrase=None)


def test_adding_and_removing_are_signed_events_by_a_member(case, alice, bob) -> None:
    db, log = case
    added = add_examiner(context(db, log), bob.public_record(), "peer review")
    assert (added.action, added.examiner, added.details["name"]) == ("examiner_added", alice.name, bob.name)
    bob_log = open_custody(db, "bob sample", write=True, passphrase=PASSPHRASE)
    bob_log.append(actions.NOTE, details={"text": "joined"})
    with pytest.raises(CaseError, match="already on this case"):
        add_examiner(context(db, log), bob.public_record())
    removed = remove_examiner(context(db, log), bob.name, "reassigned")
    assert removed.details == {"name": bob.name, "key_id": bob.key_id, "reason": "reassigned"}
    with pytest.raises(AccessDenied, match="not on this case"):
        open_custody(db, bob.name, write=False, passphrase=None)
    with pytest.raises(AccessDenied, match="no longer on this case"):
        bob_log.append(actions.NOTE, details={"text": "still here?"})  # a log opened before the removal
    assert [(m.name, m.active) for m in members(db)] == [(alice.name, True), (bob.name, False)]
    assert verify_case(db.case_dir).ok


def test_last_member_cannot_be_removed_and_reason_is_required(case, alice, bob) -> None:
    db, log = case
    with pytest.raises(CaseError, match="last examiner"):
        remove_examiner(context(db, log), alice.name, "leaving")
    add_examiner(context(db, log), bob.public_record())
    with pytest.raises(CaseError, match="needs a reason"):
        remove_examiner(context(db, log), bob.name, " ")


def test_custody_cannot_be_started_twice(case, alice) -> None:
    db, _ = case
    with pytest.raises(CaseError, match="already been started"):
        begin_custody(db, alice.name, PASSPHRASE)


def test_a_bad_public_key_cannot_be_added(case) -> None:
    db, log = case
    with pytest.raises(CaseError, match="not a valid Ed25519 public key"):
        add_examiner(context(db, log), {"name": "Mallory", "public_key": "00" * 31})


def test_fresh_database_has_no_members(tmp_path: Path, alice) -> None:
    (tmp_path / "empty").mkdir()
    db = CaseDatabase(tmp_path / "empty", create=True)
    with pytest.raises(AccessDenied, match="not on this case"):
        open_custody(db, alice.name, write=False, passphrase=None)
    db.close()
