"""Helpers shared by the Hamming-index tests: a code a few bits away, and results as comparable sets."""

from __future__ import annotations

import numpy as np


def near_code(code: np.ndarray, flips: int, rng: np.random.Generator) -> np.ndarray:
    """``code`` (packed uint8) with ``flips`` distinct bits flipped."""
    bits = np.unpackbits(code)
    bits[rng.choice(len(bits), flips, replace=False)] ^= 1
    return np.packbits(bits)


def result_sets(lims: np.ndarray, distances: np.ndarray, labels: np.ndarray) -> list[set[tuple[int, int]]]:
    """A faiss-layout radius search result as one set of (label, distance) per query."""
    return [
        {
            (int(i), int(d))
            for i, d in zip(labels[lims[q] : lims[q + 1]], distances[lims[q] : lims[q + 1]], strict=True)
        }
        for q in range(len(lims) - 1)
    ]
