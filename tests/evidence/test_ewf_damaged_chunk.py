"""A damaged EWF chunk: reads that touch it fail with its sector range, everything else reads on.

libewf reads a chunk that fails its checksum or cannot be inflated as zeros. The project's libewf build
(scripts/build_libewf.sh) exposes the ranges it recorded, so a file stored there fails instead of being
hashed as zeros, and verification hashes what ``ewfverify`` would and names the damaged sectors.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyewf
import pytest

from forensics.core.errors import EvidenceError
from forensics.evidence.containers import open_image
from forensics.evidence.source import EvidenceSource
from forensics.evidence.verify import hash_media
from forensics.evidence.walker import FileSystemWalker
from tests.evidence.damaged_ewf import CHUNK
from tests.evidence.damaged_ewf import damaged_e01 as damaged_e01_copy
from tests.evidence.helpers import ListedItem
from tests.fixtures import FixtureImage, assert_unchanged

pytestmark = pytest.mark.skipif(
    not hasattr(pyewf.handle, "get_checksum_errors"), reason="stock libewf-python (CUSTOS_STOCK_LIBEWF=1)"
)


@pytest.fixture(scope="module", params=["stored", "deflated"])
def damaged_e01(request, tmp_path_factory, fixture_ext4_deleted: FixtureImage) -> tuple[Path, int, str]:
    """The ext4 fixture's E01 with a damaged stored chunk (checksum) or deflated chunk (inflate)."""
    work = tmp_path_factory.mktemp(f"damaged-{request.param}")
    segment, index = damaged_e01_copy(work, fixture_ext4_deleted.image, request.param)
    return segment, index, request.param


def test_a_read_touching_the_chunk_names_its_sectors(damaged_e01) -> None:
    segment, index, _ = damaged_e01
    first = index * CHUNK // 512
    with assert_unchanged([segment]), open_image(segment) as image:
        assert image.media.read_at(0, CHUNK)  # before the damage
        with pytest.raises(EvidenceError) as caught:
            image.media.read_at(index * CHUNK - 100, 200)
        assert f"sectors {first}-{first + 63}" in str(caught.value)
        assert "\n" not in str(caught.value)
        assert image.media.read_at((index + 1) * CHUNK, CHUNK)  # after it
        assert image.media.damaged_sectors() == [(first, 64)]


@pytest.mark.parametrize("direct_reads", [True, False], ids=["direct", "through-tsk"])
def test_only_the_file_stored_there_fails(
    damaged_e01, fixture_ext4_deleted: FixtureImage, direct_reads: bool
) -> None:
    segment, _, kind = damaged_e01
    if kind != "stored":
        pytest.skip("the deflated chunk holds file-system metadata, not a file")
    expected = {f["path"]: f["md5"] for f in fixture_ext4_deleted.files(deleted=False) if f["kind"] == "file"}
    failed, read = [], {}
    with assert_unchanged([segment]), EvidenceSource(segment, direct_reads=direct_reads) as source:
        walker = FileSystemWalker(source.filesystem(0), 0, "ext4")
        for entry in walker.walk():
            if entry.deleted or not entry.has_content or entry.path not in expected:
                continue
            try:
                data = source.read_all(ListedItem(0, "ext4", entry, None, None, None).locator())
            except EvidenceError as exc:
                assert "EWF chunk" in str(exc) and entry.path in str(exc)
                failed.append(entry.path)
            else:
                read[entry.path] = hashlib.md5(data).hexdigest()
    assert failed == ["/media/large.bin"]
    assert read == {path: md5 for path, md5 in expected.items() if path not in failed}


def test_verification_hashes_zeros_like_ewfverify_and_reports_the_range(
    damaged_e01, fixture_ext4_deleted: FixtureImage
) -> None:
    segment, index, _ = damaged_e01
    media = bytearray(fixture_ext4_deleted.image.read_bytes())
    media[index * CHUNK : (index + 1) * CHUNK] = bytes(CHUNK)
    damaged: list[tuple[int, int]] = []
    with assert_unchanged([segment]):
        digests = hash_media(segment, damaged=damaged)
    assert digests.md5 == hashlib.md5(media).hexdigest()
    assert damaged == [(index * CHUNK // 512, 64)]


def test_a_neighbouring_damaged_chunk_read_later_is_refused_too(
    tmp_path: Path, fixture_ext4_deleted: FixtureImage
) -> None:
    """libewf merges neighbouring damaged chunks into one recorded range: the second must still count."""
    segment, index = damaged_e01_copy(tmp_path, fixture_ext4_deleted.image, "stored", chunks=2)
    with assert_unchanged([segment]), open_image(segment) as image:
        for chunk in (index, index + 1):
            with pytest.raises(EvidenceError):
                image.media.read_at(chunk * CHUNK + 10, 10)
        assert image.media.damaged_sectors() == [(index * CHUNK // 512, 128)]
