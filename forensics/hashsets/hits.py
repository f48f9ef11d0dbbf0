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
    """Thresholds in force; recorded with every finding and in the custody log.

    A threshold of ``None`` means the algorithm is not compared. PDQ's default (27) is the largest distance
    whose measured false-match rate stays at or under 1e-6 per pair of unrelated real photos, with content
    regions, turned variants and picture-list crops (:mod:`forensics.hashsets.calibration`,
    docs/matching.md). No pHash or dHash threshold met that rate on the calibration photos, so by default
    they are not compared: the examiner names a threshold, and the finding, the custody log and the report
    state its measured rate.
    """

    pdq_threshold: int = 27
    pdq_min_quality: int = 50
    phash_threshold: int | None = None
    dhash_threshold: int | None = None
    # pHash/dHash of a picture (or region) whose PDQ quality is under pdq_min_quality are not compared:
    # low-texture pictures give chance matches of the 64-bit hashes (docs/matching.md, "Calibration").
    gate_64bit: bool = True
    # Also query the content regions' hashes and the pHash/dHash dihedral variants (file_regions).
    regions: bool = True
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

    def as_dict(self) -> dict[str, int | float | bool | None]:
        return asdict(self)


# (kind, x, y, w, h) of a content region in the file's pixels.
Region = tuple[str, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Hit:
    """A case file matched a library entry."""

    file_id: int
    entry_id: int
    algorithm: str
    distance: int = 0
    variant: str | None = None
    # The content region that matched; None: the whole picture.
    region: Region | None = None
    # The list entry's extra hash that matched (a list built by Custos) and that code; None: its own hash.
    list_variant: str | None = None
    matched_code: bytes | None = None


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
