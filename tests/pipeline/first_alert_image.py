"""The phone-like volume of real photos (``scripts/fixtures/first_alert.py``), built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
# Public-domain photos from Wikimedia Commons (tests/data/pdqhash-python/images/README.md).
PHOTOS = [DATA / "pdqhash-python" / "images" / f"image{n}.jpg" for n in range(1, 10)]


def photos() -> list[bytes]:
    return [p.read_bytes() for p in PHOTOS]


@pytest.fixture(scope="session")
def first_alert_image(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, dict]:
    """(image, VICS list, PDQ list, facts) of the volume and its stand-in lists."""
    from scripts.fixtures.first_alert import build_media_image, known_lists

    folder = tmp_path_factory.mktemp("first-alert")
    facts = build_media_image(folder / "phone.raw", photos())
    vics, pdq = known_lists(photos(), folder)
    return folder / "phone.raw", vics, pdq, facts
