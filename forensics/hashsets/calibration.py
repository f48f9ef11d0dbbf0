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
PHOTOS = 1338
PAIRS = 13152066
FALSE_MATCHES: dict[str, list[int]] = {
    "pdq": [
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        3,
        3,
        3,
        3,
        5,
        5,
        5,
        5,
        11,
        11,
        11,
        11,
        13,
        13,
        14,
        14,
        22,
        22,
        35,
        35,
        67,
        67,
        95,
        95,
        123,
        123,
        152,
        152,
        177,
        177,
        231,
        231,
        260,
        260,
        308,
        308,
        358,
        358,
        420,
        420,
        532,
        532,
        705,
        705,
        908,
        908,
        1219,
        1219,
        1654,
        1654,
        2198,
        2198,
        2935,
        2935,
        3999,
        3999,
        5421,
        5421,
        7439,
        7439,
        10302,
        10302,
        14452,
        14452,
        20117,
        20117,
        28279,
        28279,
        40008,
        40008,
        56522,
        56522,
        80861,
        80861,
        117032,
        117032,
        173382,
        173382,
        265368,
        265368,
        426481,
        426481,
        718421,
        718421,
        1256949,
        1256949,
        2230454,
        2230454,
        3838688,
        3838688,
        6122546,
        6122546,
        8711978,
        8711978,
        10895452,
        10895452,
        12147064,
        12147064,
        12585714,
        12585714,
        12676151,
        12676151,
        12694468,
        12694468,
        12702834,
        12702834,
        12708957,
        12708957,
        12713267,
        12713267,
        12715834,
        12715834,
        12717250,
        12717250,
        12911406,
    ],
    "phash": [
        1169,
        1169,
        6190,
        6190,
        17503,
        17503,
        40072,
        40072,
        79734,
        79734,
        146909,
        146909,
        265192,
        265192,
        528852,
        528852,
        1296144,
        1296144,
        3455694,
        3455694,
        7497398,
        7497398,
        11277776,
        11277776,
        12718885,
        12718885,
        12904145,
        12904145,
        12911292,
        12911292,
        12911404,
        12911404,
        12911406,
    ],
    "dhash": [
        137,
        796,
        2866,
        7247,
        15281,
        28896,
        49672,
        78948,
        120234,
        176586,
        254824,
        362872,
        514290,
        725310,
        1026114,
        1454426,
        2069170,
        2921047,
        4050931,
        5447681,
        7016227,
        8580406,
        9953300,
        11001698,
        11710543,
        12158747,
        12436709,
        12612330,
        12723866,
        12794279,
        12838831,
        12866647,
        12884273,
    ],
}


ALGORITHM_NAMES = {"pdq": "PDQ", "phash": "pHash", "dhash": "dHash"}


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
        name = ALGORITHM_NAMES.get(self.algorithm, self.algorithm)
        measured = (
            f"no false match in {self.pairs:,} pairs"
            if self.false_matches == 0
            else f"{self.false_matches:,} false match{'es' if self.false_matches > 1 else ''} in "
            f"{self.pairs:,} pairs ({self.rate:.1e} per pair)"
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


def rate_statement(algorithm: str, threshold: int) -> str:
    """The sentence the report, the findings and the custody log give for a threshold in force."""
    measured = measured_rate(algorithm, threshold)
    if measured is not None:
        return measured.statement()
    name = ALGORITHM_NAMES.get(algorithm, algorithm)
    return (
        f"{name} threshold {threshold}: no false-match rate was measured for this threshold "
        f"(the calibration with bench/bench_edits.py covers {name} distances 0 to "
        f"{max(len(FALSE_MATCHES.get(algorithm) or []) - 1, 0)})"
    )
