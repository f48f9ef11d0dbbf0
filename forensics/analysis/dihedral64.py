"""pHash and dHash (imagehash 4.3.2, 64 bits) of a picture and of its 7 rotations and flips, in one pass.

Variant *k* is the hash of the picture after the *k*-th transform of PDQ's dihedral order, the same
Pillow transposes that give PDQ's variants (docs/analysis.md): original, ``ROTATE_90``, ``ROTATE_180``,
``ROTATE_270``, ``FLIP_TOP_BOTTOM``, ``FLIP_LEFT_RIGHT``, ``TRANSPOSE``, ``TRANSVERSE``. The picture is
resized once (pHash: 32 x 32; dHash: 9 x 8 and 8 x 9, Lanczos as imagehash) and the small arrays are
turned, so the 8 variants cost little more than the two hashes. Variant 0 is bit for bit
``imagehash.phash``/``imagehash.dhash`` of the picture; a turned variant equals imagehash of the turned
picture within a bit or two (Pillow rounds between its two resize passes).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.fftpack
from PIL import Image

PHASH_SIDE = 32  # imagehash: hash_size 8 x highfreq_factor 4
HASH_SIDE = 8
VARIANT_COUNT = 8
TALL_SOURCE_SIDE = 64  # the 8 x 9 resize reads a copy box-reduced to about this short side

# The 8 dihedral transforms of a 2-D array, in PDQ's order (each equals the Pillow transpose named).
TRANSFORMS: tuple[Callable[[np.ndarray], np.ndarray], ...] = (
    lambda a: a,
    lambda a: np.rot90(a, 1),  # ROTATE_90 (counter-clockwise)
    lambda a: np.rot90(a, 2),  # ROTATE_180
    lambda a: np.rot90(a, 3),  # ROTATE_270
    lambda a: a[::-1, :],  # FLIP_TOP_BOTTOM
    lambda a: a[:, ::-1],  # FLIP_LEFT_RIGHT
    lambda a: a.T,  # TRANSPOSE
    lambda a: a[::-1, ::-1].T,  # TRANSVERSE
)
# Transforms that swap width and height (their dHash needs the 8-wide, 9-high resize).
SWAPS_AXES = (False, True, False, True, False, False, True, True)


def bits_to_bytes(bits: np.ndarray) -> bytes:
    """A flat 0/1 vector, first element most significant, as big-endian bytes."""
    return np.packbits(np.asarray(bits, dtype=bool)).tobytes()


def _phash_bits(pixels: np.ndarray) -> np.ndarray:
    dct = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)
    low = dct[:HASH_SIDE, :HASH_SIDE]
    return (low > np.median(low)).ravel()


def _dhash_bits(pixels: np.ndarray) -> np.ndarray:
    return (pixels[:, 1:] > pixels[:, :-1]).ravel()


def dihedral64(grey: Image.Image) -> tuple[bytes, bytes]:
    """(pHash variants, dHash variants) of a greyscale ("L") picture: each 8 x 8 bytes, PDQ's order."""
    if grey.mode != "L":
        grey = grey.convert("L")
    lanczos = Image.Resampling.LANCZOS
    square = np.asarray(grey.resize((PHASH_SIDE, PHASH_SIDE), lanczos))
    wide = np.asarray(grey.resize((HASH_SIDE + 1, HASH_SIDE), lanczos))  # 9 wide, 8 high
    # 8 wide, 9 high, for the turned variants only: from a box-reduced copy, which spares a full Lanczos
    # pass over the picture (those variants are within a bit or two of imagehash either way).
    small = (
        grey.reduce(max(1, min(grey.size) // TALL_SOURCE_SIDE)) if min(grey.size) > TALL_SOURCE_SIDE else grey
    )
    tall = np.asarray(small.resize((HASH_SIDE, HASH_SIDE + 1), lanczos))
    turned = np.stack([turn(square) for turn in TRANSFORMS]).astype(np.float64)
    dct = scipy.fftpack.dct(scipy.fftpack.dct(turned, axis=1), axis=2)[:, :HASH_SIDE, :HASH_SIDE]
    low = dct.reshape(len(TRANSFORMS), -1)
    bits = low > np.median(low, axis=1, keepdims=True)
    phashes = [bits_to_bytes(row) for row in bits]
    dhashes = [
        bits_to_bytes(_dhash_bits(turn(tall if swaps else wide)))
        for turn, swaps in zip(TRANSFORMS, SWAPS_AXES, strict=True)
    ]
    return b"".join(phashes), b"".join(dhashes)


def split64(blob: bytes) -> list[str]:
    """The 8 stored 64-bit variants as 16-hex strings."""
    return [blob[i : i + 8].hex() for i in range(0, len(blob), 8)]
