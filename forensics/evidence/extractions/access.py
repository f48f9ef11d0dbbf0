"""How a process opens a phone extraction recorded as an evidence item: the keys of an encrypted one.

The examiner's password is turned into keys once per ingest (the iOS derivation is deliberately slow);
the keys then travel to the worker processes in memory, through their pipes, with their settings.
They are never written to the case, a log, a report or a file, and never shown in a repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from forensics.evidence.extractions.adb_backup import AdbKeys
from forensics.evidence.extractions.ios_keybag import IosBackupKeys

if TYPE_CHECKING:
    from forensics.evidence.extractions.detect import Detection

EXTRACTION_CONTAINER = "extraction"  # ``evidence.container`` of a phone extraction


@dataclass(frozen=True)
class ExtractionAccess:
    """Open the evidence as a phone extraction, with the in-memory keys of an encrypted one (or None)."""

    secrets: AdbKeys | IosBackupKeys | None = field(default=None, repr=False)
    # What the job's detection found: a process opening the same path takes it instead of reading the
    # extraction's directory again (a phone zip's central directory can hold hundreds of thousands of
    # entries); a process that sees the evidence under another path detects anew.
    detection: Detection | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return "ExtractionAccess(<keys>)" if self.secrets is not None else "ExtractionAccess()"
