"""Errors of the hash-set library, each one clear line for the examiner."""

from __future__ import annotations

from forensics.core.errors import CustosError


class HashSetError(CustosError):
    """A hash-set library operation was refused or failed (bad name, unknown format, ...)."""


class ImportFailed(HashSetError):
    """An import failed: nothing valid remained, or strict mode met a malformed record."""
