"""Perceptual hashes against values published by imagehash, python-threatexchange and pdqhash-python."""

from __future__ import annotations

import io
import re

import imagehash
import numpy as np
import pytest
from PIL import Image

from forensics.analysis.options import AnalysisOptions
from forensics.analysis.perceptual import (
    bits_to_bytes,
    bits_to_hex,
    pdq_input,
    pdq_with_dihedral,
    perceptual_hashes,
    split_dihedral,
)

from .builders import encode
from .conftest import IMAGEHASH, PDQHASH_PYTHON, THREATEXCHANGE, analyse_bytes, analyse_file, hamming


def _markdown_rows(path, pattern: str) -> list[tuple[str, ...]]:
    return re.findall(pattern, path.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_imagehash_published_phash_and_dhash():
    # imagehash's tests/test_hash_is_constant.py (restated in tests/data/imagehash/EXPECTED.md)
    rows = dict(_markdown_rows(IMAGEHASH / "EXPECTED.md", r"^\| imagehash\.png \| (\w+) \| ([0-9a-f]+) \|"))
    result = analyse_file(IMAGEHASH / "imagehash.png")
    assert result.perceptual.phash == rows["phash"] == "ba8c84536bd3c366"
    assert result.perceptual.dhash == rows["dhash"]


# Rows "| <path>/resources/NAME (...) | <64 hex> | <quality> |" of tests/data/ThreatExchange/EXPECTED.md.
THREATEXCHANGE_ROWS = _markdown_rows(
    THREATEXCHANGE / "EXPECTED.md", r"^\| \S*?resources/(\S+) [^|]*\| ([0-9a-f]{64}) \| (\d+) \|$"
)


def test_threatexchange_table_was_read():
    assert {name for name, _, _ in THREATEXCHANGE_ROWS} == {"LA.png", "I16.png", "rgb.jpeg"}


@pytest.mark.parametrize(("name", "pdq", "quality"), THREATEXCHANGE_ROWS)
def test_pdq_exactly_as_python_threatexchange(name, pdq, quality):
    hashes = analyse_file(THREATEXCHANGE / name).perceptual
    assert hashes.pdq == pdq
    assert hashes.pdq_quality == int(quality)


# pdqhash-python tests/test_compute.py: C++ reference bits as hex, allowed differing bits
# (restated from the corpus pdqhash-python/EXPECTED.md, section A).
PDQHASH_ROWS = [
    ("image1.jpg", "162f64caf95043b9bf2f3aceda528c7e0083d95066adc369e299a1709d723c8f", 2),
    ("image2.jpg", "6d4da52c96e436e6c933db32364a648c4daddb6ce673c6669d6c4018f4d0a8cd", 0),
    ("image3.jpg", "0f3a64e05392ed6b32c4c71374f9cb873378c5c5745f11796c05733ae4c99646", 0),
    ("image4.jpg", "d83acfc7bc386ecd3263359c4263bd1cd9a30af83c0f60f03747c03ccf72a08b", 0),
    ("image5.jpg", "3f98c0e79c7e1b0ee1e1b0bd46567bc129acd2791c96cf4a3071ce8f991131b2", 0),
    ("image6.jpg", "dce5f41e8b8cf0900aabcce142aa8def70ae780ef5c4e0515fd5e2f1281f360e", 0),
    ("image7.jpg", "a78d2315b479b87693f61f091936e0e3e1e6c61e0e380e318e638ec718defdc0", 2),
    ("image8.jpg", "522362058e441e722cdea9cb911b5fa997386a7721e781870f44eedc91fbe54b", 0),
    ("image9.jpg", "36ce692904162be3c9a524f8356f1e12cadbd4f839a5a41ab247d3d858bb69a7", 0),
    ("image10.jpg", "1cc64275f58c5f73899362bc55cf98bce30236dd89a6701bdfe4809e63631c07", 0),
]


@pytest.mark.parametrize(("name", "reference", "allowed"), PDQHASH_ROWS)
def test_pdq_within_allowed_bits_of_the_cpp_reference(name, reference, allowed):
    hashes = analyse_file(PDQHASH_PYTHON / name).perceptual
    assert hamming(hashes.pdq, reference) <= int(allowed)
    assert re.fullmatch(r"[0-9a-f]{64}", hashes.pdq)


# Pillow transpose -> index in pdqhash.compute_dihedral order (original, rot90, rot180, rot270,
# flipV, flipH, rot90+flipV, rot90+flipH).
DIHEDRAL_INDEX = {
    Image.Transpose.ROTATE_90: 1,
    Image.Transpose.ROTATE_180: 2,
    Image.Transpose.ROTATE_270: 3,
    Image.Transpose.FLIP_TOP_BOTTOM: 4,
    Image.Transpose.FLIP_LEFT_RIGHT: 5,
    Image.Transpose.TRANSPOSE: 6,
    Image.Transpose.TRANSVERSE: 7,
}


@pytest.mark.parametrize("name", ["image1.jpg", "image4.jpg", "image6.jpg"])
def test_dihedral_variants_match_rotated_and_flipped_copies(name):
    image = Image.open(PDQHASH_PYTHON / name)
    image.load()
    pdq, _, dihedral = pdq_with_dihedral(image)
    variants = split_dihedral(dihedral)
    assert len(dihedral) == 8 * 32 and variants[0] == pdq
    for transpose, index in DIHEDRAL_INDEX.items():
        copy_hash, _, _ = pdq_with_dihedral(image.transpose(transpose))
        distances = [hamming(copy_hash, variant) for variant in variants]
        # pdqhash-python's own test allows up to 40 differing bits for dihedral vs transformed pixels.
        assert distances.index(min(distances)) == index
        assert distances[index] <= 40
        assert hamming(copy_hash, pdq) > 40  # without the variants the copy would not match


# rgb.jpeg, tests/data/ThreatExchange/EXPECTED.md
RGB_JPEG_PDQ = "fb4eed46cb8a6c78819ca06b756c541f7b07ef6d02c82fccd00f862166272cda"


def _rgb_reference() -> Image.Image:
    image = Image.open(THREATEXCHANGE / "rgb.jpeg")
    image.load()
    return image


@pytest.mark.parametrize("mode", ["CMYK", "P", "1", "RGBA", "LA", "L", "I;16", "I", "F"])
def test_every_pixel_mode_hashes_and_thumbnails(mode):
    reference = _rgb_reference()
    converted = reference.convert(mode) if mode != "I;16" else reference.convert("L").convert("I;16")
    fmt = {"CMYK": "TIFF", "I": "TIFF", "F": "TIFF", "1": "PNG"}.get(mode, "PNG")
    result = analyse_bytes(encode(converted, fmt), f"x.{fmt.lower()}")
    assert result.image.mode == converted.mode
    assert result.perceptual.pdq is not None and result.thumbnail is not None
    reference_hashes = perceptual_hashes(reference, AnalysisOptions())
    if mode not in ("1", "P", "I;16", "I", "F"):  # lossless colour modes stay close to the original
        assert hamming(result.perceptual.pdq, reference_hashes.pdq) <= 31


def test_gif_first_frame_is_hashed():
    frames = [_rgb_reference(), Image.new("RGB", (256, 256), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    result = analyse_bytes(data, "anim.gif")
    assert result.image.format == "GIF" and not result.perceptual.blank


def test_webp_and_bmp_are_hashed():
    for fmt, name in (("WEBP", "x.webp"), ("BMP", "x.bmp")):
        params = {"lossless": True} if fmt == "WEBP" else {}
        result = analyse_bytes(encode(_rgb_reference(), fmt, **params), name)
        assert result.image.format == fmt
        assert hamming(result.perceptual.pdq, RGB_JPEG_PDQ) <= 10


def test_small_blank_and_low_quality_images_are_flagged_not_skipped():
    tiny = analyse_bytes(encode(_rgb_reference().resize((16, 16)), "PNG"), "tiny.png").perceptual
    assert tiny.too_small and tiny.pdq is not None
    blank = analyse_bytes(encode(Image.new("RGB", (300, 200), (128, 128, 128)), "PNG"), "grey.png").perceptual
    assert blank.blank and blank.low_quality and blank.pdq is not None and blank.pdq_quality == 0
    photo = analyse_file(THREATEXCHANGE / "rgb.jpeg").perceptual
    assert not (photo.too_small or photo.blank or photo.low_quality)
    # I16.png: published quality 36, under Meta's threshold of 50
    assert analyse_file(THREATEXCHANGE / "I16.png").perceptual.low_quality


def test_thumbnail_is_small_jpeg_from_the_same_decode():
    result = analyse_file(IMAGEHASH / "imagehash.png")
    thumb = Image.open(io.BytesIO(result.thumbnail.data))
    assert thumb.format == "JPEG" and max(thumb.size) == 256 and thumb.size == (256, 128)
    assert (result.thumbnail.width, result.thumbnail.height) == thumb.size
    assert imagehash.phash(thumb) - imagehash.phash(Image.open(IMAGEHASH / "imagehash.png")) <= 6


def test_bits_to_hex_reads_the_vector_as_one_big_endian_number():
    rng = np.random.default_rng(6)
    for length in (8, 64, 256, 12):
        bits = rng.integers(0, 2, size=length)
        expected = int("".join(str(b) for b in bits), 2)
        assert bits_to_hex(bits) == f"{expected:0{(length + 3) // 4}x}"
    assert bits_to_hex(np.array([0] * 255 + [1])) == "0" * 63 + "1"
    assert bits_to_bytes(np.array([1] + [0] * 15)) == b"\x80\x00"
    with pytest.raises(ValueError):
        bits_to_bytes(np.ones(12))


def test_pdq_input_of_a_grey_image_is_the_stacked_plane():
    grey = Image.open(THREATEXCHANGE / "rgb.jpeg").convert("L")
    array = pdq_input(grey)
    stacked = np.repeat(np.asarray(grey)[..., np.newaxis], 3, axis=2)
    assert array.shape == stacked.shape and array.dtype == np.uint8 and (array == stacked).all()
    assert pdq_with_dihedral(grey) == pdq_with_dihedral(Image.fromarray(stacked, "RGB"))
