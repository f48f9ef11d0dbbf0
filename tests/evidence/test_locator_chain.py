"""Locators are chains: a nested item names its parent link, saves and reopens as one value."""

from __future__ import annotations

import json

from forensics.evidence.locator import FileLocator

TOP = FileLocator("EXH-01", 1048576, 88, 128, 3, None, "/Downloads/holiday.zip")


def test_a_file_system_entry_is_a_chain_of_one_link_saved_as_before() -> None:
    assert TOP.chain() == [TOP] and TOP.is_root and TOP.root() is TOP
    assert TOP.to_dict() == {
        "item": "EXH-01",
        "partition_offset": 1048576,
        "inode": 88,
        "attr_type": 128,
        "attr_id": 3,
        "stream": None,
        "path": "/Downloads/holiday.zip",
    }
    assert FileLocator.from_json(TOP.to_json()) == TOP


def test_a_nested_chain_saves_reopens_and_describes_itself() -> None:
    member = FileLocator.nested(TOP, "zip-member", "IMG_0042.jpg", {"index": 3, "offset": 1234})
    frame = FileLocator.nested(member, "frame", "frame@2.0s", {"seconds": 2.0})
    assert frame.chain() == [TOP, member, frame] and frame.root() == TOP and frame.item == "EXH-01"
    data = json.loads(frame.to_json())
    assert data["kind"] == "frame" and data["parent"]["kind"] == "zip-member"
    assert data["parent"]["parent"] == TOP.to_dict()
    again = FileLocator.from_json(frame.to_json())
    assert again == frame and hash(again) == hash(frame)
    assert member.parameters == {"index": 3, "offset": 1234}
    assert member.describe("ntfs") == (
        "IMG_0042.jpg, member of /Downloads/holiday.zip, NTFS at byte offset 1048576, evidence item EXH-01"
    )
    assert frame.describe("ntfs").startswith("frame@2.0s, frame of IMG_0042.jpg, member of /Downloads/")


def test_a_carved_run_is_a_root_link_with_its_byte_runs() -> None:
    carved = FileLocator.carved(
        "EXH-01", 1048576, "$CarvedFiles/f0001.jpg", [[2097152, 4096], [2105344, 512]]
    )
    assert carved.is_root and carved.parameters == {"runs": [[2097152, 4096], [2105344, 512]]}
    assert FileLocator.from_dict(carved.to_dict()) == carved
    assert (
        carved.describe("fat32")
        == "$CarvedFiles/f0001.jpg, carved from byte offset 2097152, evidence item EXH-01"
    )


def test_params_have_one_spelling_whatever_the_order_given() -> None:
    a = FileLocator.nested(TOP, "zip-member", "a", {"b": [1, {"y": 2, "x": 1}], "a": None})
    b = FileLocator.nested(TOP, "zip-member", "a", {"a": None, "b": [1, {"x": 1, "y": 2}]})
    assert a == b and a.to_json() == b.to_json()
