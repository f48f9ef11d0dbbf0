"""Lists that Custos builds from pictures: each picture with extra hashes for its cropped and turned copies.

An external hash list holds one PDQ (or pHash/dHash) per picture, the hash of the whole picture as it was;
a copy cropped by 5-10 % per border is 40-120 PDQ bits away from it. When Custos builds a list from the
pictures themselves (an examiner's categorised pictures, a lab's own reference library), it stores, beside
each picture's own hashes, the hashes of central crops at :data:`CROP_SCALES` of each side and of the
central square (PDQ, pHash and dHash), and the 7 turned and flipped copies of the 64-bit pHash and dHash
(PDQ's turned copies are queried from the suspect side, as ever). A cropped suspect copy then matches the
crop of the listed picture that it resembles.

The file is JSON lines: a header object ``{"format": "custos-picture-list", "version": 1, ...}``, then one
object per picture: ``name``, ``md5``, ``sha1``, ``sha256``, ``size``, ``pdq``, ``pdq_quality``, ``phash``,
``dhash``, optional ``category``, ``media_id``, ``series``, ``tags``, and ``variants``: a list of
``{"algorithm", "label", "hash", "quality"}``. ``hashset import`` reads it (format ``custos``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from PIL import Image

from forensics.analysis.decode import decode_image
from forensics.analysis.dihedral64 import dihedral64
from forensics.analysis.options import AnalysisOptions
from forensics.analysis.perceptual import pdq_with_dihedral
from forensics.errors import EvidenceError
from forensics.hashsets.formats.picture_lists import FORMAT_NAME, FORMAT_VERSION

CROP_SCALES = (0.95, 0.9, 0.85, 0.8, 0.7)  # share of each side kept by the central crops
DIHEDRAL_LABELS = (
    "original",
    "rot90",
    "rot180",
    "rot270",
    "flip_vertical",
    "flip_horizontal",
    "rot90_flip_vertical",
    "rot90_flip_horizontal",
)
HASH_SIDE = 1024  # pictures are box-reduced to at most this many pixels a side before the crop hashes


def _central(image: Image.Image, scale_x: float, scale_y: float) -> Image.Image:
    width, height = image.size
    keep_w, keep_h = max(1, round(width * scale_x)), max(1, round(height * scale_y))
    left, top = (width - keep_w) // 2, (height - keep_h) // 2
    return image.crop((left, top, left + keep_w, top + keep_h))


def _hashes(image: Image.Image) -> tuple[dict[str, Any], bytes, bytes]:
    """(own hashes, the 8 pHash variants, the 8 dHash variants) of a picture."""
    pdq, quality, _ = pdq_with_dihedral(image)
    phashes, dhashes = dihedral64(image.convert("L"))
    own = {"pdq": pdq, "pdq_quality": quality, "phash": phashes[:8].hex(), "dhash": dhashes[:8].hex()}
    return own, phashes, dhashes


def picture_hashes(image: Image.Image) -> dict[str, Any]:
    """The own hashes and the extra (variant) hashes of one decoded picture, as a list record holds them."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if max(image.size) > HASH_SIDE:
        factor = HASH_SIDE / max(image.size)
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        image = image.resize(size, Image.Resampling.BOX)
    whole, phashes, dhashes = _hashes(image)
    variants: list[dict[str, Any]] = []
    for index, label in enumerate(DIHEDRAL_LABELS[1:], start=1):
        variants.append(
            {"algorithm": "phash", "label": label, "hash": phashes[index * 8 : index * 8 + 8].hex()}
        )
        variants.append(
            {"algorithm": "dhash", "label": label, "hash": dhashes[index * 8 : index * 8 + 8].hex()}
        )
    side = min(image.size) / max(image.size)
    crops = [(f"crop{round(s * 100)}", s, s) for s in CROP_SCALES]
    if side < 0.95:
        crops.append(
            (
                "square",
                side if image.width > image.height else 1.0,
                1.0 if image.width > image.height else side,
            )
        )
    for label, scale_x, scale_y in crops:
        crop = _central(image, scale_x, scale_y)
        if min(crop.size) < 16:
            continue
        hashed, _, _ = _hashes(crop)
        variants.append(
            {"algorithm": "pdq", "label": label, "hash": hashed["pdq"], "quality": hashed["pdq_quality"]}
        )
        variants.append({"algorithm": "phash", "label": label, "hash": hashed["phash"]})
        variants.append({"algorithm": "dhash", "label": label, "hash": hashed["dhash"]})
    return whole | {"variants": variants}


def picture_record(name: str, data: bytes, **meta: Any) -> dict[str, Any]:
    """The list record of one picture file (its bytes); :class:`EvidenceError` when it does not decode."""
    options = AnalysisOptions(tasks=frozenset({"perceptual"}))
    decoded, _, problems = decode_image(data, options)
    if decoded is None:
        raise EvidenceError(f"{name}: not a decodable picture ({'; '.join(problems) or 'unknown reason'})")
    try:
        hashes = picture_hashes(decoded.image)
    finally:
        decoded.image.close()
    record = {
        "name": name,
        "md5": hashlib.md5(data).hexdigest(),
        "sha1": hashlib.sha1(data).hexdigest(),
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
    }
    return record | {key: value for key, value in meta.items() if value is not None} | hashes


def header(created_by: str | None = None, description: str | None = None) -> dict[str, Any]:
    """The first line of a picture list."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "created_by": created_by,
        "description": description,
        "crop_scales": list(CROP_SCALES),
    }


def write_picture_list(records: Iterable[dict[str, Any]], stream: IO[str], **head: Any) -> int:
    """Write a header and the records as JSON lines; returns the number of records written."""
    stream.write(json.dumps(header(**head), sort_keys=True) + "\n")
    count = 0
    for record in records:
        stream.write(json.dumps(record, sort_keys=True) + "\n")
        count += 1
    return count


def build_picture_list(paths: Iterable[Path], out: Path, **head: Any) -> tuple[int, list[str]]:
    """Hash each picture file into a new list file; returns (pictures listed, problems with the others).

    The pictures are read only; nothing but the list file is written.
    """
    problems: list[str] = []

    def records() -> Iterator[dict[str, Any]]:
        for path in paths:
            try:
                yield picture_record(path.name, path.read_bytes())
            except (EvidenceError, OSError) as exc:
                problems.append(str(exc))

    with open(out, "x", encoding="utf-8", newline="\n") as stream:
        count = write_picture_list(records(), stream, **head)
    return count, problems
