"""Perceptual hashes of a decoded image: imagehash pHash/dHash and PDQ with its 8 dihedral variants.

PDQ input follows python-threatexchange (``pdq_hasher``): RGB and L images as arrays (L stacked to
three channels), LA and every other mode converted to RGB first (its ``force_rgb`` path, used for
16-bit images). The bit vector is read in order as one big-endian number, written as 64 hex digits.
"""

from __future__ import annotations

import numpy as np
import pdqhash
from PIL import Image

from forensics.analysis.dihedral64 import dihedral64
from forensics.analysis.memory_gate import heavy_section
from forensics.analysis.options import AnalysisOptions
from forensics.analysis.pdq_grey import available as grey_pdq_available
from forensics.analysis.pdq_grey import pdq_dihedral_from_grey
from forensics.analysis.results import PerceptualHashes

_BLANK_PROBE_SIZE = (64, 64)
# Reduced decode (triage): pHash and dHash are computed from a copy at most this wide and high (box filter),
# which spares imagehash's Lanczos resize most of its work; measured <= 2 bits from the full decode.
REDUCED_HASH_SIDE = 512


def pdq_input(image: Image.Image) -> np.ndarray:
    """A uint8 H x W x 3 array with the values python-threatexchange would give pdqhash for this image."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    array = np.ascontiguousarray(np.asarray(image), dtype=np.uint8)
    if array.ndim == 2:  # the grey plane seen three times (a read-only view, no copy): same hash as a stack
        array = np.lib.stride_tricks.as_strided(
            array, shape=(*array.shape, 3), strides=(*array.strides, 0), writeable=False
        )
    return array


def bits_to_bytes(bits: np.ndarray) -> bytes:
    """A 0/1 vector whose length is a multiple of 8, first element most significant, as big-endian bytes."""
    flags = np.asarray(bits) != 0
    if flags.ndim != 1 or flags.size % 8:
        raise ValueError(f"expected a flat bit vector of whole bytes, got shape {flags.shape}")
    return np.packbits(flags).tobytes()


def bits_to_hex(bits: np.ndarray) -> str:
    """A 0/1 vector, first element most significant, as zero-padded lowercase hex."""
    if len(bits) % 8 == 0:
        return bits_to_bytes(bits).hex()
    value = int("".join("1" if b else "0" for b in bits), 2)
    return f"{value:0{(len(bits) + 3) // 4}x}"


def pdq_with_dihedral(image: Image.Image) -> tuple[str, int, bytes]:
    """(PDQ hex, quality, the 8 dihedral hashes as 8 x 32 bytes) in one pdqhash pass.

    A greyscale picture goes to pdqhash's C++ code as float32 luminance (:mod:`pdq_grey`, same hashes).
    """
    if image.mode == "L" and grey_pdq_available():
        blobs, quality = pdq_dihedral_from_grey(np.asarray(image))
        return blobs[0].hex(), quality, b"".join(blobs)
    vectors, quality = pdqhash.compute_dihedral(pdq_input(image))
    blobs = [bits_to_bytes(v) for v in vectors]
    return blobs[0].hex(), int(quality), b"".join(blobs)


def split_dihedral(blob: bytes) -> list[str]:
    """The 8 dihedral PDQ hashes stored in ``file_analysis.pdq_dihedral`` as hex strings."""
    return [blob[i : i + 32].hex() for i in range(0, len(blob), 32)]


def _grey(image: Image.Image) -> Image.Image:
    # imagehash converts to "L" itself; doing it once here gives identical hashes for both functions.
    return image if image.mode == "L" else image.convert("L")


def _within(grey: Image.Image, side: int) -> Image.Image:
    """``grey`` box-reduced to fit ``side`` x ``side`` (aspect kept), or itself when it already fits."""
    width, height = grey.size
    if max(width, height) <= side:
        return grey
    scale = side / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return grey.resize(size, Image.Resampling.BOX)


def is_blank(grey: Image.Image, max_stddev: float) -> bool:
    """True when the luminance hardly varies (a solid or near-solid picture)."""
    probe = np.asarray(grey.resize(_BLANK_PROBE_SIZE, Image.Resampling.BOX), dtype=np.float32)
    return float(probe.std()) <= max_stddev


def hash_grey(image: Image.Image, options: AnalysisOptions, luma: Image.Image | None = None) -> Image.Image:
    """The greyscale copy that pHash, dHash and the blank test read (box-reduced in a reduced decode);
    ``luma``: the picture's full-size greyscale copy (:func:`luma_of`), when the caller made it."""
    grey = luma if luma is not None else _grey(image)
    return _within(grey, REDUCED_HASH_SIDE) if options.reduced_decode else grey


def luma_of(image: Image.Image) -> Image.Image:
    """The picture's greyscale ("L") copy at its decoded size (itself when it is greyscale already)."""
    return _grey(image)


def perceptual_hashes(
    image: Image.Image, options: AnalysisOptions, grey: Image.Image | None = None
) -> PerceptualHashes:
    """All perceptual hashes and flags for one decoded image (``grey``: its :func:`hash_grey`, if made).

    pHash and dHash are imagehash's, bit for bit, computed with their 8 dihedral variants
    (:mod:`dihedral64`).
    """
    grey = grey if grey is not None else hash_grey(image, options)
    with heavy_section(image.width * image.height):  # pdqhash's float64 luma: ~24 bytes per pixel (RGB)
        pdq, quality, dihedral = pdq_with_dihedral(image)
    phash_variants, dhash_variants = dihedral64(grey)
    return PerceptualHashes(
        phash=phash_variants[:8].hex(),
        dhash=dhash_variants[:8].hex(),
        pdq=pdq,
        pdq_quality=quality,
        pdq_dihedral=dihedral,
        too_small=min(image.size) < options.min_hash_side,
        blank=is_blank(grey, options.blank_stddev),
        low_quality=quality < options.pdq_quality_threshold,
        phash_dihedral=phash_variants,
        dhash_dihedral=dhash_variants,
    )
