"""Decode one still image (first frame) once, with bounded memory: pixel caps, JPEG DCT scaling.

The pixels are kept as stored: EXIF orientation is NOT applied here (see docs/analysis.md); the
orientation value travels with the decoded image so that the thumbnail can be shown upright.
"""

from __future__ import annotations

import io
import math
import threading
import time
import warnings
from dataclasses import dataclass

import pillow_heif
from PIL import Image, ImageFile, JpegImagePlugin

from forensics.analysis.options import AnalysisOptions
from forensics.analysis.problems import describe
from forensics.analysis.results import ImageInfo

pillow_heif.register_heif_opener()

# Only the still-image decoders we need: fewer native parsers exposed to hostile input. (Pillow 13
# opens multi-picture JPEGs, MPO, through its JPEG plugin.)
DECODE_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "DIB", "TIFF", "WEBP", "HEIF", "AVIF")
_DRAFT_SCALES = (1, 2, 4, 8)
_ORIENTATION_TAG = 0x0112
_truncated_lock = threading.Lock()


class Deadline:
    """A cooperative per-image time budget, checked between stages."""

    def __init__(self, seconds: float) -> None:
        self.ends = time.monotonic() + seconds

    def expired(self) -> bool:
        return time.monotonic() > self.ends


@dataclass
class DecodedImage:
    """A loaded first frame (pixels as stored), its facts, and the EXIF orientation (1-8) if any."""

    image: Image.Image
    info: ImageInfo
    orientation: int | None


def choose_draft_scale(width: int, height: int, options: AnalysisOptions) -> int | None:
    """JPEG DCT scale (1, 2, 4, 8) to decode at; None when even 1/8 exceeds the pixel cap."""
    pixels = width * height
    needed = next((s for s in _DRAFT_SCALES if pixels / (s * s) <= options.max_pixels), None)
    if needed is None:
        return None
    wanted = 1
    if options.reduced_decode:
        short_side = min(width, height)
        wanted = max(s for s in _DRAFT_SCALES if s == 1 or short_side // s >= options.draft_min_side)
    return max(needed, wanted)


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=DECODE_FORMATS)


def draft_mode(image: Image.Image, options: AnalysisOptions) -> str:
    """Mode "L" for a reduced decode that only feeds the hashes (no colour work in libjpeg), else as stored.

    pHash, dHash and the blank test read luminance anyway; PDQ weighs RGB into luma with the same weights
    as JPEG's own luminance, so its hash moves by a bit or two at most (tests/analysis/test_analysis_luma.py).
    """
    if options.reduced_decode and "thumbnail" not in options.tasks:
        return "L"
    return image.mode


def _apply_draft(image: Image.Image, scale: int, mode: str) -> None:
    if scale > 1 or mode != image.mode:  # Pillow only turns a colour (YCbCr) JPEG into "L"; others stay
        width, height = image.size
        image.draft(mode, (width // scale, height // scale))


def _load(data: bytes, image: Image.Image, scale: int, mode: str) -> tuple[Image.Image, bool]:
    """Scale and load the opened image; retry a truncated file leniently. Returns (image, truncated)."""
    _apply_draft(image, scale, mode)
    try:
        image.load()
        return image, False
    except OSError as exc:
        if "truncated" not in str(exc) and "broken data stream" not in str(exc):
            raise
    with _truncated_lock:  # Pillow only offers a process-wide switch for this
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = True
        try:
            image = _open(data)
            _apply_draft(image, scale, mode)
            image.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous
    return image, True


def _reduce_to_cap(image: Image.Image, max_pixels: int) -> Image.Image:
    """The image box-reduced by the smallest integer factor that brings it under ``max_pixels``."""
    pixels = image.size[0] * image.size[1]
    if pixels <= max_pixels:
        return image
    factor = math.ceil(math.sqrt(pixels / max_pixels))
    if image.mode in ("P", "1"):  # no box reduce for palette/bilevel pixels
        image = image.convert("RGBA" if image.mode == "P" else "L")
    return image.reduce(factor)


def _orientation(image: Image.Image) -> int | None:
    try:
        with warnings.catch_warnings():  # Pillow warns on corrupt EXIF; ExifRead reports those
            warnings.simplefilter("ignore")
            value = image.getexif().get(_ORIENTATION_TAG)
    except Exception:  # a broken EXIF block must not cost the pixels
        return None
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def decode_image(
    data: bytes, options: AnalysisOptions
) -> tuple[DecodedImage | None, ImageInfo | None, list[str]]:
    """Decode the first frame within the limits. Returns (decoded or None, facts or None, warnings)."""
    problems: list[str] = []
    try:
        header = _open(data)
    except Image.DecompressionBombError as exc:
        return None, ImageInfo(None, None, None, None, too_large=True), [describe("image not decoded", exc)]
    except Exception as exc:
        return None, None, [describe("image not decodable", exc)]
    width, height = header.size
    facts = ImageInfo(header.format, header.mode, width, height)  # as stored, before any draft scaling
    if width <= 0 or height <= 0:
        return None, facts, [f"image has no pixels ({width}x{height})"]
    is_jpeg = isinstance(header, JpegImagePlugin.JpegImageFile)
    scale = choose_draft_scale(width, height, options) if is_jpeg else 1
    if scale is None or (not is_jpeg and width * height > options.max_decode_pixels):
        limit = options.max_pixels * 64 if is_jpeg else options.max_decode_pixels
        problems.append(
            f"image not decoded: {width}x{height} = {width * height / 1e6:.0f} MP exceeds the limit of "
            f"{limit / 1e6:.0f} MP (possible decompression bomb)"
        )
        return None, ImageInfo(header.format, header.mode, width, height, too_large=True), problems
    try:
        mode = draft_mode(header, options) if is_jpeg else header.mode
        image, truncated = _load(data, header, scale, mode)  # the header's parse is reused, not repeated
        orientation = _orientation(image)  # read before a reduce, which drops the file's metadata
        if not is_jpeg:
            image = _reduce_to_cap(image, options.max_pixels)
    except Exception as exc:
        return None, facts, [describe("image not decodable", exc)]
    if truncated:
        problems.append("image data truncated or corrupt: decoded leniently, missing area filled grey")
    decoded_scale = max(1, round(width / image.size[0])) if image.size[0] else 1
    info = ImageInfo(facts.format, facts.mode, width, height, decoded_scale, truncated=truncated)
    return DecodedImage(image, info, orientation), info, problems
