"""What matching produces and the thresholds it uses: hits of case files on library entries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from forensics.hashsets.hashes import HEX_LENGTH

# The order of the eight PDQ dihedral hashes stored per picture (``file_analysis.pdq_dihedral``).
DIHEDRAL_VARIANTS = (
    "original",
    "rot90",
    "rot180",
    "rot270",
    "flip_vertical",
    "flip_horizontal",
    "rot90_flip_vertical",
    "rot90_flip_horizontal",
)


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds in force; recorded with every finding and in the custody log."""

    pdq_threshold: int = 31
    pdq_min_quality: int = 50
    phash_threshold: int = 8
    dhash_threshold: int = 10
    # Videos against vPDQ lists (Meta's rule, its defaults): frame pairs within the distance, both frames
    # of at least the quality; a match when the listed video's share of matched frames reaches
    # ``vpdq_listed_share`` percent and the case video's ``vpdq_query_share`` (python-threatexchange puts
    # the 80 % on the query side: both are settable, and recorded with the run).
    vpdq_threshold: int = 31
    vpdq_min_quality: int = 50
    vpdq_listed_share: float = 80.0
    vpdq_query_share: float = 0.0

    def threshold(self, algorithm: str) -> int | None:
        return {
            "pdq": self.pdq_threshold,
            "phash": self.phash_threshold,
            "dhash": self.dhash_threshold,
            "vpdq": self.vpdq_threshold,
            "pdq-frame": self.pdq_threshold,  # a video's sampled frames against picture lists
        }.get(algorithm)

    def as_dict(self) -> dict[str, int | float]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Hit:
    """A case file matched a library entry."""

    file_id: int
    entry_id: int
    algorithm: str
    distance: int = 0
    variant: str | None = None


def hex_bytes(value: Any, algorithm: str) -> bytes | None:
    """A stored digest (hex text or raw bytes) as bytes; None when it is not a digest of ``algorithm``."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if not value or len(value) != HEX_LENGTH[algorithm]:
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None
