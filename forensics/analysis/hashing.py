"""MD5, SHA-1 and SHA-256 of a byte stream in one pass over chunked reads."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Digests:
    """The three digests (lowercase hex) and the number of bytes hashed."""

    md5: str
    sha1: str
    sha256: str
    size: int


class MultiHasher:
    """Feeds every chunk to MD5, SHA-1 and SHA-256 at once; memory is one chunk."""

    def __init__(self) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._sha1 = hashlib.sha1(usedforsecurity=False)
        self._sha256 = hashlib.sha256()
        self.size = 0

    def update(self, chunk: bytes) -> None:
        self._md5.update(chunk)
        self._sha1.update(chunk)
        self._sha256.update(chunk)
        self.size += len(chunk)

    def digests(self) -> Digests:
        return Digests(self._md5.hexdigest(), self._sha1.hexdigest(), self._sha256.hexdigest(), self.size)


def hash_chunks(chunks: Iterable[bytes]) -> Digests:
    """Digests of the concatenation of ``chunks``."""
    hasher = MultiHasher()
    for chunk in chunks:
        hasher.update(chunk)
    return hasher.digests()
