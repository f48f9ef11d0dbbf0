"""The case key: one AES-256 key per case that encrypts its pictures, wrapped for each examiner on it.

Each examiner already has an Ed25519 key pair (their signing key). Its X25519 twin, obtained by the
standard birational map (RFC 7748 section 4.1; libsodium's ``crypto_sign_ed25519_pk_to_curve25519`` and
``..._sk_to_curve25519``), is used to wrap the case key for them: an ephemeral X25519 key agrees a
secret with the examiner's public key, HKDF-SHA256 turns it into a key-encryption key, and AES-256-GCM
seals the case key with the examiner's key id as associated data. Only the examiner's private key (so
their passphrase) unwraps it; a member who adds another examiner wraps the key for them from their
public key alone.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

WRAP_FORMAT = "custos-case-key/1"
_P = 2**255 - 19
_INFO = b"custos case key wrap v1"
_DERIVE_INFO = b"custos case key v1:"


def x25519_private(signing_key: Ed25519PrivateKey) -> X25519PrivateKey:
    """The X25519 twin of an Ed25519 private key (the clamped first half of SHA-512 of its seed)."""
    seed = signing_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return X25519PrivateKey.from_private_bytes(hashlib.sha512(seed).digest()[:32])


def x25519_public(public_hex: str) -> X25519PublicKey:
    """The X25519 twin of an Ed25519 public key: u = (1 + y) / (1 - y) mod p."""
    raw = bytes.fromhex(public_hex)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    y = int.from_bytes(raw, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow(1 - y, _P - 2, _P) % _P
    return X25519PublicKey.from_public_bytes(u.to_bytes(32, "little"))


def derive_case_key(signing_key: Ed25519PrivateKey, context: bytes) -> bytes:
    """A case key derived from an examiner's private key and the log's state (``context``).

    HKDF-SHA256 over the key's seed, domain-separated from signing: unpredictable to anyone without that
    private key (a removed examiner included), and the same for the same log, so that a case rebuilt from
    the same inputs encrypts its pictures identically.
    """
    seed = signing_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVE_INFO + context).derive(seed)


def _kek(shared: bytes, key_id: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + bytes.fromhex(key_id)).derive(
        shared
    )


def wrap(case_key: bytes, public_hex: str, key_id: str) -> dict[str, Any]:
    """The case key sealed for the examiner whose Ed25519 public key is ``public_hex``."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(x25519_public(public_hex))
    nonce = os.urandom(12)
    sealed = AESGCM(_kek(shared, key_id)).encrypt(nonce, case_key, bytes.fromhex(key_id))
    public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"format": WRAP_FORMAT, "ephemeral": public.hex(), "nonce": nonce.hex(), "sealed": sealed.hex()}


def unwrap(wrapped: dict[str, Any], signing_key: Ed25519PrivateKey, key_id: str) -> bytes:
    """The case key from its wrapping for this examiner (``cryptography``'s InvalidTag when not theirs)."""
    if wrapped.get("format") != WRAP_FORMAT:
        raise ValueError(f"unknown case key wrapping {wrapped.get('format')!r}")
    ephemeral = X25519PublicKey.from_public_bytes(bytes.fromhex(wrapped["ephemeral"]))
    shared = x25519_private(signing_key).exchange(ephemeral)
    aes = AESGCM(_kek(shared, key_id))
    return aes.decrypt(
        bytes.fromhex(wrapped["nonce"]), bytes.fromhex(wrapped["sealed"]), bytes.fromhex(key_id)
    )
