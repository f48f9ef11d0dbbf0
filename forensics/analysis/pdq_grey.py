"""PDQ of a greyscale picture straight from float32 luminance, through the pdqhash binding's own C++ code.

``pdqhash.compute_dihedral`` takes an RGB array and builds the luminance in float64 in Python
(0.299 R + 0.587 G + 0.114 B, then float32): ~24 bytes per pixel and a few ms per photo. For a grey
picture that luminance is exactly the grey value as float32 (checked for all 256 values in the tests), so
the same C++ function (``pdqDihedralHash256esFromFloatLuma``, exported by the binding's module) is called
here with that float32 plane: identical hashes, a third of the memory. Absent the symbol (another
pdqhash build), :func:`available` is False and callers keep the pdqhash path.
"""

from __future__ import annotations

import ctypes
from functools import cache

import numpy as np

# C++ name of facebook::pdq::hashing::pdqDihedralHash256esFromFloatLuma(float*, float*, int, int,
# float[64][64], float[16][64], float[16][16], float[16][16], Hash256* x 8, int&) in pdqhash 0.2.x.
_SYMBOL = (
    "_ZN8facebook3pdq7hashing33pdqDihedralHash256esFromFloatLumaEPfS2_iiPA64_fS4_PA16_fS6_"
    "PNS1_7Hash256ES8_S8_S8_S8_S8_S8_S8_Ri"
)
# facebook::pdq::hashing::pdqHash256FromFloatLuma(float*, float*, int, int, float[64][64], float[16][64],
# float[16][16], Hash256&, int&): the one hash vPDQ computes per frame (no dihedral variants).
_SINGLE_SYMBOL = "_ZN8facebook3pdq7hashing23pdqHash256FromFloatLumaEPfS2_iiPA64_fS4_PA16_fRNS1_7Hash256ERi"
_HASH_WORDS = 16  # Hash256: 16 x uint16, word 0 least significant


@cache
def _entry_point():
    try:
        from pdqhash import bindings

        function = getattr(ctypes.CDLL(bindings.__file__), _SYMBOL)
    except (ImportError, OSError, AttributeError):
        return None
    function.restype = None
    pointer, size = ctypes.c_void_p, ctypes.c_int
    function.argtypes = [pointer, pointer, size, size] + [pointer] * 13  # 4 work buffers, 8 hashes, quality
    return function


@cache
def _single_entry_point():
    try:
        from pdqhash import bindings

        function = getattr(ctypes.CDLL(bindings.__file__), _SINGLE_SYMBOL)
    except (ImportError, OSError, AttributeError):
        return None
    function.restype = None
    function.argtypes = [ctypes.c_void_p] * 2 + [ctypes.c_int] * 2 + [ctypes.c_void_p] * 5
    return function


def available() -> bool:
    """Whether the installed pdqhash exports the function this path calls."""
    return _entry_point() is not None


def pdq_dihedral_from_grey(grey: np.ndarray) -> tuple[list[bytes], int]:
    """The 8 dihedral PDQ hashes (32 big-endian bytes each, pdqhash's order) and quality of a uint8 plane."""
    function = _entry_point()
    if function is None:
        raise RuntimeError("pdqhash does not export pdqDihedralHash256esFromFloatLuma")
    if grey.ndim != 2 or grey.dtype != np.uint8:
        raise ValueError(f"expected a 2-D uint8 plane, got {grey.dtype} {grey.shape}")
    rows, cols = grey.shape
    luma = np.ascontiguousarray(grey, dtype=np.float32)  # a new buffer: the C++ code works in place
    scratch = np.zeros_like(luma)
    buffers = [np.empty(shape, dtype=np.float32) for shape in ((64, 64), (16, 64), (16, 16), (16, 16))]
    hashes = np.zeros((8, _HASH_WORDS), dtype=np.uint16)
    quality = ctypes.c_int(0)
    function(
        luma.ctypes.data,
        scratch.ctypes.data,
        rows,
        cols,
        *(buffer.ctypes.data for buffer in buffers),
        *(hashes[i].ctypes.data for i in range(8)),
        ctypes.byref(quality),
    )
    return [words[::-1].astype(">u2").tobytes() for words in hashes], int(quality.value)


def pdq_from_grey(grey: np.ndarray) -> tuple[bytes, int]:
    """The PDQ hash (32 big-endian bytes) and quality of a uint8 plane, without the dihedral variants.

    This is what Meta's vPDQ computes per frame (``pdqHash256FromFloatLuma``). Without the exported
    symbol, pdqhash's own ``compute`` on the plane seen as RGB gives the same hash.
    """
    if grey.ndim != 2 or grey.dtype != np.uint8:
        raise ValueError(f"expected a 2-D uint8 plane, got {grey.dtype} {grey.shape}")
    function = _single_entry_point()
    if function is None:
        import pdqhash

        rgb = np.repeat(grey[:, :, None], 3, axis=2)
        vector, quality = pdqhash.compute(rgb)
        return np.packbits(np.asarray(vector) != 0).tobytes(), int(quality)
    rows, cols = grey.shape
    luma = np.ascontiguousarray(grey, dtype=np.float32)  # a new buffer: the C++ code works in place
    scratch = np.empty_like(luma)
    buffers = [np.empty(shape, dtype=np.float32) for shape in ((64, 64), (16, 64), (16, 16))]
    words = np.zeros(_HASH_WORDS, dtype=np.uint16)
    quality = ctypes.c_int(0)
    function(
        luma.ctypes.data,
        scratch.ctypes.data,
        rows,
        cols,
        *(buffer.ctypes.data for buffer in buffers),
        words.ctypes.data,
        ctypes.byref(quality),
    )
    return words[::-1].astype(">u2").tobytes(), int(quality.value)
