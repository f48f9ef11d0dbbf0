"""The methodology section states each perceptual threshold of a match run with its measured rate."""

from __future__ import annotations

from forensics.hashsets.calibration import rate_statement
from forensics.reports.collect_case import run_rates

OLD_SETTINGS = {"pdq_threshold": 31, "pdq_min_quality": 50, "phash_threshold": 8, "dhash_threshold": 10}


def test_a_run_recorded_before_the_rates_existed_gets_this_builds_measurement_of_its_thresholds():
    sets = [{"name": "lab", "algorithms": ["md5", "pdq", "phash", "dhash"], "thresholds": {"pdq": 31}}]
    assert run_rates(sets, OLD_SETTINGS) == [
        rate_statement("pdq", 31),
        rate_statement("phash", 8),
        rate_statement("dhash", 10),
    ]


def test_the_sentences_recorded_with_the_run_are_quoted_as_they_were():
    sets = [
        {"algorithms": ["pdq"], "false_match_rates": {"pdq": "PDQ threshold 27: as measured then"}},
        {"algorithms": ["dhash", "sha256"]},
    ]
    settings = {"pdq_threshold": 27, "phash_threshold": None, "dhash_threshold": None}
    assert run_rates(sets, settings) == [
        "PDQ threshold 27: as measured then",
        "dHash: not compared (no dHash threshold was set)",
    ]


def test_exact_only_runs_and_damaged_records_state_no_rate():
    assert run_rates([{"algorithms": ["md5", "sha1"]}], OLD_SETTINGS) == []
    assert run_rates(["not a set", {"algorithms": None}], {}) == []
