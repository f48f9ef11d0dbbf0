"""Encrypted archives built at test time with Debian's ``zip -P`` (ZipCrypto) and ``7z -p`` (p7zip-full:
AES-256 7z and WinZip AES zip), holding real photos of tests/data (exif-py, see tests/data/README.md)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
PHOTOS = {
    "DSCN0010.jpg": DATA / "exif-py/jpg/gps/DSCN0010.jpg",
    "Canon_40D.jpg": DATA / "exif-py/jpg/Canon_40D.jpg",
    "DSCN0025.jpg": DATA / "exif-py/jpg/gps/DSCN0025.jpg",
}
PASSWORD = "Fjord 2024 secret"  # with a space: handed over whole, never split
WRONG = "fjord-2024"
INNER = "second key"  # of locked.zip, inside nested.zip (whose password is PASSWORD)


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def _run(args: list[str | Path]) -> None:
    subprocess.run([str(a) for a in args], check=True, capture_output=True, timeout=120)


def build_seized_folder(folder: Path, work: Path) -> dict[str, object]:
    """A folder of evidence: ``photos.zip`` (ZipCrypto: two photos and a plain zip holding a third),
    ``aes.zip`` (WinZip AES-256), ``album.7z`` (7z AES-256, names listed) and a loose text file.
    Returns the MD5 of each photo by name."""
    for tool in ("zip", "7z"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian zip, p7zip-full)")
    folder.mkdir(parents=True)
    work.mkdir(parents=True)
    for name, source in PHOTOS.items():
        shutil.copyfile(source, work / name)
    _run(["zip", "-q", "-X", "-j", work / "inner.zip", work / "DSCN0025.jpg"])
    members = [work / "DSCN0010.jpg", work / "Canon_40D.jpg", work / "inner.zip"]
    _run(["zip", "-q", "-X", "-j", "-P", PASSWORD, folder / "photos.zip", *members])
    pictures = [work / "DSCN0010.jpg", work / "Canon_40D.jpg"]
    seven = ["7z", "a", "-bd", "-bso0", "-bsp0", f"-p{PASSWORD}"]
    _run([*seven, "-tzip", "-mem=AES256", folder / "aes.zip", *pictures])
    _run([*seven, folder / "album.7z", *pictures])
    _run(["zip", "-q", "-X", "-j", "-P", INNER, work / "locked.zip", work / "Canon_40D.jpg"])
    _run(["zip", "-q", "-X", "-j", "-P", PASSWORD, folder / "nested.zip", work / "locked.zip"])
    (folder / "readme.txt").write_text("not an archive\n", encoding="ascii")
    return {name: md5_of(path) for name, path in PHOTOS.items()}
