"""Archives, office documents, embedded files and disk images inside evidence: listed, hashed, reopened.

Ground truth: the MD5s of the files the fixture script put into each container (``facts.json``).
"""

from __future__ import annotations

import pytest

from forensics.evidence.nested.detect import detect_format
from forensics.evidence.nested.records import FLAG_ENCRYPTED, FLAG_UNSAFE_NAME
from tests.evidence.nested_helpers import reopen_md5, walk_file
from tests.fixtures import assert_unchanged

WITH_MEMBERS = [
    "photos.zip", "holiday.dat", "stored.zip", "album.tar", "album.tar.gz", "album.7z", "blob.bin",
    "report.doc", "report.docx", "report.odt", "inner.raw", "inner.E01", "inner.vmdk", "inner.qcow2",
    "inner.vhd", "inner.iso",
]  # fmt: skip


@pytest.fixture(scope="module")
def nested(fixture_nested_archives):
    return fixture_nested_archives.directory / "inputs", fixture_nested_archives.facts["nested"]


def _expected_md5s(facts: dict, name: str) -> set[str]:
    return {member["md5"] for member in facts[name]["members"]}


@pytest.mark.parametrize("name", WITH_MEMBERS)
def test_every_member_is_found_with_its_md5_and_reopens_to_the_same_bytes(nested, name):
    inputs, facts = nested
    path = inputs / name
    with assert_unchanged([path]):
        items, notes = walk_file(path, embedded=name.endswith(".bin"))
        found = {item.md5: item for item in items if item.md5}
        missing = _expected_md5s(facts, name) - set(found)
        assert not missing, f"{name}: members not found {missing}; notes {notes}"
        for md5 in _expected_md5s(facts, name):
            assert reopen_md5(path, found[md5]) == md5, f"{name}: {found[md5].chain_text()} reopened differs"


@pytest.mark.parametrize("name", WITH_MEMBERS)
def test_containers_are_named_by_content_not_by_name(nested, name):
    inputs, facts = nested
    with (inputs / name).open("rb") as stream:
        fmt = detect_format(stream)
    expected = facts[name]["format"]
    if expected == "embedded":
        assert fmt is None
    elif expected in ("ooxml", "odf"):
        assert fmt == "zip"
    elif expected in ("tar.gz",):
        assert fmt == "gzip"
    else:
        assert fmt == expected


def test_member_paths_in_zip_and_tar_are_those_stored(nested):
    inputs, facts = nested
    for name in ("photos.zip", "album.tar", "album.tar.gz", "album.7z"):
        items, _ = walk_file(inputs / name)
        listed = {(item.child.path, item.md5) for item in items if item.md5}
        expected = {(member["path"], member["md5"]) for member in facts[name]["members"]}
        assert listed == expected, name


def test_stored_zip_and_plain_tar_members_have_byte_runs_in_the_parent(nested):
    inputs, facts = nested
    for name in ("stored.zip", "album.tar"):
        path = inputs / name
        data = path.read_bytes()
        items, _ = walk_file(path)
        import hashlib

        checked = 0
        for item in items:
            if item.md5 is None:
                continue
            runs = item.child.byte_runs
            assert runs, f"{name}: {item.child.path} has no byte runs"
            content = b"".join(data[start : start + length] for _file_off, start, length in runs)
            assert hashlib.md5(content).hexdigest() == item.md5
            checked += 1
        assert checked == len(facts[name]["members"])


def test_encrypted_member_is_listed_and_flagged_and_a_password_opens_it(nested):
    inputs, facts = nested
    path = inputs / "secret.zip"
    member = facts["secret.zip"]["members"][0]
    items, _ = walk_file(path)
    assert [(i.child.path, i.child.size, i.md5) for i in items] == [(member["path"], member["size"], None)]
    assert FLAG_ENCRYPTED in items[0].child.flags
    assert items[0].child.note == "encrypted, not opened"
    password = facts["secret.zip"]["password"].encode()
    items, _ = walk_file(path, passwords={"": password})
    assert items[0].md5 == member["md5"]
    assert reopen_md5(path, items[0], password=password) == member["md5"]


