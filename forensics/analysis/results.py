"""Plain, picklable results of the per-file analysis tasks (built in a worker, stored by the writer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PyAV is imported only where videos are decoded (the writer never needs it)
    from forensics.analysis.video import VideoAnalysis


@dataclass(frozen=True)
class FileTypeInfo:
    """What the content is, by libmagic on the head bytes, and whether the name agrees."""

    mime: str | None
    description: str | None
    category: str
    entropy: float | None
    # True: the extension contradicts the content; False: it agrees; None: no judgement possible.
    extension_mismatch: bool | None
    mismatch_detail: str | None = None


@dataclass(frozen=True)
class ExifInfo:
    """The EXIF fields that examiners filter on; times as found on the device (no zone assumed)."""

    make: str | None = None
    model: str | None = None
    body_serial: str | None = None
    software: str | None = None
    # ISO 8601 local time of the camera, e.g. "2008-10-22T16:28:39"; offset like "+01:00" when recorded.
    datetime_original: str | None = None
    offset: str | None = None
    orientation: int | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    # "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (GPS time is UTC) or "HH:MM:SS[.ffffff]Z" when no GPS date.
    gps_time: str | None = None
    has_thumbnail: bool = False


@dataclass(frozen=True)
class ImageInfo:
    """The decoded still image (first frame) that hashes and the thumbnail were made from."""

    format: str | None
    mode: str | None
    width: int | None
    height: int | None
    # 1 = full decode; 2, 4 or 8 = JPEG DCT-scaled (draft) decode at 1/n of each side.
    decode_scale: int = 1
    truncated: bool = False
    too_large: bool = False


@dataclass(frozen=True)
class RegionHashes:
    """The hashes of one content region (trimmed borders, the photo in a screenshot, a collage tile).

    The rectangle is in the pixels of the file as stored (x, y, width, height); the hashes are of that
    rectangle of the decoded picture, each with its 8 dihedral variants (PDQ's order, 32 or 8 bytes each).
    """

    kind: str
    x: int
    y: int
    w: int
    h: int
    phash: str
    dhash: str
    pdq: str
    pdq_quality: int
    pdq_dihedral: bytes
    phash_dihedral: bytes
    dhash_dihedral: bytes


@dataclass(frozen=True)
class PerceptualHashes:
    """imagehash pHash/dHash (16 hex) and PDQ (64 hex) with its quality and 8 dihedral variants."""

    phash: str | None
    dhash: str | None
    pdq: str | None
    pdq_quality: int | None
    # 8 x 32 bytes in pdqhash.compute_dihedral order (original, rot90, rot180, rot270, flipV, flipH,
    # rot90+flipV, rot90+flipH); each 32 bytes are the 64-hex PDQ string as big-endian bytes.
    pdq_dihedral: bytes | None
    too_small: bool = False
    blank: bool = False
    low_quality: bool = False
    # 8 x 8 bytes each: the 64-bit hashes of the picture turned and flipped, PDQ's dihedral order.
    phash_dihedral: bytes | None = None
    dhash_dihedral: bytes | None = None
    # Content regions found inside the picture, with their hashes (docs/matching.md).
    regions: tuple[RegionHashes, ...] = ()


@dataclass(frozen=True)
class Thumbnail:
    """A small JPEG of the upright image, stored in the case database only."""

    data: bytes
    width: int
    height: int
    mime: str = "image/jpeg"


@dataclass(frozen=True)
class AnalysisResult:
    """Everything ``analyze`` found for one file; ``warnings`` say what could not be done and why."""

    filetype: FileTypeInfo | None = None
    exif: ExifInfo | None = None
    image: ImageInfo | None = None
    perceptual: PerceptualHashes | None = None
    thumbnail: Thumbnail | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Video and audio containers: facts, vPDQ frame hashes and the frame strip (the ``video`` task).
    video: VideoAnalysis | None = None
