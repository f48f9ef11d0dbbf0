"""PDQ of greyscale pictures from float32 luminance: the same hashes as pdqhash's own path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

from forensics.analysis import pdq_grey
from forensics.analysis.api import AnalysisOptions
from forensics.analysis.perceptual import bits_to_bytes, pdq_input, pdq_with_dihedral, perceptual_hashes

from .conftest import EXIF_PY, THREATEXCHANGE

pytestmark = pytest.mark.skipif(not pdq_grey.available(), reason="pdqhash without the exported C++ entry")

PHOTOS = sorted(EXIF_PY.rglob("*.jpg")) + [THREATEXCHANGE / "rgb.jpeg", THREATEXCHANGE / "LA.png"]


def _reference(grey: Image.Image) -> tuple[list[bytes], int]:
    vectors, quality = pdqhash.compute_dihedral(pdq_input(grey))
    return [bits_to_bytes(v) for v in vectors], int(quality)


def test_pdqhash_luma_of_a_grey_value_is_that_value_for_every_byte() -> None:
    """The premise: 0.299 g + 0.587 g + 0.114 g in float64, then float32, is exactly g."""
    grey = np.arange(256, dtype=np.uint8).reshape(16, 16)
    rgb = np.stack([grey] * 3, axis=-1)
    luma = (rgb[:, :, 0] * 0.299 + rgb[:, :, 1] * 0.587 + rgb[:, :, 2] * 0.114).astype("float32")
    assert np.array_equal(luma, grey.astype(np.float32))


@pytest.mark.parametrize("path", PHOTOS, ids=lambda p: p.name)
def test_grey_path_gives_pdqhash_s_hashes_and_quality(path: Path) -> None:
    with Image.open(path) as image:
        grey = image.convert("L")
    assert len(PHOTOS) > 15
    blobs, quality = pdq_grey.pdq_dihedral_from_grey(np.asarray(grey))
    assert (blobs, quality) == _reference(grey)


@pytest.mark.parametrize("size", [(1, 1), (1, 300), (300, 1), (63, 65), (641, 479)])
def test_grey_path_matches_on_odd_shapes(size: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(size))
    grey = Image.fromarray(rng.integers(0, 256, size=(size[1], size[0]), dtype=np.uint8), "L")
    assert pdq_grey.pdq_dihedral_from_grey(np.asarray(grey)) == _reference(grey)


def test_perceptual_hashes_of_a_grey_picture_use_it_and_agree(monkeypatch) -> None:
    with Image.open(THREATEXCHANGE / "rgb.jpeg") as image:
        grey = image.convert("L")
    fast = perceptual_hashes(grey, AnalysisOptions())
    monkeypatch.setattr(pdq_grey, "_entry_point", lambda: None)
    monkeypatch.setattr("forensics.analysis.perceptual.grey_pdq_available", lambda: False)
    slow = perceptual_hashes(grey, AnalysisOptions())
    assert fast == slow
    assert pdq_with_dihedral(grey)[0] == fast.pdq


def test_only_a_two_dimensional_byte_plane_is_taken() -> None:
    with pytest.raises(ValueError):
        pdq_grey.pdq_dihedral_from_grey(np.zeros((8, 8, 3), dtype=np.uint8))
    with pytest.raises(ValueError):
        pdq_grey.pdq_dihedral_from_grey(np.zeros((8, 8), dtype=np.float32))
