"""Hamming-radius search over binary codes (PDQ 256-bit, pHash/dHash 64-bit).

Every index here is exact. :class:`~forensics.hashsets.mih.MultiIndexHashIndex` (own multi-index hashing
in numpy, batched over queries) is the one used for lists of any size worth indexing;
:class:`FaissHammingIndex` (``IndexBinaryFlat``, exhaustive SIMD popcount) serves tiny lists and radii
multi-index hashing would not search efficiently. :class:`FaissMultiHashIndex` (faiss's own multi-index
hashing) and :class:`NumpyHammingIndex` (brute force) are kept as measured and cross-checked baselines.
:func:`choose_index` picks by the measurements in ``BENCHMARKS.md`` ("Hash sets").
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from forensics.hashsets.mih import MihLayout, MultiIndexHashIndex

SearchResult = tuple[np.ndarray, np.ndarray, np.ndarray]  # lims, distances, labels (faiss layout)


class HammingIndex(Protocol):
    """Codes added as ``uint8[n, bytes]``; radius search returns faiss-style ``(lims, D, I)``."""

    def add(self, codes: np.ndarray) -> None: ...

    def search_within(self, queries: np.ndarray, max_distance: int) -> SearchResult: ...

    @property
    def size(self) -> int: ...


class FaissHammingIndex:
    """Exact exhaustive search with faiss's binary flat index."""

    def __init__(self, bits: int) -> None:
        import faiss

        self.bits = bits
        self._index = faiss.IndexBinaryFlat(bits)

    def add(self, codes: np.ndarray) -> None:
        if len(codes):
            self._index.add(np.ascontiguousarray(codes, dtype=np.uint8))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def search_within(self, queries: np.ndarray, max_distance: int) -> SearchResult:
        """Every code at distance <= ``max_distance`` of each query (faiss's radius is exclusive)."""
        if self.size == 0 or len(queries) == 0:
            return np.zeros(len(queries) + 1, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)
        lims, distances, labels = self._index.range_search(
            np.ascontiguousarray(queries, dtype=np.uint8), max_distance + 1
        )
        return lims, distances, labels


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


# Below this many codes the flat index is kept: it answers over 10,000 PDQ queries per CPU second there, so
# a case costs seconds either way, and it needs no tables and no cache entry. (Own multi-index hashing is
# faster at every size measured: 87,600 vs 10,100 q/s at 10,000 codes, 71,000 vs 11,800 at 20,000.)
MULTI_HASH_MIN_SIZE = 10_000
# Own multi-index hashing: 16 x 16-bit parts below this many PDQ codes, 12 x 21/22-bit parts from it on.
WIDE_PARTS_MIN_SIZE = 500_000


def mih_substrings(bits: int, size: int) -> int:
    """Parts of the multi-index hashing layout measured fastest for codes of ``bits`` at ``size``."""
    if bits == 256:
        return 12 if size >= WIDE_PARTS_MIN_SIZE else 16
    return max(1, bits // 16)


def choose_index(bits: int, size: int, max_distance: int) -> HammingIndex:
    """The index measured fastest for this shape (bench/bench_hashsets.py, BENCHMARKS.md "Hash sets")."""
    if size >= MULTI_HASH_MIN_SIZE and bits % 64 == 0:
        layout = MihLayout(bits, mih_substrings(bits, size))
        if layout.covers(max_distance):
            return MultiIndexHashIndex(bits, layout.substrings)
    return FaissHammingIndex(bits)
