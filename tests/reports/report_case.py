"""Builds the case the report tests use, by driving the real ``custos`` command line on real test data.

EXH-01 is dfvfs's ``ext2.E01`` (published: stored media MD5 196066add11fb71c4c49cf1bb50d6d24, passwords.txt
MD5 39cb097008d17660abd0539891a672af); EXH-02 is a folder with two GPS-tagged photos of exif-py
(published coordinates in ``tests/data/exif-py/EXPECTED.md``). A VICS 2.0 hash set written here lists
passwords.txt (category 1) and DSCN0010.jpg (category 2); the examiner then grades DSCN0010.jpg as category 1.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from tests.data.expected import PASSWORDS_MD5

DATA = Path(__file__).resolve().parents[1] / "data"
REPO = Path(__file__).resolve().parents[2]
EXT2_E01 = DATA / "dfvfs" / "ext2.E01"
EXT2_STORED_MD5 = "196066add11fb71c4c49cf1bb50d6d24"  # dfvfs EXPECTED.md section B
GPS_PHOTOS = {  # exif-py EXPECTED.md section C: (lat, lon) in decimal degrees
    "DSCN0010.jpg": (43.467448, 11.885127),
    "DSCN0042.jpg": (43.464455, 11.881478),
}
EXAMINER = "Jane Examiner"
PASSPHRASE = "correct horse battery"
CASE_NUMBER = "2026-0042"
NOW = "2026-11-22T12:00:00Z"
# A processing profile of the tests: every analysis task, matching left to the explicit `custos match`.
TEST_PROFILE = """name = "reporttest"
description = "All analysis tasks, no matching (the tests run custos match themselves)."
[tasks]
hash = true
type = true
exif = true
perceptual = true
thumbnail = true
match = false
[options]
reduced_decode = false
item_timeout_seconds = 120
"""


@dataclass(frozen=True)
class BuiltCase:
    """The built case folder and the environment to act in it as its examiner."""

    case_dir: Path
    env: dict[str, str]
    photo_md5: dict[str, str]


def test_resources(root: Path) -> Path:
    """A resources folder that is the project's plus the test profile (linked, not copied)."""
    resources = root / "resources"
    resources.mkdir()
    for child in (REPO / "resources").iterdir():
        if child.name != "profiles":
            (resources / child.name).symlink_to(child)
    profiles = resources / "profiles"
    profiles.mkdir()
    for profile in (REPO / "resources" / "profiles").iterdir():
        (profiles / profile.name).symlink_to(profile)
    (profiles / "reporttest.toml").write_text(TEST_PROFILE, encoding="utf-8")
    return resources


def vics_hash_set(path: Path, entries: list[tuple[str, int]]) -> Path:
    """A VICS 2.0 hash-set file listing each (MD5, category)."""
    value = [
        {"MediaID": i, "Category": category, "MD5": md5.upper()}
        for i, (md5, category) in enumerate(entries, 1)
    ]
    data = {
        "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
        "value": value,
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def run(*argv: str) -> None:
    """Run one ``custos`` command in-process; fail the test on a non-zero status."""
    status = main(["-q", *argv])
    assert status == 0, f"custos {' '.join(argv)} exited {status}"


def build_case(root: Path) -> BuiltCase:
    """Create, ingest, match and categorise the test case under ``root``."""
    photos = root / "photos"
    photos.mkdir(parents=True)
    for name in GPS_PHOTOS:
        shutil.copyfile(DATA / "exif-py" / "jpg" / "gps" / name, photos / name)
    photo_md5 = {name: hashlib.md5((photos / name).read_bytes()).hexdigest() for name in GPS_PHOTOS}
    env = {
        "CUSTOS_HOME": str(root / "home"),
        "CUSTOS_PASSPHRASE": PASSPHRASE,
        "CUSTOS_EXAMINER": EXAMINER,
        "CUSTOS_HASHSET_LIBRARY": str(root / "library.db"),
        "CUSTOS_RESOURCES": str(test_resources(root)),
    }
    case_dir = root / "case"
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        run("examiner", "create", EXAMINER, "--agency", "Example Police", "--badge", "B-17")
        run(
            "case",
            "create",
            str(case_dir),
            "--number",
            CASE_NUMBER,
            "--title",
            "Operation Test",
            "--agency",
            "Example Police Cyber Unit",
        )
        run(
            "evidence",
            "add",
            str(case_dir),
            str(EXT2_E01),
            "--item",
            "EXH-01",
            "--description",
            "USB stick",
            "--seal",
            "SEAL-0001",
            "--seized-by",
            "PC Smith",
            "--seized-at",
            "2026-01-02T10:00:00Z",
            "--device-make",
            "SanDisk",
            "--device-serial",
            "SN-123",
        )
        run(
            "evidence", "add", str(case_dir), str(photos), "--item", "EXH-02", "--description", "Photo folder"
        )
        run("verify", str(case_dir), "--item", "EXH-01")
        run("ingest", str(case_dir), "--profile", "reporttest", "--workers", "1")
        hash_set = vics_hash_set(root / "alert.json", [(PASSWORDS_MD5, 1), (photo_md5["DSCN0010.jpg"], 2)])
        run("hashset", "import", str(hash_set), "--name", "Test VICS list", "--set-version", "2026.1")
        run("match", str(case_dir))
        _categorise(case_dir, "/DSCN0010.jpg", 1)
    return BuiltCase(case_dir, env, photo_md5)


def _categorise(case_dir: Path, path: str, number: int) -> None:
    """The examiner grades one file (through the review API the GUI uses)."""
    from argparse import Namespace

    from sqlalchemy import select

    from app.context import open_case
    from forensics.case.models import File
    from forensics.services.review import categorise

    with open_case(Namespace(examiner=EXAMINER), case_dir, write=True) as ctx:
        with ctx.db.session() as s:
            file_id = s.scalar(select(File.id).where(File.path == path))
        categorise(ctx, [file_id], number, "US")
