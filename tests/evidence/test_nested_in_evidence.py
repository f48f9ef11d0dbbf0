"""Nested content of the files of a real file system: each file opened as a stream, its tree walked."""

from __future__ import annotations

from forensics.evidence.locator import FileLocator
from forensics.evidence.nested.item_stream import open_item_stream
from forensics.evidence.nested.openers import open_link, open_seekable
from forensics.evidence.nested.tree import NestedTree
from forensics.evidence.source import EvidenceSource
from forensics.evidence.survey import survey_image
from tests.evidence.nested_helpers import md5_stream
from tests.fixtures import assert_unchanged


def test_every_expected_member_is_found_inside_the_ext4_image_and_reopens(fixture_nested_archives):
    image = fixture_nested_archives.image
    facts = fixture_nested_archives.facts["nested"]
    expected = {
        (name, member["md5"]) for name, entry in facts.items() for member in entry.get("members", [])
        if not member.get("encrypted")
    }  # fmt: skip
    found: set[tuple[str, str]] = set()
    with assert_unchanged([image]):
        probe = survey_image(image).usable_filesystems[0]
        with EvidenceSource(image) as source:
            for entry in source.walker(probe.offset, probe.fs_type).walk():
                if entry.kind != "file" or not entry.path.startswith("/evidence/"):
                    continue
                locator = FileLocator(
                    "EXH-01", probe.offset, entry.inode, entry.attr_type, entry.attr_id, None, entry.path
                )
                stream = open_item_stream(source, locator, entry.size)
                tree = NestedTree(stream, entry.name, embedded=entry.name.endswith(".bin"))
                for item in tree.items():
                    if item.md5 is None:
                        continue
                    found.add((entry.name, item.md5))
                    if item.depth == 1:  # reopened from the file's own stream, as ingest would later
                        last = item.chain[-1]
                        assert md5_stream(open_link(last.kind, stream, last.params)) == item.md5
    assert expected <= found, sorted(expected - found)


def test_a_member_of_a_member_reopens_through_its_chain(fixture_nested_archives):
    image = fixture_nested_archives.image
    probe = survey_image(image).usable_filesystems[0]
    with EvidenceSource(image) as source:
        entry = next(e for e in source.walker(probe.offset, probe.fs_type).walk() if e.name == "deep.zip")
        locator = FileLocator(
            "EXH-01", probe.offset, entry.inode, entry.attr_type, entry.attr_id, None, entry.path
        )
        stream = open_item_stream(source, locator, entry.size)
        items = list(NestedTree(stream, entry.name).items())
        third = next(item for item in items if item.depth == 3)
        parent = stream
        for link in third.chain[:-1]:
            parent = open_seekable(link.kind, parent, link.params)
        assert md5_stream(open_link(third.chain[-1].kind, parent, third.chain[-1].params)) == third.md5
        assert [link.path for link in third.chain] == ["deep-09.zip", "deep-08.zip", "deep-07.zip"]
