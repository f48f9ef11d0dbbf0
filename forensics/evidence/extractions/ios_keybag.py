"""The keybag of an encrypted iOS backup: parse it, unlock it with the backup password, unwrap keys.

The keybag (``Manifest.plist`` key ``BackupKeyBag``) is a run of tag/length/value blocks (4-byte ASCII
tag, 4-byte big-endian length).  Its first blocks describe the bag (``VERS TYPE UUID HMCK WRAP SALT ITER``
and, from iOS 10.2, ``DPWT DPIC DPSL``); each later ``UUID`` starts a class key (``CLAS WRAP KTYP WPKY``).
The password key is PBKDF2-HMAC-SHA256(password, DPSL, DPIC) (iOS 10.2+, DPIC is 10,000,000 on real
backups), then PBKDF2-HMAC-SHA1(that, SALT, ITER); it unwraps (RFC 3394 AES key wrap) every class key
whose WRAP has the passcode bit.  A wrong password fails the key wrap's integrity check, before any
data is decrypted.  The slow first step runs in a thread while the caller's ``progress`` callback gets
an estimate of the fraction done (timed on a short calibration run), once per case session.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap

from forensics.evidence.extractions.errors import ExtractionError, WrongPassword

WRAP_PASSCODE = 2
CLASS_KEY_TAGS = {"CLAS", "WRAP", "WPKY", "KTYP", "PBKY"}
MAX_ITERATIONS = 100_000_000  # a hostile keybag cannot make the derivation run for days
CALIBRATION_ITERATIONS = 20_000
PROGRESS_INTERVAL = 0.25  # seconds between progress calls

ProgressCallback = Callable[[float], None]


@dataclass
class Keybag:
    """The parsed keybag: bag attributes and the still-wrapped class keys (no secret in clear)."""

    attributes: dict[str, bytes | int] = field(default_factory=dict)
    class_keys: dict[int, dict[str, bytes | int]] = field(default_factory=dict)


@dataclass(frozen=True)
class IosBackupKeys:
    """Unwrapped class keys of one backup, kept in memory for the case session only."""

    class_keys: dict[int, bytes] = field(repr=False)

    def __repr__(self) -> str:
        return f"IosBackupKeys(<{len(self.class_keys)} class keys>)"

    def unwrap(self, wrapped: bytes, where: str) -> bytes:
        """Unwrap a file or manifest key: 4-byte little-endian protection class, then the wrapped key."""
        if len(wrapped) < 4 + 24:
            raise ExtractionError(f"{where}: encryption key record too short")
        protection_class = struct.unpack("<I", wrapped[:4])[0]
        class_key = self.class_keys.get(protection_class)
        if class_key is None:
            raise ExtractionError(f"{where}: no class key for protection class {protection_class}")
        try:
            return aes_key_unwrap(class_key, wrapped[4:])
        except (InvalidUnwrap, ValueError) as exc:
            raise ExtractionError(f"{where}: file key does not unwrap (damaged key record)") from exc


def parse_keybag(blob: bytes, where: str) -> Keybag:
    """Parse the keybag blob; raises :class:`ExtractionError` on a malformed one."""
    bag = Keybag()
    current: dict[str, bytes | int] | None = None
    pos = 0
    while pos + 8 <= len(blob):
        tag = blob[pos : pos + 4].decode("ascii", "replace")
        length = struct.unpack(">I", blob[pos + 4 : pos + 8])[0]
        raw = blob[pos + 8 : pos + 8 + length]
        if len(raw) != length:
            raise ExtractionError(f"{where}: backup keybag truncated")
        pos += 8 + length
        value: bytes | int = struct.unpack(">I", raw)[0] if length == 4 else raw
        if tag == "UUID" and "UUID" not in bag.attributes:
            bag.attributes["UUID"] = value
        elif tag == "WRAP" and "WRAP" not in bag.attributes:
            bag.attributes["WRAP"] = value
        elif tag == "UUID":
            if current is not None and "CLAS" in current:
                bag.class_keys[int(current["CLAS"])] = current
            current = {"UUID": value}
        elif tag in CLASS_KEY_TAGS and current is not None:
            current[tag] = value
        else:
            bag.attributes[tag] = value
    if current is not None and "CLAS" in current:
        bag.class_keys[int(current["CLAS"])] = current
    for name in ("SALT", "ITER"):
        if name not in bag.attributes:
            raise ExtractionError(f"{where}: backup keybag has no {name}")
    return bag


def _iterations(bag: Keybag, name: str, where: str) -> int:
    value = bag.attributes.get(name)
    if not isinstance(value, int) or not 0 < value <= MAX_ITERATIONS:
        raise ExtractionError(f"{where}: backup keybag {name} is not a sane iteration count")
    return value


def _slow_step(password: bytes, salt: bytes, iterations: int, progress: ProgressCallback | None) -> bytes:
    if progress is None:
        return hashlib.pbkdf2_hmac("sha256", password, salt, iterations, 32)
    started = time.perf_counter()
    hashlib.pbkdf2_hmac("sha256", password, salt, CALIBRATION_ITERATIONS, 32)
    per_iteration = (time.perf_counter() - started) / CALIBRATION_ITERATIONS
    estimate = max(per_iteration * iterations, 1e-6)
    result: list[bytes] = []
    worker = threading.Thread(
        target=lambda: result.append(hashlib.pbkdf2_hmac("sha256", password, salt, iterations, 32)),
        name="ios-keybag-pbkdf2",
        daemon=True,
    )
    begun = time.perf_counter()
    worker.start()
    while worker.is_alive():
        worker.join(PROGRESS_INTERVAL)
        progress(min(0.99, (time.perf_counter() - begun) / estimate))
    progress(1.0)
    return result[0]


def unlock_keybag(
    bag: Keybag, password: str, where: str, progress: ProgressCallback | None = None
) -> IosBackupKeys:
    """Derive the password key and unwrap the class keys; :class:`WrongPassword` when it does not fit.

    ``progress(fraction)`` is called about every quarter second during the slow derivation.
    """
    secret = password.encode("utf-8")
    if "DPSL" in bag.attributes:
        dpsl = bag.attributes["DPSL"]
        if not isinstance(dpsl, bytes):
            raise ExtractionError(f"{where}: backup keybag DPSL is malformed")
        secret = _slow_step(secret, dpsl, _iterations(bag, "DPIC", where), progress)
    salt = bag.attributes["SALT"]
    if not isinstance(salt, bytes):
        raise ExtractionError(f"{where}: backup keybag SALT is malformed")
    password_key = hashlib.pbkdf2_hmac("sha1", secret, salt, _iterations(bag, "ITER", where), 32)
    keys: dict[int, bytes] = {}
    for protection_class, record in bag.class_keys.items():
        wrapped = record.get("WPKY")
        if not isinstance(wrapped, bytes):
            continue
        wrap = record.get("WRAP", 0)
        if isinstance(wrap, int) and wrap & WRAP_PASSCODE:
            try:
                keys[protection_class] = aes_key_unwrap(password_key, wrapped)
            except (InvalidUnwrap, ValueError):
                raise WrongPassword(
                    f"{where}: wrong password for the encrypted iOS backup (nothing was decrypted)"
                ) from None
    if not keys:
        raise ExtractionError(f"{where}: backup keybag holds no password-protected class key")
    return IosBackupKeys(class_keys=keys)
