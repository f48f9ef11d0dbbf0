"""Who may be added to or removed from a case: the checks and the details of the membership entries.

The entries themselves are signed by an examiner already on the case, through the service layer
(:mod:`forensics.services.custody`).
"""

from __future__ import annotations

from typing import Any

from forensics.core.errors import CaseError
from forensics.custody import keys
from forensics.custody.examiners import name_key, validate_name
from forensics.custody.roster import Member, load_members


def members(db) -> list[Member]:
    """Everyone ever registered on the case (removed ones have ``removed_seq``), by first addition."""
    with db.engine.connect() as conn:
        return sorted(load_members(conn).values(), key=lambda m: m.added_seq)


def active_member(db, name: str) -> Member | None:
    with db.engine.connect() as conn:
        member = load_members(conn).get(name_key(name))
    return member if member is not None and member.active else None


def registration_details(public_record: dict[str, Any], reason: str) -> dict[str, Any]:
    """Details of an ``examiner_added`` entry from a profile's public record (validated)."""
    public_hex = str(public_record.get("public_key", "")).lower()
    try:
        keys.load_public_key(public_hex)
    except ValueError as exc:
        raise CaseError(f"not a valid Ed25519 public key: {exc}") from None
    key_id = keys.key_id_of(public_hex)
    if public_record.get("key_id") not in (None, key_id):
        raise CaseError("the key id given does not match the public key")
    return {
        "name": validate_name(str(public_record.get("name", ""))),
        "agency": str(public_record.get("agency", "")),
        "badge": str(public_record.get("badge", "")),
        "public_key": public_hex,
        "key_id": key_id,
        "reason": reason,
    }


def addition_details(db, public_record: dict[str, Any], reason: str = "") -> dict[str, Any]:
    """Details of the ``examiner_added`` entry that registers an examiner; refuses duplicates."""
    details = registration_details(public_record, reason.strip())
    with db.engine.connect() as conn:
        current = load_members(conn)
    existing = current.get(name_key(details["name"]))
    if existing is not None and existing.active:
        raise CaseError(f"{existing.name!r} is already on this case")
    if any(m.active and m.key_id == details["key_id"] for m in current.values()):
        raise CaseError("that key is already registered for another examiner on this case")
    return details


def removal_details(db, name: str, reason: str) -> dict[str, Any]:
    """Details of the ``examiner_removed`` entry; the last examiner on a case cannot be removed."""
    if not reason.strip():
        raise CaseError("removing an examiner needs a reason")
    with db.engine.connect() as conn:
        current = load_members(conn)
    member = current.get(name_key(name))
    if member is None or not member.active:
        raise CaseError(f"{name!r} is not on this case")
    if sum(m.active for m in current.values()) == 1:
        raise CaseError(f"{member.name!r} is the last examiner on this case and cannot be removed")
    return {"name": member.name, "key_id": member.key_id, "reason": reason.strip()}
