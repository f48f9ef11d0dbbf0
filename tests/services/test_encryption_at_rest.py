"""Pictures are encrypted at rest: a copied case folder without an examiner's key shows no picture and
its database holds no decodable JPEG or PNG; reading needs the key; removing an examiner rotates the key."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from PIL import Image

from forensics.case.pictures import MAGIC, PictureCipher
from forensics.case.queries.gallery import thumbnails
from forensics.core.errors import AccessDenied
from forensics.custody import case_key
from forensics.custody.examiners import create_examiner, load_examiner
from forensics.custody.verify import verify_case
from forensics.pipeline.processing_profiles import load_profile
from forensics.services import cases, custody, evidence, ingest
from forensics.services.context import open_case

DATA = Path(__file__).resolve().parents[1] / "data"
# Real photographs (their notices are in their folders).
PHOTOS = [
    DATA / "pdqhash-python" / "images" / "image1.jpg",
    DATA / "pdqhash-python" / "images" / "image2.jpg",
    DATA / "exif-py" / "jpg" / "Canon_40D.jpg",
]
ALICE, BOB = "Alice Keyholder", "Bob Keyholder"
PASSPHRASE = "encryption passphrase"


def _decodable_pictures(data: bytes) -> int:
    """How many JPEG or PNG pictures decode from any offset where their signature appears."""
    found = 0
    for signature in (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"):
        start = data.find(signature)
        while start != -1:
            try:
                with Image.open(io.BytesIO(data[start:])) as picture:
                    picture.load()
                found += 1
            except Exception:  # noqa: BLE001 - not a picture: what the test wants
                pass
            start = data.find(signature, start + 1)
    return found


@pytest.fixture
def pictured(tmp_path: Path):
    """A case whose folder evidence of real photos was ingested with thumbnails; closed."""
    create_examiner(ALICE, "Lab", "K-1", PASSPHRASE)
    folder = tmp_path / "photos"
    folder.mkdir()
    for photo in PHOTOS:
        shutil.copyfile(photo, folder / photo.name)
    ctx = cases.create_case(
        tmp_path / "case", number="K-1", title="keys", agency=None, examiner=ALICE, passphrase=PASSPHRASE
    )
    try:
        evidence.add_evidence(ctx, folder, "EXH-1", {})
        ingest.ingest_item(ctx, "EXH-1", load_profile("full"), 1)
    finally:
        ctx.close()
    return tmp_path / "case"


def _thumbnail_blobs(case_dir: Path) -> dict[int, bytes]:
    with sqlite3.connect(case_dir / "case.db") as conn:
        return {int(r[0]): bytes(r[1]) for r in conn.execute("SELECT file_id, data FROM thumbnails")}


def test_a_copied_case_folder_shows_no_picture(pictured, tmp_path):
    blobs = _thumbnail_blobs(pictured)
    assert len(blobs) == len(PHOTOS) and all(b.startswith(MAGIC) for b in blobs.values())
    copy = tmp_path / "copied"
    shutil.copytree(pictured, copy)
    for name in ("case.db", "case.db-wal"):
        if (copy / name).exists():
            assert _decodable_pictures((copy / name).read_bytes()) == 0
    # the control: the photos themselves are found by the same scan
    assert _decodable_pictures(b"".join(p.read_bytes() for p in PHOTOS)) >= len(PHOTOS)
    # the metadata stays searchable without a key: paths and hashes in the clear
    with sqlite3.connect(copy / "case.db") as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM files WHERE md5 IS NOT NULL")}
    assert {p.name for p in PHOTOS} <= names


def test_reading_needs_the_examiners_key_and_then_shows_the_pictures(pictured):
    with pytest.raises(AccessDenied, match="passphrase"):
        open_case(pictured, ALICE, write=False)
    with pytest.raises(AccessDenied):
        open_case(pictured, ALICE, write=False, passphrase="not the passphrase")
    reader = open_case(pictured, ALICE, write=False, passphrase=PASSPHRASE)
    try:
        shown = thumbnails(reader.db, list(_thumbnail_blobs(pictured)))
    finally:
        reader.close()
    assert len(shown) == len(PHOTOS)
    for data in shown.values():
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
            assert max(picture.size) <= 512


def test_removing_an_examiner_rotates_the_case_key(pictured):
    bob = create_examiner(BOB, "Lab", "K-2", PASSPHRASE)
    ctx = open_case(pictured, ALICE, write=True, passphrase=PASSPHRASE)
    try:
        custody.add_examiner(ctx, bob.public_record(), "second reader")
    finally:
        ctx.close()
    as_bob = open_case(pictured, BOB, write=False, passphrase=PASSPHRASE)
    try:
        assert len(thumbnails(as_bob.db, list(_thumbnail_blobs(pictured)))) == len(PHOTOS)
    finally:
        as_bob.close()
    with sqlite3.connect(pictured / "case.db") as conn:
        bobs_wrap = json.loads(
            conn.execute("SELECT wrapped_json FROM case_keys WHERE key_id = ?", (bob.key_id,)).fetchone()[0]
        )
    old_key = case_key.unwrap(bobs_wrap, load_examiner(BOB).unlock(PASSPHRASE), bob.key_id)
    before = _thumbnail_blobs(pictured)
    ctx = open_case(pictured, ALICE, write=True, passphrase=PASSPHRASE)
    try:
        custody.remove_examiner(ctx, BOB, "left the unit")
    finally:
        ctx.close()
    with pytest.raises(AccessDenied):
        open_case(pictured, BOB, write=False, passphrase=PASSPHRASE)
    after = _thumbnail_blobs(pictured)
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in after)
    # the key Bob held opened the old pictures, and opens none of the new ones
    old = PictureCipher(old_key)
    for file_id, blob in before.items():
        old.open("thumbnails", file_id, blob)
    for file_id, blob in after.items():
        with pytest.raises(InvalidTag):
            old.open("thumbnails", file_id, blob)
    # the re-encrypted rows were sealed again with the removal: the results still verify
    assert verify_case(pictured).results is not None and verify_case(pictured).results.clean
