"""Opening a case's custody log as an examiner: the access rules of a case.

* Writing (``write=True``) needs an examiner whose profile is on this workstation, who is an
  active member of the case with the same key, and the passphrase that unlocks that key.
* Reading (``write=False``) needs the same membership but no passphrase: nothing is signed, and
  the returned log refuses to append. (Reading is a procedural guard: whoever holds the case file
  can read it; ``custody verify`` and ``custody log`` are open to anyone, e.g. a defence expert.)
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from forensics.core.errors import AccessDenied, CaseError
from forensics.custody.examiners import ExaminerProfile, KeyUnlock, load_examiner, name_key
from forensics.custody.log import CustodyLog, last_entry
from forensics.custody.membership import registration_details
from forensics.custody.roster import load_members


def founder_log(db, examiner: str, passphrase: str) -> CustodyLog:
    """The log of a new case as its founder (key unlocked); refuses a case whose log has begun.

    The founder's registration (entry 1, ``examiner_added`` with ``genesis=True``) is written by the
    service that creates the case (:func:`forensics.services.cases.create_case`).
    """
    profile = load_examiner(examiner)
    log = CustodyLog(db, profile.name, profile.key_id, profile.unlock(passphrase))
    with db.engine.connect() as conn:
        if last_entry(conn) is not None:
            raise CaseError(f"{db.case_dir}: the custody log of this case has already been started")
    return log


def founder_details(examiner: str) -> dict:
    """Details of the founder's own ``examiner_added`` entry."""
    return registration_details(load_examiner(examiner).public_record(), "case founder")


def check_access(db, examiner: str | None) -> ExaminerProfile:
    """The examiner's profile if they may open this case; :class:`AccessDenied` otherwise."""
    profile = load_examiner(examiner)
    with db.engine.connect() as conn:
        member = load_members(conn).get(name_key(profile.name))
    if member is None or not member.active:
        raise AccessDenied(f"examiner {profile.name!r} is not on this case ({db.case_dir})")
    if member.key_id != profile.key_id:
        raise AccessDenied(
            f"the key of examiner {profile.name!r} on this workstation is not the key registered on "
            f"this case ({member.key_id[:16]}...)"
        )
    return profile


def unlock_examiner(
    profile: ExaminerProfile, passphrase: str, unlocking: KeyUnlock | None = None
) -> Ed25519PrivateKey:
    """The examiner's private key (``unlocking``: the same key already being unsealed in a thread)."""
    if unlocking is not None and unlocking.serves(profile, passphrase):
        return unlocking.key()
    return profile.unlock(passphrase)


def open_custody(
    db, examiner: str | None, *, write: bool, passphrase: str | None, unlocking: KeyUnlock | None = None
) -> CustodyLog:
    """The case's custody log as ``examiner``; refuses non-members and wrong passphrases.

    ``unlocking``: the key already being unsealed (used only if it is this profile's, same passphrase).
    """
    profile = check_access(db, examiner)
    if not write:
        return CustodyLog(db, profile.name, profile.key_id, None)
    if passphrase is None:
        raise AccessDenied(f"a passphrase is needed to sign custody events as {profile.name!r}")
    if unlocking is not None and unlocking.serves(profile, passphrase):
        key = unlocking.key()
    else:
        key = profile.unlock(passphrase)
    return CustodyLog(db, profile.name, profile.key_id, key)
