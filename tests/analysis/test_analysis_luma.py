"""Triage decode (reduced, no thumbnail): JPEGs decoded to luminance only, hashes within the tolerances."""

from __future__ import annotations

import pytest
from PIL import Image

from forensics.analysis.api import AnalysisOptions
from forensics.analysis.decode import decode_image, draft_mode

from .builders import encode
from .conftest import EXIF_PY, PDQHASH_PYTHON, THREATEXCHANGE, analyse_bytes, analyse_file, hamming

TRIAGE = AnalysisOptions(tasks=frozenset({"type", "perceptual"}), reduced_decode=True)
COLOUR = AnalysisOptions(tasks=frozenset({"type", "perceptual", "thumbnail"}), reduced_decode=True)
# rgb.jpeg's PDQ as python-threatexchange publishes it (tests/data/ThreatExchange/EXPECTED.md)
RGB_JPEG_PDQ = "fb4eed46cb8a6c78819ca06b756c541f7b07ef6d02c82fccd00f862166272cda"
CORPUS_JPEGS = (
    sorted(PDQHASH_PYTHON.glob("*.jpg"))
    + sorted((EXIF_PY / "jpg").rglob("*.[jJ][pP][gG]"))
    + [THREATEXCHANGE / "rgb.jpeg"]
)


def test_draft_mode_is_luminance_only_when_nothing_needs_colour():
    image = Image.new("RGB", (8, 8))
    assert draft_mode(image, TRIAGE) == "L"
    assert draft_mode(image, COLOUR) == "RGB"
    assert draft_mode(image, AnalysisOptions(tasks=frozenset({"perceptual"}))) == "RGB"  # full decode


def test_triage_decodes_a_colour_jpeg_to_luminance_and_reports_the_stored_mode():
    decoded, info, problems = decode_image((THREATEXCHANGE / "rgb.jpeg").read_bytes(), TRIAGE)
    assert decoded.image.mode == "L" and info.mode == "RGB" and problems == []
    colour, _, _ = decode_image((THREATEXCHANGE / "rgb.jpeg").read_bytes(), COLOUR)
    assert colour.image.mode == "RGB" and colour.image.size == decoded.image.size


def test_triage_pdq_stays_close_to_the_published_value():
    hashes = analyse_file(THREATEXCHANGE / "rgb.jpeg", TRIAGE).perceptual
    assert hamming(hashes.pdq, RGB_JPEG_PDQ) <= 10  # Meta: <= 10 bits across decoders


@pytest.mark.parametrize("path", CORPUS_JPEGS, ids=lambda p: p.name)
def test_luminance_decode_moves_hashes_by_at_most_two_bits(path):
    luma, colour = analyse_file(path, TRIAGE), analyse_file(path, COLOUR)
    if colour.perceptual is None:  # not decodable either way (none in the corpus today)
        assert luma.perceptual is None
        return
    assert luma.image == colour.image  # same stored facts and decode scale
    assert hamming(luma.perceptual.pdq, colour.perceptual.pdq) <= 2
    assert hamming(luma.perceptual.phash, colour.perceptual.phash) <= 2
    assert hamming(luma.perceptual.dhash, colour.perceptual.dhash) <= 2
    assert luma.perceptual.blank == colour.perceptual.blank


def test_triage_on_a_phone_sized_photo_stays_within_tolerance_of_full_decode():
    photo = Image.open(EXIF_PY / "jpg/orientation/landscape_1.jpg")
    photo = photo.resize((2400, 1800), Image.Resampling.LANCZOS)
    data = encode(photo, "JPEG", quality=90)
    full = analyse_bytes(data, "p.jpg").perceptual
    triage = analyse_bytes(data, "p.jpg", TRIAGE)
    assert triage.image.decode_scale == 2
    assert hamming(full.phash, triage.perceptual.phash) <= 4
    assert hamming(full.dhash, triage.perceptual.dhash) <= 4
    assert hamming(full.pdq, triage.perceptual.pdq) <= 10
