"""Whose keys a verifier trusts: the lab's examiner roster, never keys found in the case itself.

A case's log registers its examiners' public keys in its own entries; someone who replaces the whole log
registers fresh keys the same way. So a verifier trusts keys from outside the case: the lab's roster
(``<custos home>/roster.json`` or ``$CUSTOS_ROSTER``: a list of examiners' public records, as
``custos examiner export`` prints them), this workstation's own examiner profiles, and any file the
examiner names. A key used on the case that none of these vouches for leaves the log unanchored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from forensics.core.paths import custos_home

ENV_ROSTER = "CUSTOS_ROSTER"


def roster_path() -> Path:
    override = os.environ.get(ENV_ROSTER)
    return Path(override) if override else custos_home() / "roster.json"


def load_records(path: Path | str) -> dict[str, str]:
    """Examiner name -> public key (hex) from a JSON file of one public record or a list of them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    records = data if isinstance(data, list) else [data]
    return {str(r["name"]): str(r["public_key"]) for r in records}


def lab_roster() -> dict[str, str]:
    """The lab's roster (empty when this workstation has none)."""
    path = roster_path()
    return load_records(path) if path.is_file() else {}


def workstation_trust(*, local_profiles: bool = True) -> dict[str, str]:
    """The lab roster and (unless told not to) this workstation's own examiner profiles."""
    from forensics.custody.examiners import list_examiners

    trusted = lab_roster()
    if local_profiles:
        trusted.update({p.name: p.public_key for p in list_examiners()})
    return trusted
