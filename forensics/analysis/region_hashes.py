"""Hashes of the content regions of a decoded picture (:mod:`regions` finds them).

Detection runs on a grey copy at most :data:`DETECT_SIDE` pixels a side; each region is then cut from
the decoded picture and hashed like a whole picture: PDQ (with quality and 8 dihedral variants) from the
decoded pixels, reduced to at most :data:`REGION_PDQ_SIDE` a side first, and pHash/dHash with their
variants from the grey copy. Rectangles are reported in the pixels of the file as stored.
"""

from __future__ import annotations

from PIL import Image

from forensics.analysis.dihedral64 import dihedral64
from forensics.analysis.perceptual import pdq_with_dihedral
from forensics.analysis.regions import Region, find_regions
from forensics.analysis.results import RegionHashes

DETECT_SIDE = 1024  # regions are looked for in a grey copy at most this wide and high
REGION_PDQ_SIDE = 1024  # a region is box-reduced to at most this many pixels a side before PDQ


def _within(image: Image.Image, side: int) -> Image.Image:
    width, height = image.size
    if max(width, height) <= side:
        return image
    factor = side / max(width, height)
    return image.resize((max(1, round(width * factor)), max(1, round(height * factor))), Image.Resampling.BOX)


def _scaled(region: Region, scale_x: float, scale_y: float) -> tuple[int, int, int, int]:
    """The region's (left, top, right, bottom) in another picture's pixels."""
    left, top, right, bottom = region.box
    return round(left * scale_x), round(top * scale_y), round(right * scale_x), round(bottom * scale_y)


def region_hashes(
    image: Image.Image,
    grey: Image.Image,
    source_size: tuple[int, int] | None = None,
    luma: Image.Image | None = None,
) -> tuple[RegionHashes, ...]:
    """The regions of a decoded picture with their hashes; ``grey`` is any greyscale copy of it.

    ``source_size`` is the file's own width and height when the picture was decoded scaled (JPEG draft);
    ``luma``: the picture's greyscale copy at its decoded size, when the caller has one.
    """
    # Look for regions at the decoded picture's resolution (up to DETECT_SIDE), not on the reduced grey
    # copy of a triage decode: edges found there are a few pixels off, which costs PDQ many bits.
    if luma is not None and luma.size == image.size:
        source = luma
    elif grey.size == image.size:
        source = grey
    else:
        source = image if image.mode == "L" else image.convert("L")
    detect = _within(source, DETECT_SIDE)
    regions = find_regions(detect)
    if not regions:
        return ()
    width, height = source_size or image.size
    found: list[RegionHashes] = []
    for region in regions:
        box = _scaled(region, image.width / detect.width, image.height / detect.height)
        crop = _within(image.crop(box), REGION_PDQ_SIDE)
        if crop.mode not in ("RGB", "L"):
            crop = crop.convert("RGB")
        pdq, quality, pdq_variants = pdq_with_dihedral(crop)
        grey_crop = grey.crop(_scaled(region, grey.width / detect.width, grey.height / detect.height))
        phash_variants, dhash_variants = dihedral64(grey_crop)
        left, top, right, bottom = _scaled(region, width / detect.width, height / detect.height)
        found.append(
            RegionHashes(
                kind=region.kind,
                x=left,
                y=top,
                w=right - left,
                h=bottom - top,
                phash=phash_variants[:8].hex(),
                dhash=dhash_variants[:8].hex(),
                pdq=pdq,
                pdq_quality=quality,
                pdq_dihedral=pdq_variants,
                phash_dihedral=phash_variants,
                dhash_dihedral=dhash_variants,
            )
        )
    return tuple(found)