def test_a_wrong_password_is_a_note_on_the_member_not_a_crash(nested):
    inputs, _ = nested
    items, _ = walk_file(inputs / "secret.zip", passwords={"": b"wrong"})
    # told from the member's header before any content is read: closed, flagged, with its note
    assert items[0].md5 is None and items[0].error is None
    assert items[0].child.note == "encrypted, not opened: wrong password"
    assert FLAG_ENCRYPTED in items[0].child.flags


def test_path_traversal_names_are_kept_as_names_and_flagged(nested):
    inputs, facts = nested
    items, _ = walk_file(inputs / "traversal.zip")
    by_path = {item.child.path: item for item in items}
    assert set(by_path) == {"../../evil.jpg", "abs/evil.jpg", "C:\\Windows\\evil.jpg"}
    assert FLAG_UNSAFE_NAME in by_path["../../evil.jpg"].child.flags
    assert FLAG_UNSAFE_NAME in by_path["C:\\Windows\\evil.jpg"].child.flags
    assert {item.md5 for item in items} == {m["md5"] for m in facts["traversal.zip"]["members"]}
    assert not (inputs.parent / "evil.jpg").exists() and not (inputs.parent.parent / "evil.jpg").exists()


@pytest.mark.parametrize("name", ["truncated-photos.zip", "truncated-album.tar.gz", "corrupt.E01"])
def test_truncated_and_corrupt_containers_give_notes_and_no_traceback(nested, name):
    inputs, _ = nested
    path = inputs / name
    with assert_unchanged([path]):
        items, notes = walk_file(path)
    assert notes or any(item.error for item in items), f"{name}: no note"
    assert all(name in note for note in notes)


def test_a_truncated_tar_gz_still_gives_the_members_before_the_cut(nested):
    inputs, facts = nested
    items, notes = walk_file(inputs / "truncated-album.tar.gz")
    whole = {m["md5"] for m in facts["album.tar.gz"]["members"]}
    read = {item.md5 for item in items if item.md5}
    assert read and read < whole
    assert any("ends early" in note for note in notes)


def test_nesting_deeper_than_the_limit_is_noted_and_not_opened(nested):
    inputs, facts = nested
    items, notes = walk_file(inputs / "deep.zip")
    assert max(item.depth for item in items) == 8
    assert facts["deep.zip"]["bottom"]["md5"] not in {item.md5 for item in items}
    assert any("nesting depth above 8: not opened" in note for note in notes)


def test_the_bottom_of_a_deep_chain_is_found_and_reopened_when_the_limit_allows(nested):
    from forensics.evidence.nested.limits import NestedLimits

    inputs, facts = nested
    path = inputs / "deep.zip"
    items, notes = walk_file(path, limits=NestedLimits(max_depth=12))
    bottom = [item for item in items if item.md5 == facts["deep.zip"]["bottom"]["md5"]]
    assert len(bottom) == 1 and bottom[0].depth == facts["deep.zip"]["levels"]
    assert reopen_md5(path, bottom[0]) == bottom[0].md5
    assert bottom[0].chain_text().startswith("Canon_40D.jpg < deep-01.zip < deep-02.zip")


def test_disk_image_members_carry_the_walker_record(nested):
    inputs, _ = nested
    items, _ = walk_file(inputs / "inner.E01")
    photo = next(item for item in items if item.child.path == "/DCIM/DSCN0010.jpg")
    assert photo.child.container_format == "fat16-in-ewf"
    assert photo.child.params["fs_offset"] == 0 and photo.child.params["inode"]
    assert photo.child.extra["entry"]["allocated"] is True


def test_a_zip_without_its_central_directory_gives_the_members_before_the_cut(nested):
    inputs, facts = nested
    path = inputs / "truncated-photos.zip"
    items, notes = walk_file(path)
    whole = {m["md5"] for m in facts["photos.zip"]["members"]}
    read = [item for item in items if item.md5]
    assert read and {item.md5 for item in read} < whole
    assert any("no central directory" in note for note in notes)
    for item in read:
        assert item.child.link_kind == "zip-local-member"
        assert reopen_md5(path, item) == item.md5
