"""Physical custody transfers of an evidence item (who handed it to whom, why, seal checked)."""

from __future__ import annotations

from forensics.core.errors import CaseError
from forensics.custody.intake import current_intake


def transfer_details(
    db,
    item: str,
    *,
    from_person: str,
    to_person: str,
    reason: str,
    seal_checked: bool,
    seal_number: str | None = None,
    location: str | None = None,
) -> dict:
    """Details of a ``custody_transfer`` entry for an item that has an intake record (checked)."""
    current_intake(db, item)  # refuses unknown items
    fields = {"from": from_person, "to": to_person, "reason": reason}
    missing = [name for name, value in fields.items() if not (value or "").strip()]
    if missing:
        raise CaseError(f"a custody transfer needs: {', '.join(missing)}")
    details: dict[str, str | bool] = {key: value.strip() for key, value in fields.items()}
    details["seal_checked"] = bool(seal_checked)
    if seal_number:
        details["seal_number"] = seal_number.strip()
    if location:
        details["location"] = location.strip()
    return details
