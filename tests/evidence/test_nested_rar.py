"""RAR v3 and v5 archives (rarfile's own test archives) read through libarchive, no unrar binary.

Ground truth: rarfile's expected dumps (``.exp``) beside each archive: member names, sizes and CRC32s.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

import pytest

from forensics.evidence.nested.records import FLAG_ENCRYPTED
from forensics.evidence.nested.walk import open_container
from tests.evidence.nested_helpers import md5_stream
from tests.fixtures import assert_unchanged

RAR = Path(__file__).resolve().parents[1] / "data" / "rarfile"


def expected_members(name: str) -> dict[str, tuple[int, int]]:
    """name -> (unpacked size, CRC32) of each file member in rarfile's dump."""
    text = (RAR / f"{name}.exp").read_text(encoding="utf-8")
    members = {}
    for block in re.split(r"\n(?=\S)", text):
        size = re.search(r"\bdec=(\d+)", block)
        crc = re.search(r"\bcrc=0x([0-9a-f]+)", block)
        path = re.search(r"\bname=(.+)", block)
        if size and crc and path and "mode=d" not in block:
            members[path.group(1).strip()] = (int(size.group(1)), int(crc.group(1), 16))
    return members


def read_members(name: str) -> tuple[str, dict[str, tuple[int, int, list[str]]], list[str]]:
    """(format, path -> (size, CRC32 of the bytes read or -1, flags), notes)."""
    path = RAR / name
    found: dict[str, tuple[int, int, list[str]]] = {}
    with assert_unchanged([path]), path.open("rb") as stream:
        walk = open_container(stream, name=name)
        assert walk is not None
        for child in walk.children():
            if child.kind != "file":
                continue
            crc = -1
            if child.readable:
                crc = 0
                for data in child.chunks():
                    crc = zlib.crc32(data, crc)
            found[child.path] = (child.size, crc, list(child.flags))
    return walk.format, found, walk.notes


@pytest.mark.parametrize("name", ["rar3-subdirs.rar", "rar5-subdirs.rar", "rar5-crc.rar", "rar5-solid.rar"])
def test_members_have_the_names_sizes_and_crc32_rarfile_published(name):
    fmt, found, notes = read_members(name)
    assert fmt == ("rar5" if name.startswith("rar5") else "rar")
    expected = expected_members(name)
    assert expected and {path: (size, crc) for path, (size, crc, _f) in found.items()} == expected, notes


def test_rar3_solid_archive_gives_its_first_member_and_a_note_for_the_rest():
    # libarchive 3.6 cannot read on in a RAR 3 solid archive: the rest is a note, never a crash.
    _fmt, found, notes = read_members("rar3-solid.rar")
    expected = expected_members("rar3-solid.rar")
    assert found["stest1.txt"][:2] == expected["stest1.txt"]
    assert any("rar3-solid.rar" in note for note in notes)


@pytest.mark.parametrize("name", ["rar3-comment-psw.rar", "rar5-psw.rar"])
def test_encrypted_members_are_listed_flagged_and_not_opened(name):
    _fmt, found, _notes = read_members(name)
    assert found
    first = next(iter(found.values()))
    assert FLAG_ENCRYPTED in first[2] and first[1] == -1
    if name.startswith("rar5"):
        assert set(found) == set(expected_members(name))
        assert all(FLAG_ENCRYPTED in flags and crc == -1 for _size, crc, flags in found.values())


def test_an_archive_with_encrypted_headers_is_a_note():
    _fmt, found, notes = read_members("rar5-hpsw.rar")
    assert found == {}
    assert notes == ["rar5-hpsw.rar: archive headers are encrypted, not opened"]


def test_rar_members_reopen_by_index_to_the_same_bytes():
    from forensics.evidence.nested.openers import open_link

    path = RAR / "rar5-subdirs.rar"
    with path.open("rb") as stream:
        walk = open_container(stream, name=path.name)
        listed = []
        for child in walk.children():
            if child.readable:
                import hashlib

                listed.append(
                    (child.link_kind, dict(child.params), hashlib.md5(b"".join(child.chunks())).hexdigest())
                )
        for kind, params, md5 in listed:
            assert md5_stream(open_link(kind, stream, params)) == md5
