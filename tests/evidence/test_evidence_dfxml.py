"""sleuthkit's image.dd and image.E01 against the fiwalk DFXML that The Sleuth Kit publishes for image.dd."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.data.expected import DATA_DIR, SLEUTHKIT_IMAGE_DD, SLEUTHKIT_IMAGE_E01, ExpectedImage
from tests.evidence.helpers import by_path, list_image
from tests.fixtures import assert_unchanged

NS = {"d": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"}
DFXML = DATA_DIR / "sleuthkit" / "image_dd.xml"


def _text(node: ET.Element, tag: str) -> str | None:
    found = node.find(f"d:{tag}", NS)
    return None if found is None else found.text


def dfxml_objects() -> list[dict]:
    """Every fileobject of the DFXML except '.' and '..' entries (which Custos does not list)."""
    objects = []
    for node in ET.parse(DFXML).getroot().iter(f"{{{NS['d']}}}fileobject"):
        name = _text(node, "filename")
        if name.split("/")[-1] in (".", ".."):
            continue
        inode = _text(node, "inode")
        size = _text(node, "filesize")
        objects.append(
            {
                "path": "/" + name,
                "inode": None if inode is None else int(inode),
                "size": None if size is None else int(size),
                "name_allocated": _text(node, "alloc_name") == "1",
                "hashes": {h.get("type"): h.text for h in node.findall("d:hashdigest", NS)},
            }
        )
    return objects


def test_dfxml_has_the_expected_shape() -> None:
    objects = dfxml_objects()
    assert len(objects) == 9
    assert sum(1 for o in objects if o["hashes"]) == 6
    assert sum(1 for o in objects if not o["name_allocated"]) == 2


@pytest.mark.parametrize("expected", [SLEUTHKIT_IMAGE_DD, SLEUTHKIT_IMAGE_E01], ids=lambda e: e.key)
def test_listing_and_hashes_agree_with_fiwalk(expected: ExpectedImage) -> None:
    with assert_unchanged(expected.paths):
        _, items = list_image(expected.path)
    listed = by_path(items, 0)
    for obj in dfxml_objects():
        got = listed.get(obj["path"])
        assert got is not None, f"{obj['path']} (fiwalk) not listed"
        assert got.entry.inode == obj["inode"], obj["path"]
        assert got.entry.size == obj["size"], obj["path"]
        assert got.entry.deleted == (not obj["name_allocated"]), obj["path"]
        if obj["hashes"]:
            assert (got.md5, got.sha1) == (obj["hashes"]["md5"], obj["hashes"]["sha1"]), obj["path"]
        if obj["inode"] is None:  # a deleted name without metadata: listed, marked, nothing to hash
            assert not got.entry.has_metadata and not got.entry.allocated and got.md5 is None
    # Nothing listed that fiwalk does not know, apart from TSK orphans (none in this image).
    assert set(listed) == {o["path"] for o in dfxml_objects()}
