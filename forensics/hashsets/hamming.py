"""Hamming-radius search over binary codes (PDQ 256-bit, pHash/dHash 64-bit).

Every index here is exact. :class:`~forensics.hashsets.mih.MultiIndexHashIndex` (own multi-index hashing
in numpy, batched over queries) is the one used for lists of any size worth indexing;
:class:`FaissHammingIndex` (``IndexBinaryFlat``, exhaustive SIMD popcount) serves tiny lists and radii
multi-index hashing would not search efficiently. The baselines they were measured and cross-checked
against (faiss's own multi-index hashing, brute force in numpy) live in ``bench/baseline_indexes.py``.
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
