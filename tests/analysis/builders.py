"""Scripts that build the generated image fixtures of the analysis tests (never made by hand)."""

from __future__ import annotations

import io
import struct
import zlib
from fractions import Fraction

from PIL import Image, TiffImagePlugin


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def _png(header: bytes, pixel_data: bytes) -> bytes:
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixel_data) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def png_declaring(width: int, height: int, rows_of_data: int = 1) -> bytes:
    """A greyscale PNG whose header declares ``width`` x ``height`` but carries few real rows."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes(width)
    data = b"".join(compressor.compress(row) for _ in range(rows_of_data)) + compressor.flush()
    return _png(header, data)


def zero_bomb_png(width: int, height: int) -> bytes:
    """A real, complete all-black PNG: tiny on disk, ``width * height`` bytes once decoded."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" + bytes(width)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return _png(header, data)


def _rational(value: float | int | Fraction) -> TiffImagePlugin.IFDRational:
    fraction = Fraction(value).limit_denominator(1_000_000)
    return TiffImagePlugin.IFDRational(fraction.numerator, fraction.denominator)


def jpeg_with_exif(
    image: Image.Image,
    tags: dict[int, object],
    exif_ifd: dict[int, object] | None = None,
    gps_ifd: dict[int, object] | None = None,
    quality: int = 90,
) -> bytes:
    """Encode ``image`` as JPEG with the given IFD0, EXIF sub-IFD and GPS sub-IFD tags."""
    exif = Image.Exif()
    for tag, value in tags.items():
        exif[tag] = value
    if exif_ifd:
        exif.get_ifd(0x8769).update(exif_ifd)
    if gps_ifd:
        gps = exif.get_ifd(0x8825)
        for tag, value in gps_ifd.items():
            gps[tag] = tuple(_rational(v) for v in value) if isinstance(value, tuple) else value
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def rational(value: float | int | Fraction) -> TiffImagePlugin.IFDRational:
    """A TIFF rational for single-value tags such as GPSAltitude."""
    return _rational(value)


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()
