"""Normalisation of hash values as they appear in lists: strip, validate, store as bytes."""

from __future__ import annotations

import string

HEX_DIGITS = frozenset(string.hexdigits)

# Number of hex digits of each algorithm's textual form.
HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "pdq": 64, "phash": 16, "dhash": 16}
CRYPTO_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256"}
EXACT_ALGORITHMS = ("md5", "sha1", "sha256")
PERCEPTUAL_ALGORITHMS = ("pdq", "phash", "dhash")
ALGORITHM_NAMES = {
    "md5": "md5",
    "sha1": "sha1",
    "sha-1": "sha1",
    "sha256": "sha256",
    "sha-256": "sha256",
    "sha2-256": "sha256",
    "pdq": "pdq",
    "phash": "phash",
    "dhash": "dhash",
}


class BadHash(ValueError):
    """A hash value that is not the hex of the expected algorithm."""


def parse_hex(value: str, algorithm: str) -> bytes:
    """The bytes of a hex hash of ``algorithm``; any case, surrounding whitespace ignored."""
    text = value.strip()
    expected = HEX_LENGTH[algorithm]
    if len(text) == expected:
        try:
            digest = bytes.fromhex(text)
        except ValueError:
            digest = b""
        if len(digest) * 2 == expected:
            return digest
    if not all(c in HEX_DIGITS for c in text):
        raise BadHash(f"{algorithm}: not hexadecimal: {text[:80]!r}")
    raise BadHash(f"{algorithm}: {len(text)} hex digits, expected {expected}: {text[:80]!r}")


def guess_crypto_algorithm(value: str) -> str:
    """md5/sha1/sha256 from the length of a hex string (raises :class:`BadHash` otherwise)."""
    text = value.strip()
    if not text or not all(c in HEX_DIGITS for c in text):
        raise BadHash(f"not hexadecimal: {text[:80]!r}")
    try:
        return CRYPTO_BY_LENGTH[len(text)]
    except KeyError:
        raise BadHash(f"{len(text)} hex digits is not MD5 (32), SHA-1 (40) or SHA-256 (64)") from None


def algorithm_name(label: str) -> str | None:
    """Canonical algorithm name for a header or label such as ``SHA-1`` (None if unknown)."""
    return ALGORITHM_NAMES.get(label.strip().lower())
