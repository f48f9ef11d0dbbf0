"""Hamming indexes kept only as measured baselines: faiss's multi-index hashing and numpy brute force.

The engine's own indexes (``forensics/hashsets/hamming.py``, ``mih.py``) are measured against these in
``bench/bench_hashsets.py`` and cross-checked against them in ``tests/hashsets``.
"""

from __future__ import annotations

import numpy as np

from forensics.hashsets.hamming import SearchResult


class FaissMultiHashIndex:
    """Multi-index hashing (faiss ``IndexBinaryMultiHash``), configured to stay exact.

    The code is cut into ``substrings`` parts; a stored code within distance ``r`` of the query agrees
    with it, up to ``flips`` bits, on at least one part when ``substrings * (flips + 1) > r`` (pigeonhole),
    and every such candidate is then checked exactly. Searching past that radius is refused.
    """

    def __init__(self, bits: int, substrings: int = 16, flips: int = 1) -> None:
        import faiss

        self.bits = bits
        self.exact_radius = substrings * (flips + 1) - 1
        self._index = faiss.IndexBinaryMultiHash(bits, substrings, bits // substrings)
        self._index.nflip = flips

    def add(self, codes: np.ndarray) -> None:
        if len(codes):
            self._index.add(np.ascontiguousarray(codes, dtype=np.uint8))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def search_within(self, queries: np.ndarray, max_distance: int) -> SearchResult:
        if max_distance > self.exact_radius:
            raise ValueError(f"multi-index hashing is exact only up to distance {self.exact_radius}")
        if self.size == 0 or len(queries) == 0:
            return np.zeros(len(queries) + 1, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)
        return self._index.range_search(np.ascontiguousarray(queries, dtype=np.uint8), max_distance + 1)


class NumpyHammingIndex:
    """Brute force in numpy: XOR as 64-bit words, popcount, compare (the baseline)."""

    def __init__(self, bits: int) -> None:
        self.bits = bits
        self._words = np.zeros((0, bits // 64), dtype=np.uint64)

    def add(self, codes: np.ndarray) -> None:
        words = np.ascontiguousarray(codes, dtype=np.uint8).view(np.uint64).reshape(len(codes), -1)
        self._words = np.concatenate([self._words, words]) if len(self._words) else words

    @property
    def size(self) -> int:
        return len(self._words)

    def distances(self, query: np.ndarray) -> np.ndarray:
        """Distance of one query code to every code in the index."""
        q = np.ascontiguousarray(query, dtype=np.uint8).view(np.uint64)
        return np.bitwise_count(self._words ^ q).sum(axis=1, dtype=np.int32)

    def search_within(self, queries: np.ndarray, max_distance: int) -> SearchResult:
        lims = [0]
        all_d: list[np.ndarray] = []
        all_i: list[np.ndarray] = []
        for query in queries:
            d = self.distances(query) if self.size else np.zeros(0, np.int32)
            hits = np.nonzero(d <= max_distance)[0]
            all_d.append(d[hits])
            all_i.append(hits.astype(np.int64))
            lims.append(lims[-1] + len(hits))
        empty_d, empty_i = np.zeros(0, np.int32), np.zeros(0, np.int64)
        return (
            np.array(lims, dtype=np.int64),
            np.concatenate(all_d) if all_d else empty_d,
            np.concatenate(all_i) if all_i else empty_i,
        )
