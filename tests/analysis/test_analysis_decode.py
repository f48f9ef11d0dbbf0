"""Bounded decoding: decompression bombs, truncated files, JPEG draft (DCT-scaled) decode, time budget."""

from __future__ import annotations

import io
import pickle
import time

import imagehash
import pytest
from PIL import Image

from forensics.analysis.api import AnalysisOptions, analyze
from forensics.analysis.decode import choose_draft_scale, decode_image
from forensics.analysis.perceptual import split_dihedral

from .builders import encode, png_declaring, zero_bomb_png
from .conftest import EXIF_PY, THREATEXCHANGE, analyse_bytes, analyse_file, hamming


def _phone_sized_photo() -> Image.Image:
    """A real photo (exif-py landscape_1) upscaled to 2400 x 1800."""
    photo = Image.open(EXIF_PY / "jpg/orientation/landscape_1.jpg")
    return photo.resize((2400, 1800), Image.Resampling.LANCZOS)


def test_declared_huge_png_is_refused_before_decoding():
    data = png_declaring(100_000, 100_000)
    started = time.monotonic()
    result = analyse_bytes(data, "bomb.png")
    assert time.monotonic() - started < 2
    assert result.image.too_large and result.perceptual is None and result.thumbnail is None
    assert any("not decoded" in w for w in result.warnings)
    assert result.filetype.mime == "image/png"


def test_real_bomb_over_the_configured_pixel_cap():
    data = zero_bomb_png(3000, 3000)  # 9 MP of zeros in a few kB
    assert len(data) < 20_000
    result = analyse_bytes(data, "bomb.png", AnalysisOptions(max_decode_pixels=4_000_000))
    assert result.image.too_large and result.image.width == 3000 and result.perceptual is None
    within = analyse_bytes(data, "bomb.png", AnalysisOptions(max_decode_pixels=10_000_000))
    assert within.perceptual.blank and not within.image.too_large and within.image.decode_scale == 1


def test_big_non_jpeg_is_reduced_under_the_hashing_cap():
    photo = _phone_sized_photo()
    data = encode(photo, "PNG")
    full = analyse_bytes(data, "p.png")
    reduced = analyse_bytes(data, "p.png", AnalysisOptions(max_pixels=1_000_000))
    assert reduced.image.decode_scale == 3 and (reduced.image.width, reduced.image.height) == (2400, 1800)
    assert hamming(full.perceptual.pdq, reduced.perceptual.pdq) <= 10
    assert hamming(full.perceptual.phash, reduced.perceptual.phash) <= 4


def test_jpeg_over_the_cap_is_decoded_dct_scaled():
    photo = _phone_sized_photo()
    data = encode(photo, "JPEG", quality=92)
    result = analyse_bytes(data, "big.jpg", AnalysisOptions(max_pixels=300_000))
    assert result.image.decode_scale == 4 and not result.image.too_large
    assert hamming(result.perceptual.pdq, analyse_bytes(data, "big.jpg").perceptual.pdq) <= 31


