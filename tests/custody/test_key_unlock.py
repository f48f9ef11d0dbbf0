"""The examiner's key unsealed in a thread while a command starts: same key, same refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from custody_helpers import PASSPHRASE, new_case

from app.passphrase import unlock_early
from forensics.core.errors import AccessDenied
from forensics.custody import actions
from forensics.custody.examiners import ExaminerProfile
from forensics.custody.keys import PassphraseError
from forensics.custody.session import open_custody
from forensics.custody.verify import verify_case


def _public(key) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def test_the_key_from_the_thread_is_the_profiles_key(alice: ExaminerProfile) -> None:
    unlocking = alice.unlock_in_background(PASSPHRASE)
    assert _public(unlocking.key()) == _public(alice.unlock(PASSPHRASE))
    assert unlocking.serves(alice, PASSPHRASE)
    assert not unlocking.serves(alice, PASSPHRASE + "x")


def test_a_wrong_passphrase_is_refused_when_the_key_is_asked_for(alice: ExaminerProfile) -> None:
    unlocking = alice.unlock_in_background("guess guess guess")
    with pytest.raises(PassphraseError, match="wrong passphrase"):
        unlocking.key()


def test_open_custody_signs_with_the_unlocked_key(tmp_path: Path, alice, bob, monkeypatch) -> None:
    db, _ = new_case(tmp_path / "case", alice.name)
    try:
        unlocking = unlock_early(alice.name)
        assert unlocking is not None
        unlocking.key()  # done: open_custody must not derive it again
        with monkeypatch.context() as patch:
            patch.setattr(ExaminerProfile, "unlock", lambda *_: pytest.fail("key derived twice"))
            log = open_custody(db, alice.name, write=True, passphrase=PASSPHRASE, unlocking=unlocking)
            log.append(actions.NOTE, details={"text": "signed with the key unsealed in a thread"})
        assert verify_case(db.case_dir).ok
        # Another examiner's unlock is not used for Alice, and membership is still checked first.
        with pytest.raises(AccessDenied, match="not on this case"):
            open_custody(
                db,
                bob.name,
                write=True,
                passphrase=PASSPHRASE,
                unlocking=bob.unlock_in_background(PASSPHRASE),
            )
        other = bob.unlock_in_background(PASSPHRASE)
        assert not other.serves(alice, PASSPHRASE)
        log = open_custody(db, alice.name, write=True, passphrase=PASSPHRASE, unlocking=other)
        assert log.examiner_name == alice.name
    finally:
        db.close()


def test_no_early_unlock_without_a_passphrase_in_the_environment(alice, monkeypatch) -> None:
    monkeypatch.delenv("CUSTOS_PASSPHRASE")
    assert unlock_early(alice.name) is None
    monkeypatch.setenv("CUSTOS_PASSPHRASE", PASSPHRASE)
    assert unlock_early("Nobody Known") is None  # the usual path reports the unknown examiner
