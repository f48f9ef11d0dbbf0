"""Lists that Custos builds from pictures: each picture with extra hashes for its cropped copies.

An external hash list holds one PDQ (or pHash/dHash) per picture, the hash of the whole picture as it was;
a copy cropped by 5-10 % per border is 40-120 PDQ bits away from it. When Custos builds a list from the
pictures themselves (an examiner's categorised pictures, a lab's own reference library), it stores, beside
each picture's own hashes, the hashes (PDQ, pHash, dHash) of central crops keeping :data:`CROP_SCALES` of
each side, of the central square, and of crops keeping :data:`ANCHORED_SCALES` anchored at the corners and
edges (a crop that took more from one side). A cropped suspect copy then matches the crop of the listed
picture that it resembles.

Turned and flipped copies need no list variants: matching queries the 8 dihedral variants of every
analysed picture's PDQ, pHash and dHash, and comparing a turned query with the listed hash is the same as
comparing the query with the turned listed hash. Stored turned variants would double the comparisons, and
so the chance matches, for nothing.

The file is JSON lines: a header object ``{"format": "custos-picture-list", "version": 1, ...}``, then one
object per picture: ``name``, ``md5``, ``sha1``, ``sha256``, ``size``, ``pdq``, ``pdq_quality``, ``phash``,
``dhash``, optional ``category``, ``media_id``, ``series``, ``tags``, and ``variants``: a list of
``{"algorithm", "label", "hash", "quality"}``. ``hashset import`` reads it (format ``custos``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from PIL import Image

from forensics.analysis.decode import decode_image
from forensics.analysis.dihedral64 import dihedral64
from forensics.analysis.options import AnalysisOptions
from forensics.analysis.perceptual import pdq_with_dihedral
from forensics.core.errors import EvidenceError
from forensics.core.timeutil import utc_now_iso
from forensics.hashsets.errors import HashSetError
from forensics.hashsets.formats.picture_lists import FORMAT_NAME, FORMAT_VERSION

CROP_SCALES = (0.95, 0.9, 0.85, 0.8, 0.7)  # share of each side kept by the central crops
ANCHORED_SCALES = (0.9, 0.8)  # crops anchored at the 4 corners and the 4 edge centres, keeping these
HASH_SIDE = 1024  # pictures are box-reduced to at most this many pixels a side before the crop hashes


def crop_boxes(width: int, height: int) -> list[tuple[str, tuple[int, int, int, int]]]:
    """(label, box) of every crop a list record holds for a picture of this size."""
    boxes = []

    def box(keep: float, at_x: float, at_y: float) -> tuple[int, int, int, int]:
        keep_w, keep_h = max(1, round(width * keep)), max(1, round(height * keep))
        left, top = round((width - keep_w) * at_x), round((height - keep_h) * at_y)
        return left, top, left + keep_w, top + keep_h

    for keep in CROP_SCALES:
        boxes.append((f"crop{round(keep * 100)}", box(keep, 0.5, 0.5)))
    side = min(width, height)
    if side < 0.95 * max(width, height):
        left, top = (width - side) // 2, (height - side) // 2
        boxes.append(("square", (left, top, left + side, top + side)))
    names = {0.0: "l", 0.5: "c", 1.0: "r"}
    for keep in ANCHORED_SCALES:
        for at_y in (0.0, 0.5, 1.0):
            for at_x in (0.0, 0.5, 1.0):
                if at_x == at_y == 0.5:
                    continue  # the central crop is above
                label = f"crop{round(keep * 100)}_{'tcb'[int(at_y * 2)]}{names[at_x]}"
                boxes.append((label, box(keep, at_x, at_y)))
    return boxes


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
    whole, _, _ = _hashes(image)
    variants: list[dict[str, Any]] = []
    for label, box in crop_boxes(image.width, image.height):
        crop = image.crop(box)
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
        "created_at": utc_now_iso(),
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

    limit = AnalysisOptions().max_image_bytes  # the largest picture an ingest decodes whole

    def records() -> Iterator[dict[str, Any]]:
        for path in paths:
            try:
                if path.stat().st_size > limit:
                    problems.append(f"{path}: larger than {limit:,} bytes, not read as a picture")
                    continue
                yield picture_record(path.name, path.read_bytes())
            except (EvidenceError, OSError) as exc:
                problems.append(str(exc))

    try:
        with open(out, "x", encoding="utf-8", newline="\n") as stream:  # never over an existing file
            count = write_picture_list(records(), stream, **head)
    except OSError as exc:
        raise HashSetError(f"{out}: cannot write the list file ({exc.strerror or exc})") from exc
    return count, problems
