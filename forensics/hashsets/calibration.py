"""Measured false-match rates of the perceptual thresholds, for the report's methodology section.

The numbers come from ``bench/bench_edits.py`` (docs/matching.md, "Calibration"): every pair of an analysed
real photo (unedited, and after the edits that make content regions) and a listed real photo that is NOT
its original, compared the way ``custos match`` compares them with every extra code (the 8 dihedral
variants of all three hashes, the content regions, the crops of a list built by Custos; pHash and dHash
only where PDQ quality >= 50). ``FALSE_MATCHES[algorithm][t]`` is how many of those pairs came within
distance ``t``. A rate measured as 0 is reported as "none in N pairs" (an upper bound near 3/N at 95 %
confidence), never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

# Filled from the benchmark's JSON ("false_by_threshold", "unrelated_pairs", "photos").
MEASURED_ON = "2026-12-07"
PHOTOS = 0
PAIRS = 0
FALSE_MATCHES: dict[str, list[int]] = {"pdq": [], "phash": [], "dhash": []}


@dataclass(frozen=True)
class MeasuredRate:
    """False matches measured at one threshold, out of how many unrelated pairs of real photos."""

    algorithm: str
    threshold: int
    false_matches: int
    pairs: int
    photos: int

    @property
    def rate(self) -> float:
        return self.false_matches / self.pairs if self.pairs else float("nan")

    def statement(self) -> str:
        """One sentence for the report."""
        name = {"pdq": "PDQ", "phash": "pHash", "dhash": "dHash"}.get(self.algorithm, self.algorithm)
        measured = (
            f"no false match in {self.pairs:,} pairs"
            if self.false_matches == 0
            else f"{self.false_matches} false matches in {self.pairs:,} pairs ({self.rate:.1e} per pair)"
        )
        return (
            f"{name} threshold {self.threshold}: {measured} of unrelated real photos "
            f"({self.photos:,} distinct photos, measured {MEASURED_ON} with bench/bench_edits.py)"
        )


def measured_rate(algorithm: str, threshold: int) -> MeasuredRate | None:
    """The measured false matches at ``threshold``; None when that threshold was not measured."""
    table = FALSE_MATCHES.get(algorithm) or []
    if not PAIRS or not 0 <= threshold < len(table):
        return None
    return MeasuredRate(algorithm, threshold, table[threshold], PAIRS, PHOTOS)