def test_truncated_jpeg_keeps_going_with_a_warning():
    data = (THREATEXCHANGE / "rgb.jpeg").read_bytes()
    result = analyse_bytes(data[: len(data) // 2], "cut.jpg")
    assert result.image.truncated
    assert result.perceptual.pdq is not None and result.thumbnail is not None
    assert any("truncated" in w for w in result.warnings)
    assert result.filetype.mime == "image/jpeg"


@pytest.mark.parametrize("cut", [3, 20, 200, 2000])
def test_cut_png_and_garbage_never_raise(cut):
    data = (THREATEXCHANGE / "LA.png").read_bytes()[:cut]
    result = analyse_bytes(data, "cut.png")
    assert result.perceptual is None or result.image.truncated


def test_draft_scale_choice():
    options = AnalysisOptions(reduced_decode=True, draft_min_side=512)
    assert choose_draft_scale(4032, 3024, options) == 4  # 3024 / 4 = 756 >= 512
    assert choose_draft_scale(640, 480, options) == 1
    assert choose_draft_scale(4032, 3024, AnalysisOptions()) == 1
    assert choose_draft_scale(40_000, 40_000, AnalysisOptions(max_pixels=64_000_000)) == 8
    assert choose_draft_scale(90_000, 90_000, AnalysisOptions(max_pixels=64_000_000)) is None


def test_reduced_decode_stays_within_tolerance_of_full_decode():
    # A real photo upscaled to phone-like size; tolerances from docs/benchmark-history.md "Image analysis".
    photo = _phone_sized_photo()
    data = encode(photo, "JPEG", quality=90)
    full = analyse_bytes(data, "p.jpg").perceptual
    reduced = analyse_bytes(data, "p.jpg", AnalysisOptions(reduced_decode=True))
    assert reduced.image.decode_scale == 2
    assert hamming(full.phash, reduced.perceptual.phash) <= 4
    assert hamming(full.dhash, reduced.perceptual.dhash) <= 4
    assert hamming(full.pdq, reduced.perceptual.pdq) <= 10  # Meta: <= 10 bits across decoders


def test_non_jpeg_ignores_reduced_decode():
    result = analyse_file(THREATEXCHANGE / "LA.png", AnalysisOptions(reduced_decode=True))
    assert result.image.decode_scale == 1
    assert result.perceptual.pdq == "accb6d39648035f8125c8ce6ba65007de7b54c67a2d93ef7b8f33b0611306715"


def test_exhausted_time_budget_skips_later_stages_with_warnings():
    result = analyse_file(THREATEXCHANGE / "rgb.jpeg", AnalysisOptions(time_budget_s=-1))
    assert result.perceptual is None and result.thumbnail is None
    assert any("time budget" in w for w in result.warnings)
    assert result.filetype is not None and result.image is not None


def test_exif_orientation_is_not_applied_before_hashing():
    # landscape_6 stores its pixels turned; hashes are of the stored pixels (python-threatexchange and
    # imagehash behave so), not of the upright view.
    path = EXIF_PY / "jpg/orientation/landscape_6.jpg"
    stored = Image.open(path)
    upright = Image.open(path).transpose(Image.Transpose.ROTATE_270)
    result = analyse_file(path)
    assert (result.image.width, result.image.height) == stored.size == (450, 600)
    assert result.perceptual.phash == str(imagehash.phash(stored))
    assert result.perceptual.phash != str(imagehash.phash(upright))


@pytest.mark.parametrize("number", range(2, 9))
def test_rotated_copies_match_through_dihedral_and_thumbnails_are_upright(number):
    reference = analyse_file(EXIF_PY / "jpg/orientation/landscape_1.jpg")
    copy = analyse_file(EXIF_PY / f"jpg/orientation/landscape_{number}.jpg")
    assert hamming(reference.perceptual.pdq, copy.perceptual.pdq) > 31
    variants = split_dihedral(copy.perceptual.pdq_dihedral)
    assert min(hamming(reference.perceptual.pdq, variant) for variant in variants) <= 31
    reference_thumb = imagehash.phash(Image.open(io.BytesIO(reference.thumbnail.data)))
    copy_thumb = Image.open(io.BytesIO(copy.thumbnail.data))
    assert copy_thumb.size == (256, 192)
    assert imagehash.phash(copy_thumb) - reference_thumb <= 6


def test_heic_is_decoded_through_pillow_heif():
    result = analyse_file(EXIF_PY / "heic/spring_1440x960.heic")
    assert result.image.format == "HEIF" and (result.image.width, result.image.height) == (1440, 960)
    assert result.perceptual.pdq and result.thumbnail.width == 256


def test_results_are_picklable_for_the_writer_process():
    result = analyse_file(EXIF_PY / "jpg/gps/DSCN0010.jpg")
    assert pickle.loads(pickle.dumps(result)) == result


def test_decode_image_reports_undecodable_bytes():
    decoded, info, problems = decode_image(b"\xff\xd8\xff\xe0garbage", AnalysisOptions())
    assert decoded is None and info is None and problems


def test_analyze_never_raises_on_hostile_arguments():
    options = AnalysisOptions()
    result = analyze("x.jpg", 10, b"\xff\xd8\xff" + b"\x00" * 7, b"\xff\xd8\xff" + b"\x00" * 7, options)
    assert result.warnings
    result = analyze("x.png", -1, b"", None, options)
    assert result.filetype.mime == "application/x-empty"


def test_reduced_decode_phash_and_dhash_stay_within_two_bits_of_the_full_decode():
    """Triage hashes pHash/dHash from a copy at most 512 pixels a side (perceptual.REDUCED_HASH_SIDE)."""
    photos = sorted(p for p in EXIF_PY.rglob("*.jpg") if max(Image.open(p).size) > 512)
    photos += [THREATEXCHANGE / "LA.png"]
    assert len(photos) >= 10
    for path in photos:
        full = analyse_file(path, AnalysisOptions())
        reduced = analyse_file(path, AnalysisOptions(reduced_decode=True))
        assert hamming(full.perceptual.phash, reduced.perceptual.phash) <= 2, path.name
        assert hamming(full.perceptual.dhash, reduced.perceptual.dhash) <= 2, path.name
