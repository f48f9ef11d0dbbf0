"""Examiner profiles: one JSON file per person in the user's application-data folder, outside cases.

The folder is ``$CUSTOS_HOME`` if set, else ``$XDG_DATA_HOME/custos``, else
``~/.local/share/custos``; profiles live in its ``examiners`` sub-folder, readable by the user only.
Names are matched without regard to case, and are unique that way.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from forensics.core.errors import AccessDenied, CustosError
from forensics.core.paths import custos_home
from forensics.custody import keys

log = logging.getLogger(__name__)

PROFILE_FORMAT = "custos-examiner/1"
MAX_NAME_LENGTH = 100


def examiners_dir() -> Path:
    return custos_home() / "examiners"


@dataclass(frozen=True)
class ExaminerProfile:
    """A person who signs custody events; ``sealed_key`` is the passphrase-protected private key."""

    name: str
    agency: str
    badge: str
    public_key: str
    key_id: str
    created_at: str
    sealed_key: dict[str, Any]

    def unlock(self, passphrase: str) -> Ed25519PrivateKey:
        """The private key; :class:`keys.PassphraseError` for a wrong passphrase."""
        try:
            return keys.decrypt_private_key(self.sealed_key, passphrase, self.public_key)
        except (KeyError, ValueError) as exc:
            raise CustosError(f"examiner profile of {self.name!r} is damaged: {exc}") from exc

    def unlock_in_background(self, passphrase: str) -> KeyUnlock:
        """:meth:`unlock` in a thread: the key derivation (scrypt) releases the GIL, the caller goes on."""
        return KeyUnlock(self, passphrase)

    def public_record(self) -> dict[str, str]:
        """What others need to add or trust this examiner (no secret)."""
        return {
            "name": self.name,
            "agency": self.agency,
            "badge": self.badge,
            "public_key": self.public_key,
            "key_id": self.key_id,
        }


class KeyUnlock:
    """A profile's private key being unsealed in a thread; :meth:`key` waits for it.

    A command that will sign custody events starts this before its slow imports and opening the
    case. Whatever :meth:`ExaminerProfile.unlock` would raise, :meth:`key` raises.
    """

    def __init__(self, profile: ExaminerProfile, passphrase: str) -> None:
        self.profile = profile
        self._passphrase = passphrase
        self._key: Ed25519PrivateKey | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="custos-key-unlock", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._key = self.profile.unlock(self._passphrase)
        except BaseException as exc:  # handed to the caller by key()
            self._error = exc

    def serves(self, profile: ExaminerProfile, passphrase: str) -> bool:
        """Whether this unlock is of ``profile``'s key with ``passphrase``."""
        return profile.key_id == self.profile.key_id and hmac.compare_digest(
            passphrase.encode("utf-8"), self._passphrase.encode("utf-8")
        )

    def key(self) -> Ed25519PrivateKey:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._key is not None  # set by _run when unlocking raised nothing
        return self._key


def validate_name(name: str) -> str:
    """A clean examiner name (stripped, NFC), or ValueError."""
    clean = unicodedata.normalize("NFC", name.strip())
    if not clean:
        raise ValueError("an examiner name cannot be empty")
    if len(clean) > MAX_NAME_LENGTH:
        raise ValueError(f"an examiner name has at most {MAX_NAME_LENGTH} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in clean):
        raise ValueError("an examiner name cannot contain control characters")
    return clean


def name_key(name: str) -> str:
    """The form under which names are compared (case-insensitive)."""
    return unicodedata.normalize("NFC", name.strip()).casefold()


def profile_path(name: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", name_key(name)).strip("-")[:40] or "examiner"
    digest = hashlib.sha256(name_key(name).encode("utf-8")).hexdigest()[:10]
    return examiners_dir() / f"{slug}-{digest}.json"


def _from_json(data: dict[str, Any]) -> ExaminerProfile:
    if data.get("format") != PROFILE_FORMAT:
        raise ValueError(f"not a {PROFILE_FORMAT} file")
    profile = ExaminerProfile(
        name=data["name"],
        agency=data["agency"],
        badge=data["badge"],
        public_key=data["public_key"],
        key_id=data["key_id"],
        created_at=data["created_at"],
        sealed_key=data["private_key"],
    )
    if keys.key_id_of(profile.public_key) != profile.key_id:
        raise ValueError("key id does not match the public key")
    return profile


def _to_json(profile: ExaminerProfile) -> dict[str, Any]:
    return {
        "format": PROFILE_FORMAT,
        **profile.public_record(),
        "created_at": profile.created_at,
        "private_key": profile.sealed_key,
    }


def list_examiners() -> list[ExaminerProfile]:
    """Every readable profile, sorted by name; damaged files are skipped with a warning."""
    folder = examiners_dir()
    profiles = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            profiles.append(_from_json(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("skipping damaged examiner profile %s: %s", path, exc)
    return sorted(profiles, key=lambda p: name_key(p.name))


def find_examiner(name: str) -> ExaminerProfile | None:
    """The profile with this name (case-insensitive), or None."""
    path = profile_path(name)
    if not path.exists():
        return None
    try:
        profile = _from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CustosError(f"examiner profile {path} is damaged: {exc}") from exc
    return profile if name_key(profile.name) == name_key(name) else None


def load_examiner(name: str | None) -> ExaminerProfile:
    """The acting examiner's profile; :class:`AccessDenied` when missing or unknown."""
    if not name or not name.strip():
        raise AccessDenied("no examiner given: use --examiner NAME or set CUSTOS_EXAMINER")
    profile = find_examiner(name)
    if profile is None:
        raise AccessDenied(
            f"unknown examiner {name!r}: no profile on this workstation (create one with "
            f"'custos examiner create')"
        )
    return profile


def create_examiner(name: str, agency: str, badge: str, passphrase: str) -> ExaminerProfile:
    """Create a profile with a new Ed25519 key pair protected by ``passphrase``."""
    clean = validate_name(name)
    agency, badge = agency.strip(), badge.strip()
    if not agency or not badge:
        raise ValueError("an examiner needs an agency and a badge/ID")
    if find_examiner(clean) is not None:
        raise CustosError(f"an examiner named {clean!r} already exists on this workstation")
    private = keys.generate_private_key()
    public_hex = keys.public_key_hex(private)
    profile = ExaminerProfile(
        name=clean,
        agency=agency,
        badge=badge,
        public_key=public_hex,
        key_id=keys.key_id_of(public_hex),
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        sealed_key=keys.encrypt_private_key(private, passphrase),
    )
    _write_new(profile_path(clean), json.dumps(_to_json(profile), indent=2) + "\n")
    return profile


def _write_new(path: Path, text: str) -> None:
    """Write a new file readable by the owner only; never overwrites."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CustosError(f"{path} already exists") from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
