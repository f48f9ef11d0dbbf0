"""The faiss indexes return exactly what numpy brute force finds, radius inclusive; which index is chosen."""

from __future__ import annotations

import numpy as np
import pytest
from hamming_helpers import near_code, result_sets

from bench.baseline_indexes import FaissMultiHashIndex, NumpyHammingIndex
from forensics.hashsets.hamming import FaissHammingIndex, choose_index
from forensics.hashsets.mih import MultiIndexHashIndex


@pytest.mark.parametrize(("bits", "radius"), [(256, 31), (64, 8)])
def test_faiss_and_numpy_agree(bits: int, radius: int) -> None:
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 256, (5000, bits // 8), dtype=np.uint8)
    # Queries at exactly the radius, one past it, and random ones.
    queries = np.stack(
        [near_code(codes[10], radius, rng), near_code(codes[20], radius + 1, rng), codes[30]]
        + [rng.integers(0, 256, bits // 8, dtype=np.uint8) for _ in range(5)]
    )
    fast, slow = FaissHammingIndex(bits), NumpyHammingIndex(bits)
    fast.add(codes)
    slow.add(codes)
    got = result_sets(*fast.search_within(queries, radius))
    want = result_sets(*slow.search_within(queries, radius))
    assert got == want
    assert (10, radius) in got[0] and all(label != 20 for label, _ in got[1]) and (30, 0) in got[2]


def test_empty_index_finds_nothing() -> None:
    lims, distances, labels = FaissHammingIndex(256).search_within(np.zeros((2, 32), np.uint8), 31)
    assert list(lims) == [0, 0, 0] and len(distances) == len(labels) == 0


def test_multi_index_hashing_is_exact_up_to_its_radius() -> None:
    rng = np.random.default_rng(9)
    codes = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    queries = np.stack(
        [near_code(codes[i], 31, rng) for i in range(20)] + [near_code(codes[i], 16, rng) for i in range(20)]
    )
    multi, slow = FaissMultiHashIndex(256), NumpyHammingIndex(256)
    multi.add(codes)
    slow.add(codes)
    assert result_sets(*multi.search_within(queries, 31)) == result_sets(*slow.search_within(queries, 31))
    with pytest.raises(ValueError, match="exact only up to distance 31"):
        multi.search_within(queries, 32)


def test_choose_index_follows_the_measurements() -> None:
    assert isinstance(choose_index(256, 1_000, 31), FaissHammingIndex)  # tiny list: no tables
    small, large = choose_index(256, 100_000, 31), choose_index(256, 5_000_000, 31)
    assert isinstance(small, MultiIndexHashIndex) and small.layout.substrings == 16
    assert isinstance(large, MultiIndexHashIndex) and large.layout.substrings == 12
    assert isinstance(choose_index(64, 5_000_000, 10), MultiIndexHashIndex)
    # Past what multi-index hashing searches efficiently: the exhaustive index.
    assert isinstance(choose_index(256, 5_000_000, 60), FaissHammingIndex)
