"""Encrypted archives given the examiner's password: ZipCrypto (Debian zip -P) and WinZip AES (7z -tzip)
opened with the right one, a wrong one told as such, 7z AES told as an unsupported method; reopening
a member through its link with the password gives the listed bytes."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from forensics.evidence.nested.openers import open_link
from forensics.evidence.nested.records import NOTE_ENCRYPTED, NOTE_UNSUPPORTED, NOTE_WRONG_PASSWORD
from forensics.evidence.nested.tree import NestedTree
from forensics.evidence.nested.walk import open_container
from tests.archive_fixtures import PASSWORD, WRONG, build_seized_folder


@pytest.fixture(scope="module")
def seized(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("encrypted-archives")
    photos = build_seized_folder(root / "seized", root / "work")
    return root / "seized", photos


def _listing(path: Path, password: str | None) -> list[tuple[str, str | None, str | None]]:
    """(name, MD5 of its content or None, note) per member, in order."""
    secret = password.encode() if password is not None else None
    with path.open("rb") as stream:
        walk = open_container(stream, name=path.name, password=secret)
        found = []
        for child in walk.children():
            md5 = hashlib.md5(b"".join(child.chunks())).hexdigest() if child.readable else None
            found.append((child.path, md5, child.note))
            assert child.encrypted
        return found


@pytest.mark.parametrize("name", ["photos.zip", "aes.zip"])
def test_zip_members_open_with_the_right_password_only(seized, name: str) -> None:
    folder, photos = seized
    closed = _listing(folder / name, None)
    assert {note for _n, _m, note in closed} == {NOTE_ENCRYPTED}
    wrong = _listing(folder / name, WRONG)
    assert {note for _n, _m, note in wrong} == {NOTE_WRONG_PASSWORD}
    opened = _listing(folder / name, PASSWORD)
    for member, md5, note in opened:
        assert note is None and (member not in photos or md5 == photos[member])
    for index, (member, md5, _note) in enumerate(opened):
        with (folder / name).open("rb") as parent:
            stream = open_link(
                "zip-member", parent, {"index": index, "name": member}, password=PASSWORD.encode()
            )
            assert hashlib.md5(stream.read()).hexdigest() == md5
    with (folder / name).open("rb") as parent, pytest.raises(Exception, match="wrong password"):
        open_link("zip-member", parent, {"index": 0, "name": opened[0][0]}, password=WRONG.encode())


def test_7z_aes_is_an_unsupported_method_with_or_without_the_right_password(seized) -> None:
    folder, _photos = seized
    assert {note for _n, _m, note in _listing(folder / "album.7z", None)} == {NOTE_ENCRYPTED}
    for password in (PASSWORD, WRONG):
        assert {note for _n, _m, note in _listing(folder / "album.7z", password)} == {NOTE_UNSUPPORTED}


def test_a_wrong_password_that_passes_zipcryptos_check_byte_is_still_told(seized) -> None:
    """ZipCrypto checks one byte: about one wrong password in 256 passes, and the data then fails to
    inflate (zlib.error) or to give its CRC-32; the member says "wrong password", the walk goes on."""
    folder, _photos = seized
    archive = zipfile.ZipFile(folder / "photos.zip")
    info = archive.infolist()[0]
    for attempt in range(20_000):
        candidate = f"guess-{attempt}".encode()
        try:
            archive.open(info, pwd=candidate).close()
            break
        except RuntimeError:
            continue
    else:
        pytest.fail("no password passed the check byte")
    with (folder / "photos.zip").open("rb") as stream:
        tree = NestedTree(stream, "photos.zip", passwords={"": candidate})
        items = list(tree.items())
    assert len(items) == 3  # the other members were listed too
    first = items[0]
    assert first.md5 is None and first.error is not None and NOTE_WRONG_PASSWORD in first.error
