"""Still-image formats recognised from their first bytes (cheap; decides what is kept and decoded)."""

from __future__ import annotations

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_BMP_HEADER_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}

# Formats whose EXIF ExifRead reads.
EXIF_KINDS = frozenset({"jpeg", "tiff", "png", "webp", "heif"})


def image_kind(head: bytes) -> str | None:
    """ "jpeg", "png", "gif", "bmp", "tiff", "webp" or "heif" (HEIC/AVIF) from the head; else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heif"
    if head[:2] == b"BM" and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES:
        return "bmp"
    return None
