"""Shannon entropy of a byte string, to point at encrypted or compressed content."""

from __future__ import annotations

import numpy as np

# Below this many bytes the estimate is biased low (at most log2(n) bits) and says little.
MIN_BYTES_FOR_ENTROPY_VERDICT = 4096
# Random or well-compressed data of 4 KiB or more measures about 7.95 bits/byte or higher.
HIGH_ENTROPY_BITS = 7.9


def shannon_entropy(data: bytes) -> float | None:
    """Bits per byte (0.0-8.0) of ``data``; None for empty input."""
    if not data:
        return None
    counts = np.bincount(np.frombuffer(data, dtype=np.uint8), minlength=256)
    probabilities = counts[counts > 0] / len(data)
    # ``+ 0.0`` turns the -0.0 of a single repeated byte into 0.0: SQLite stores both as 0, PostgreSQL
    # keeps the sign, and listings must not differ by the database that holds them.
    return float(-(probabilities * np.log2(probabilities)).sum()) + 0.0


def looks_high_entropy(entropy: float | None, length: int) -> bool:
    """True when enough bytes were measured and they look random (encrypted or compressed)."""
    return entropy is not None and length >= MIN_BYTES_FOR_ENTROPY_VERDICT and entropy >= HIGH_ENTROPY_BITS
