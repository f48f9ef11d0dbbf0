"""Content regions on real photos: letterbox and padding trimmed, the photo in a screenshot, collage tiles.

The edited pictures are built in memory from the real test photos (tests/data); each detector must give
back the pasted photo's rectangle and hashes close to the photo's own, and bad input must give nothing.
"""

from __future__ import annotations

import io

import imagehash
import numpy as np
import pytest
from PIL import Image, ImageDraw

from forensics.analysis.dihedral64 import dihedral64, split64
from forensics.analysis.options import AnalysisOptions
from forensics.analysis.perceptual import pdq_with_dihedral
from forensics.analysis.region_hashes import region_hashes
from forensics.analysis.regions import find_regions

from .conftest import EXIF_PY, PDQHASH_PYTHON, THREATEXCHANGE, analyse_bytes, hamming

PHOTOS = [
    EXIF_PY / "jpg/gps/DSCN0010.jpg",
    EXIF_PY / "jpg/gps/DSCN0042.jpg",
    EXIF_PY / "jpg/orientation/landscape_1.jpg",
    THREATEXCHANGE / "rgb.jpeg",
]


def _photo(index: int) -> Image.Image:
    with Image.open(PHOTOS[index]) as image:
        return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def _letterbox(photo: Image.Image, colour: tuple[int, int, int] = (0, 0, 0)) -> tuple[Image.Image, tuple]:
    width = round(photo.height * 16 / 9)
    canvas = Image.new("RGB", (width, photo.height), colour)
    left = (width - photo.width) // 2
    canvas.paste(photo, (left, 0))
    return canvas, (left, 0, photo.width, photo.height)


def _padded(photo: Image.Image) -> tuple[Image.Image, tuple]:
    side = round(max(photo.size) * 1.2)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    left, top = (side - photo.width) // 2, (side - photo.height) // 2
    canvas.paste(photo, (left, top))
    return canvas, (left, top, photo.width, photo.height)


def _screen(photo: Image.Image | None, dark: bool = False) -> tuple[Image.Image, tuple | None]:
    """A phone chat screen: status bar, app bar, text bubbles, the photo in a bubble, input and nav bars."""
    width, height = 540, 1170
    canvas = Image.new("RGB", (width, height), (20, 20, 20) if dark else (236, 229, 221))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, 0, width, 40), fill=(7, 94, 84))
    draw.text((10, 12), "12:30  LTE  85%", fill=(255, 255, 255))
    draw.rectangle((0, 40, width, 110), fill=(7, 94, 84))
    draw.text((60, 65), "Contact name", fill=(255, 255, 255))
    bubble = (38, 45, 49) if dark else (255, 255, 255)
    for top, text in ((140, "hello"), (210, "look at this one, it is the one I meant")):
        draw.rounded_rectangle((20, top, 420, top + 50), radius=12, fill=bubble)
        draw.text((32, top + 18), text, fill=(200, 200, 200) if dark else (0, 0, 0))
    rect = None
    if photo is not None:
        w = 440
        h = round(photo.height * w / photo.width)
        x, y = 70, 300
        draw.rounded_rectangle((x - 6, y - 6, x + w + 6, y + h + 40), radius=14, fill=(220, 248, 198))
        canvas.paste(photo.resize((w, h), Image.Resampling.LANCZOS), (x, y))
        draw.text((x + 6, y + h + 14), "10:02", fill=(90, 90, 90))
        rect = (x, y, w, h)
    else:
        for top in range(300, 900, 70):
            draw.rounded_rectangle((120, top, 520, top + 50), radius=12, fill=bubble)
            draw.text((132, top + 18), "a message with some words in it " * 2, fill=(0, 0, 0))
    draw.rectangle((0, height - 60, width, height), fill=(0, 0, 0))
    return canvas, rect


def _near(found, expected, slack: int = 2) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(found, expected, strict=True))


def _rect(region) -> tuple[int, int, int, int]:
    return region.x, region.y, region.w, region.h


@pytest.mark.parametrize("index", range(len(PHOTOS)))
def test_plain_photos_have_no_region(index):
    assert find_regions(_photo(index).convert("L")) == []


@pytest.mark.parametrize("index", range(3))
@pytest.mark.parametrize("make", [_letterbox, _padded], ids=["letterbox", "padding"])
def test_borders_are_trimmed_to_the_photo_and_its_hash(index, make):
    photo = _photo(index)
    edited, expected = make(photo)
    decoded = Image.open(io.BytesIO(_jpeg(edited)))
    regions = region_hashes(decoded, decoded.convert("L"))
    assert [r.kind for r in regions] == ["trim"]
    assert _near(_rect(regions[0]), expected)
    own_pdq, _, _ = pdq_with_dihedral(photo)
    phashes, dhashes = dihedral64(photo.convert("L"))
    assert hamming(regions[0].pdq, own_pdq) <= 16  # the whole letterboxed picture is 100+ bits away
    assert hamming(regions[0].phash, phashes[:8].hex()) <= 4
    assert hamming(regions[0].dhash, dhashes[:8].hex()) <= 4


