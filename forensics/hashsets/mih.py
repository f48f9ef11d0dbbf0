"""Exact multi-index hashing (MIH) in numpy, vectorised over a batch of queries.

The ``bits`` of a code are cut into ``substrings`` contiguous parts of nearly equal width. For each part a
table maps every possible value of the part (direct addressing over ``2**width`` buckets) to the ids of
the codes holding it, in CSR form: ``ids`` sorted by bucket and ``offsets[bucket] : offsets[bucket + 1]``.

Exactness (generalised pigeonhole): if part ``j`` is probed with every value within ``flips[j]`` bits of the
query's part and ``sum(flips[j] + 1) > r``, a code within Hamming distance ``r`` of the query agrees with it
to within ``flips[j]`` bits on at least one part ``j``, so it is among the candidates. Every candidate is
then checked with its full distance, so the answer is exactly the set of codes within ``r``: no
approximation, no false hit. A radius the layout cannot cover is refused.

Real lists are not uniform (duplicates, near-blank images share buckets), so the number of candidates of
each query is counted from the offsets before anything is gathered; a query whose candidates would cost
more than scanning the whole list is answered by a flat scan instead (same exact answer, bounded work).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from math import comb

import numpy as np

SearchResult = tuple[np.ndarray, np.ndarray, np.ndarray]  # lims, distances, labels (faiss layout)

MAX_PROBES = 1 << 16  # probes per query past which a flat scan is the better tool (the radius is refused)
MAX_WIDTH = 24  # a 2**24-bucket offsets table is 64 MiB: wider parts would cost more memory than they save
QUERY_BLOCK = 1024  # queries whose probes are computed together (and the unit handed to a thread)
# Threads of one search at most: each holds a block's temporary arrays (up to about 40 MiB), so a server's
# many cores do not multiply the memory of a search without bound.
MAX_THREADS = 8
CANDIDATE_BUDGET = 1 << 18  # candidates verified in one numpy pass: about 35 MiB of temporary arrays
FLAT_SCAN_BLOCK = 1 << 20  # codes per step of the flat-scan fallback
# A gathered candidate (random access) costs about this many flat-scanned codes (sequential). Measured with
# bench/bench_hashsets.py at 1e7 PDQ codes: ~140 CPU ns per candidate (966 q/s, ~7,300 candidates a query)
# against ~45 ns per scanned code (numpy brute force, 2.2 q/s). More candidates than size / 3: flat scan.
CANDIDATE_COST_IN_SCANNED_CODES = 3


@dataclass(frozen=True)
class MihLayout:
    """How the code is cut: ``substrings`` parts of nearly equal width (wider ones first)."""

    bits: int
    substrings: int

    def __post_init__(self) -> None:
        if self.bits % 64 or self.bits <= 0:
            raise ValueError(f"code length must be a multiple of 64 bits, not {self.bits}")
        if not 1 <= self.substrings <= self.bits:
            raise ValueError(f"cannot cut {self.bits} bits into {self.substrings} parts")
        if max(self.widths) > MAX_WIDTH:
            raise ValueError(f"parts of {max(self.widths)} bits need too large tables (max {MAX_WIDTH})")

    @cached_property
    def widths(self) -> tuple[int, ...]:
        base, extra = divmod(self.bits, self.substrings)
        return tuple(base + 1 if j < extra else base for j in range(self.substrings))

    @cached_property
    def starts(self) -> tuple[int, ...]:
        return tuple(int(s) for s in np.cumsum((0,) + self.widths[:-1]))

    def flips_for(self, radius: int) -> tuple[int, ...]:
        """Flips per part for an exact search at ``radius`` (refused past :attr:`max_radius`)."""
        flips = self._flips(radius)
        if flips is None:
            raise ValueError(
                f"radius {radius} is beyond what multi-index hashing over {self.substrings} parts of "
                f"{self.bits} bits searches efficiently (largest: {self.max_radius})"
            )
        return flips

    def covers(self, radius: int) -> bool:
        """Whether ``radius`` is searched (exactly) within the probe budget."""
        return self._flips(radius) is not None

    @cached_property
    def max_radius(self) -> int:
        """The largest radius searched (exactly) within the probe budget."""
        radius = 0
        while radius < self.bits and self.covers(radius + 1):
            radius += 1
        return radius

    def probes(self, radius: int) -> int:
        """Bucket look-ups per query at ``radius``."""
        return self._probe_count(self.flips_for(radius))

    def _probe_count(self, flips: tuple[int, ...]) -> int:
        return sum(sum(comb(w, k) for k in range(f + 1)) for w, f in zip(self.widths, flips, strict=True))

    def _flips(self, radius: int) -> tuple[int, ...] | None:
        """Fewest flips per part with ``sum(flips + 1) > radius`` (extra flips to the wider parts)."""
        if radius < 0:
            raise ValueError("radius must be >= 0")
        needed = max(0, radius + 1 - self.substrings)  # sum of flips required
        base, extra = divmod(needed, self.substrings)
        flips = tuple(base + 1 if j < extra else base for j in range(self.substrings))
        if any(f > w for f, w in zip(flips, self.widths, strict=True)):
            return None
        return flips if self._probe_count(flips) <= MAX_PROBES else None


def code_words(codes: np.ndarray) -> np.ndarray:
    """``uint8[n, bytes]`` codes as ``uint64[n, bytes // 8]`` words (a view when already contiguous)."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    if codes.ndim != 2 or codes.shape[1] % 8:
        raise ValueError(f"codes must be uint8[n, 8k], got shape {codes.shape}")
    return codes.view(np.uint64)


def substring_keys(words: np.ndarray, start: int, width: int) -> np.ndarray:
    """Bits ``start .. start + width`` of each code (bit ``p`` is bit ``p % 64`` of word ``p // 64``)."""
    word, shift = divmod(start, 64)
    value = words[:, word] >> np.uint64(shift)
    if shift + width > 64:
        value = value | (words[:, word + 1] << np.uint64(64 - shift))
    return (value & np.uint64((1 << width) - 1)).astype(np.uint32)


def flip_masks(width: int, flips: int) -> np.ndarray:
    """Every XOR mask of at most ``flips`` set bits within ``width`` bits (0 first)."""
    masks = [0]
    for count in range(1, flips + 1):
        masks.extend(sum(1 << b for b in chosen) for chosen in combinations(range(width), count))
    return np.array(masks, dtype=np.uint32)


def hamming_distances(words: np.ndarray, query_words: np.ndarray) -> np.ndarray:
    """Row-wise Hamming distances between two equally long ``uint64[k, w]`` arrays."""
    return np.bitwise_count(words ^ query_words).sum(axis=1, dtype=np.int32)


def _budget_slices(counts: np.ndarray, budget: int) -> Iterator[slice]:
    """Consecutive slices of ``counts`` whose sums stay within ``budget`` (or hold a single row)."""
    ends = np.cumsum(counts)
    begin = 0
    while begin < len(counts):
        base = ends[begin - 1] if begin else 0
        stop = int(np.searchsorted(ends, base + budget, side="right"))
        stop = max(stop, begin + 1)
        yield slice(begin, stop)
        begin = stop


class MultiIndexHashIndex:
    """Exact radius search over binary codes with multi-index hashing (see the module docstring)."""

    def __init__(self, bits: int, substrings: int = 12) -> None:
        self.layout = MihLayout(bits, substrings)
        self.bits = bits
        self._words = np.zeros((0, bits // 64), dtype=np.uint64)
        self._ids: list[np.ndarray] = []
        self._offsets: list[np.ndarray] = []

    # -- building and persisting -------------------------------------------------------------------

    def add(self, codes: np.ndarray) -> None:
        """Index ``codes`` (``uint8[n, bits / 8]``); adding again rebuilds over all codes."""
        words = code_words(codes)
        if words.shape[1] * 64 != self.bits:
            raise ValueError(f"codes of {words.shape[1] * 64} bits added to a {self.bits}-bit index")
        if len(self._words):
            words = np.concatenate([self._words, words])
        self._words = words
        self._ids, self._offsets = [], []
        for start, width in zip(self.layout.starts, self.layout.widths, strict=True):
            keys = substring_keys(words, start, width)
            id_dtype = np.uint32 if len(words) < 2**32 else np.uint64
            self._ids.append(np.argsort(keys).astype(id_dtype))
            offsets = np.zeros((1 << width) + 1, dtype=np.int64)
            np.cumsum(np.bincount(keys, minlength=1 << width), out=offsets[1:])
            self._offsets.append(offsets.astype(id_dtype))

    def arrays(self) -> dict[str, np.ndarray]:
        """The index as named arrays (what :mod:`forensics.hashsets.index_cache` stores)."""
        named = {"words": self._words}
        for j, (ids, offsets) in enumerate(zip(self._ids, self._offsets, strict=True)):
            named[f"ids_{j}"] = ids
            named[f"offsets_{j}"] = offsets
        return named

    @classmethod
    def from_arrays(cls, bits: int, substrings: int, arrays: dict[str, np.ndarray]) -> MultiIndexHashIndex:
        """An index over arrays written by :meth:`arrays` (memory-mapped ones are used in place)."""
        index = cls(bits, substrings)
        words = arrays["words"]
        if words.ndim != 2 or words.shape[1] * 64 != bits or words.dtype != np.uint64:
            raise ValueError("stored codes do not fit the index layout")
        index._words = words
        for j, width in enumerate(index.layout.widths):
            ids, offsets = arrays[f"ids_{j}"], arrays[f"offsets_{j}"]
            if ids.shape != (len(words),) or offsets.shape != ((1 << width) + 1,):
                raise ValueError(f"stored table {j} does not fit the index layout")
            if len(words) and int(offsets[-1]) != len(words):
                raise ValueError(f"stored table {j} does not cover every code")
            index._ids.append(ids)
            index._offsets.append(offsets)
        return index

    @property
    def size(self) -> int:
        return len(self._words)

    @property
    def nbytes(self) -> int:
        """Bytes of all arrays of the index (codes and tables)."""
        return sum(a.nbytes for a in self.arrays().values())

    # -- searching --------------------------------------------------------------------------------

    def search_within(
        self, queries: np.ndarray, max_distance: int, threads: int | None = None
    ) -> SearchResult:
        """Every code at distance <= ``max_distance`` of each query, faiss-style ``(lims, D, I)``.

        Blocks of queries are searched on ``threads`` threads (default: one per core, at most
        :data:`MAX_THREADS`; numpy releases the interpreter lock in the gathers and popcounts that make up
        the work). The answer does not depend on the number of threads.
        """
        query_words = code_words(queries) if len(queries) else np.zeros((0, self.bits // 64), np.uint64)
        if query_words.shape[1] * 64 != self.bits:
            raise ValueError(f"queries of {query_words.shape[1] * 64} bits against a {self.bits}-bit index")
        flips = self.layout.flips_for(max_distance)
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if self.size:
            masks = [flip_masks(w, f) for w, f in zip(self.layout.widths, flips, strict=True)]
            begins = range(0, len(query_words), QUERY_BLOCK)

            def search(begin: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
                block = query_words[begin : begin + QUERY_BLOCK]
                return [(q + begin, i, d) for q, i, d in self._search_block(block, masks, max_distance)]

            workers = min(len(begins), max(1, threads or min(os.cpu_count() or 1, MAX_THREADS)))
            if workers > 1:
                with ThreadPoolExecutor(workers, thread_name_prefix="mih") as pool:
                    for hits in pool.map(search, begins):
                        found.extend(hits)
            else:
                for begin in begins:
                    found.extend(search(begin))
        return _as_result(
            len(query_words),
            self.size,
            [q for q, _, _ in found],
            [i for _, i, _ in found],
            [d for *_, d in found],
        )

    def _search_block(
        self, block: np.ndarray, masks: list[np.ndarray], radius: int
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(query, id, distance)`` arrays of the hits of a block of queries (duplicates possible)."""
        probed: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # per part: query, bucket start, count
        per_query = np.zeros(len(block), dtype=np.int64)
        for j, (start, width) in enumerate(zip(self.layout.starts, self.layout.widths, strict=True)):
            keys = (substring_keys(block, start, width)[:, None] ^ masks[j][None, :]).ravel()
            offsets = self._offsets[j]
            starts = offsets[keys]
            counts = offsets[keys + np.uint32(1)] - starts
            nonempty = np.flatnonzero(counts)  # most buckets probed are empty: only the others go on
            owners = nonempty // len(masks[j])
            counts = counts[nonempty].astype(np.int64)
            per_query += np.bincount(owners, weights=counts, minlength=len(block)).astype(np.int64)
            probed.append((owners, starts[nonempty].astype(np.int64), counts))
        flat = per_query * CANDIDATE_COST_IN_SCANNED_CODES > self.size
        if flat.any():
            for q in np.flatnonzero(flat):
                yield self._flat_scan(int(q), block[q], radius)
            probed = [(o[~flat[o]], s[~flat[o]], c[~flat[o]]) for o, s, c in probed]
        for j, (owners, starts, counts) in enumerate(probed):
            if not len(counts):
                continue
            whole = int(counts.sum()) <= CANDIDATE_BUDGET
            for part in (slice(None),) if whole else _budget_slices(counts, CANDIDATE_BUDGET):
                yield self._verify(j, block, owners[part], starts[part], counts[part], radius)

    def _verify(
        self,
        j: int,
        block: np.ndarray,
        queries: np.ndarray,
        starts: np.ndarray,
        counts: np.ndarray,
        radius: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gather the candidates of these probes of part ``j`` and keep those within ``radius``.

        The first 128 bits are measured for every candidate; the rest only for those still within
        ``radius`` there (a random candidate is about 64 bits off in the first 128 alone).
        """
        ends = np.cumsum(counts)
        positions = np.arange(int(ends[-1]), dtype=np.int64) + np.repeat(starts - (ends - counts), counts)
        candidates = self._ids[j][positions]
        owners = np.repeat(queries, counts)
        words = self._words
        near = np.bitwise_count(words[candidates, 0] ^ block[owners, 0]).astype(np.int16)
        if words.shape[1] > 1:
            near += np.bitwise_count(words[candidates, 1] ^ block[owners, 1])
        kept = np.flatnonzero(near <= radius)
        candidates, owners = candidates[kept], owners[kept]
        distances = hamming_distances(words[candidates], block[owners])
        hit = distances <= radius
        return owners[hit], candidates[hit].astype(np.int64), distances[hit]

    def _flat_scan(self, q: int, query: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exact answer for one query by scanning every code (used when candidates would cost more)."""
        ids: list[np.ndarray] = []
        distances: list[np.ndarray] = []
        for begin in range(0, self.size, FLAT_SCAN_BLOCK):
            d = hamming_distances(self._words[begin : begin + FLAT_SCAN_BLOCK], query[None, :])
            hits = np.nonzero(d <= radius)[0]
            ids.append(hits + begin)
            distances.append(d[hits])
        found_i = np.concatenate(ids).astype(np.int64)
        return np.full(len(found_i), q, dtype=np.int64), found_i, np.concatenate(distances)


def _as_result(
    query_count: int, size: int, qs: list[np.ndarray], ids: list[np.ndarray], ds: list[np.ndarray]
) -> SearchResult:
    """Deduplicated hits sorted by query then id, in faiss's ``(lims, distances, labels)`` layout."""
    if not qs:
        return np.zeros(query_count + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int64)
    q = np.concatenate(qs).astype(np.int64)
    i = np.concatenate(ids)
    d = np.concatenate(ds).astype(np.int32)
    keys, first = np.unique(q * max(size, 1) + i, return_index=True)
    owners = keys // max(size, 1)
    lims = np.searchsorted(owners, np.arange(query_count + 1), side="left").astype(np.int64)
    return lims, d[first], keys % max(size, 1)
