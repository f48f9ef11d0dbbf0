"""Errors of phone-extraction readers: one clear line naming the extraction and what went wrong."""

from __future__ import annotations

from forensics.core.errors import EvidenceError


class ExtractionError(EvidenceError):
    """A phone extraction (archive, backup, report) is damaged, truncated, hostile or unsupported."""


class PasswordRequired(ExtractionError):
    """The extraction is encrypted and no password was given."""


class WrongPassword(ExtractionError):
    """The password given for an encrypted extraction does not open it (nothing was decrypted)."""