@pytest.mark.parametrize("index", range(3))
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_photo_in_a_screenshot_is_found(index, dark):
    photo = _photo(index)
    screen, expected = _screen(photo, dark)
    decoded = Image.open(io.BytesIO(_jpeg(screen, 85)))
    regions = region_hashes(decoded, decoded.convert("L"))
    photos = [r for r in regions if r.kind == "photo"]
    assert len(photos) == 1 and _near(_rect(photos[0]), expected)
    pasted = photo.resize(expected[2:], Image.Resampling.LANCZOS)
    own_pdq, _, _ = pdq_with_dihedral(photo)
    assert hamming(photos[0].pdq, own_pdq) <= 24
    whole_pdq, _, _ = pdq_with_dihedral(decoded.convert("RGB"))
    assert hamming(whole_pdq, own_pdq) > 60  # the whole screenshot is nowhere near
    assert hamming(photos[0].phash, str(imagehash.phash(pasted))) <= 6


def test_grid_collage_gives_each_tile():
    canvas = Image.new("RGB", (610, 460), (255, 255, 255))
    expected = []
    for slot in range(4):
        left, top = 5 + (slot % 2) * 305, 5 + (slot // 2) * 230
        canvas.paste(_photo(slot).resize((300, 225), Image.Resampling.LANCZOS), (left, top))
        expected.append((left, top, 300, 225))
    regions = find_regions(Image.open(io.BytesIO(_jpeg(canvas))).convert("L"))
    assert [r.kind for r in regions] == ["tile"] * 4
    for region, rect in zip(regions, expected, strict=True):
        assert _near(_rect(region), rect)


def test_region_rectangles_are_in_the_files_pixels_after_a_reduced_decode():
    photo = _photo(0).resize((1920, 1440), Image.Resampling.LANCZOS)  # draft-decoded at 1/2 in triage
    edited, expected = _letterbox(photo)
    result = analyse_bytes(_jpeg(edited), "edited.jpg", AnalysisOptions(reduced_decode=True))
    assert result.image.decode_scale == 2
    (region,) = result.perceptual.regions
    assert region.kind == "trim" and _near(_rect(region), expected, slack=4)


def _strip() -> Image.Image:
    """A 20,000 x 20 strip of a real photo's pixels (the photo's rows repeated)."""
    row = np.asarray(_photo(0).convert("L").resize((20000, 1)))
    return Image.fromarray(np.repeat(row, 20, axis=0))


BAD_INPUT = {
    "all border": lambda: Image.new("L", (800, 600), 17),
    "near-uniform noise": lambda: Image.fromarray(
        np.random.default_rng(7).integers(100, 104, (600, 800), dtype=np.uint8)
    ),
    "1 pixel wide": lambda: Image.new("L", (1, 900), 200),
    "1 pixel high": lambda: _photo(0).convert("L").resize((640, 1)),
    "20000 x 20 strip": _strip,
    "screenshot without a photo": lambda: _screen(None)[0].convert("L"),
    "dark screenshot without a photo": lambda: _screen(None, dark=True)[0].convert("L"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_gives_no_region(name):
    assert find_regions(BAD_INPUT[name]()) == []


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_through_analyze_gives_no_region_and_no_crash(name):
    picture = BAD_INPUT[name]()
    out = io.BytesIO()
    picture.save(out, "PNG")
    result = analyse_bytes(out.getvalue(), "bad.png")
    assert result.perceptual is not None and result.perceptual.regions == ()
    assert not any("failed" in warning for warning in result.warnings)


TRANSPOSES = [
    None,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
]


@pytest.mark.parametrize(
    "path", [*PHOTOS, PDQHASH_PYTHON / "image3.jpg", PDQHASH_PYTHON / "image8.jpg"], ids=lambda p: p.name
)
def test_64bit_variants_are_imagehash_of_the_turned_picture(path):
    grey = Image.open(path).convert("L")
    phashes, dhashes = (split64(blob) for blob in dihedral64(grey))
    assert phashes[0] == str(imagehash.phash(grey)) and dhashes[0] == str(imagehash.dhash(grey))
    for index, transpose in enumerate(TRANSPOSES[1:], start=1):
        turned = grey.transpose(transpose)
        assert hamming(phashes[index], str(imagehash.phash(turned))) <= 2
        assert hamming(dhashes[index], str(imagehash.dhash(turned))) <= 2


def test_a_turned_copy_is_found_through_a_64bit_variant():
    grey = _photo(0).convert("L")
    listed = str(imagehash.phash(grey))
    copy = grey.transpose(Image.Transpose.ROTATE_270)  # turned clockwise by a phone
    phashes = split64(dihedral64(copy)[0])
    assert hamming(phashes[0], listed) > 20
    assert hamming(phashes[1], listed) <= 2  # ROTATE_90 of the copy is the original


def test_whole_picture_hashes_keep_their_values_and_carry_variants():
    result = analyse_bytes(PHOTOS[0].read_bytes(), "photo.jpg")
    hashes = result.perceptual
    grey = Image.open(PHOTOS[0]).convert("L")
    assert hashes.phash == str(imagehash.phash(grey)) and hashes.dhash == str(imagehash.dhash(grey))
    assert split64(hashes.phash_dihedral)[0] == hashes.phash and len(hashes.dhash_dihedral) == 64
