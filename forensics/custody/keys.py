"""Ed25519 keys of examiners: generation, passphrase protection (scrypt + AES-256-GCM), signing.

Public keys are handled as 64 lowercase hex characters (the raw 32-byte key); a key's id is the
lowercase hex SHA-256 of those 32 bytes. Signatures are Ed25519 over the 32 raw bytes of an
entry hash, stored as 128 lowercase hex characters.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from forensics.core.errors import AccessDenied

# scrypt cost: about 70 ms and 32 MiB per unlock on a 2020s CPU, which slows guessing a lot.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
MIN_PASSPHRASE_LENGTH = 8


class PassphraseError(AccessDenied):
    """The passphrase does not unlock the examiner's private key, so nothing can be signed."""


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_hex(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw 32-byte public key as lowercase hex."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def key_id_of(public_hex: str) -> str:
    """A key's id: lowercase hex SHA-256 of the raw public key bytes."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()


def load_public_key(public_hex: str) -> Ed25519PublicKey:
    raw = bytes.fromhex(public_hex)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def sign_hash(key: Ed25519PrivateKey, entry_hash_hex: str) -> str:
    """Ed25519 signature (hex) over the raw bytes of an entry hash."""
    return key.sign(bytes.fromhex(entry_hash_hex)).hex()


def signature_valid(public: Ed25519PublicKey, entry_hash_hex: str, signature_hex: str) -> bool:
    try:
        public.verify(bytes.fromhex(signature_hex), bytes.fromhex(entry_hash_hex))
    except (InvalidSignature, ValueError):
        return False
    return True


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise ValueError(f"the passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters")


def _kek(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def encrypt_private_key(key: Ed25519PrivateKey, passphrase: str) -> dict[str, Any]:
    """The private key sealed with a key derived from ``passphrase``; bound to its public key id."""
    check_passphrase_strength(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    aad = key_id_of(public_key_hex(key)).encode("ascii")
    sealed = AESGCM(_kek(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(nonce, raw, aad)
    return {
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": salt.hex(),
        "cipher": "aes-256-gcm",
        "nonce": nonce.hex(),
        "ciphertext": sealed.hex(),
    }


def decrypt_private_key(sealed: dict[str, Any], passphrase: str, public_hex: str) -> Ed25519PrivateKey:
    """Unseal a private key; :class:`PassphraseError` when the passphrase is wrong."""
    if sealed.get("kdf") != "scrypt" or sealed.get("cipher") != "aes-256-gcm":
        raise ValueError("unsupported private-key protection")
    kek = _kek(
        passphrase, bytes.fromhex(sealed["salt"]), int(sealed["n"]), int(sealed["r"]), int(sealed["p"])
    )
    try:
        raw = AESGCM(kek).decrypt(
            bytes.fromhex(sealed["nonce"]),
            bytes.fromhex(sealed["ciphertext"]),
            key_id_of(public_hex).encode(),
        )
    except InvalidTag:
        raise PassphraseError("wrong passphrase: the examiner's signing key stays locked") from None
    key = Ed25519PrivateKey.from_private_bytes(raw)
    if public_key_hex(key) != public_hex:
        raise ValueError("the stored private key does not belong to the stored public key")
    return key
