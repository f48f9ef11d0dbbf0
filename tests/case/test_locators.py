"""Stored locators: a row becomes its chain in one place, nested items through ``parent_id``."""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics.case.db import CaseDatabase
from forensics.case.locators import file_locators, link_json
from forensics.case.models import Evidence, File, FileSystem
from forensics.core.errors import CaseError
from forensics.evidence.locator import FileLocator


@pytest.fixture
def db(tmp_path: Path):
    database = CaseDatabase(tmp_path / "case", create=True)
    with database.session() as s:
        ev = Evidence(item="EXH-01", path="/x.E01", segments_json="[]", container="ewf", added_at="now")
        s.add(ev)
        s.flush()
        fs = FileSystem(evidence_id=ev.id, offset=1048576, fs_type="ntfs", status="ok")
        s.add(fs)
        s.flush()
        common = {"evidence_id": ev.id, "filesystem_id": fs.id, "kind": "file", "allocated": True}
        common |= {"deleted": False, "orphan": False}
        zip_row = File(id=1, seq=1, path="/Downloads/holiday.zip", name="holiday.zip", inode=88, **common)
        s.add(zip_row)
        s.flush()
        holder = FileLocator("EXH-01", 1048576, 88, None, None, None, "/Downloads/holiday.zip")
        s.add(
            File(
                id=2,
                seq=0,
                parent_id=1,
                path="IMG_0042.jpg",
                name="IMG_0042.jpg",
                link_json=link_json(FileLocator.nested(holder, "zip-member", "IMG_0042.jpg", {"index": 3})),
                **common,
            )
        )
        carved = FileLocator.carved("EXH-01", 1048576, "$CarvedFiles/f1.jpg", [[2097152, 4096]])
        s.add(
            File(
                id=3, seq=2, path="$CarvedFiles/f1.jpg", name="f1.jpg", link_json=link_json(carved), **common
            )
        )
    yield database
    database.close()


def test_a_file_system_entry_stores_no_link_and_reads_back_as_before(db) -> None:
    item, locator = file_locators(db, [1])[1]
    assert item == "EXH-01" and link_json(locator) is None
    assert locator == FileLocator("EXH-01", 1048576, 88, None, None, None, "/Downloads/holiday.zip")


def test_a_member_is_rebuilt_through_its_parent(db) -> None:
    _item, member = file_locators(db, [2])[2]
    assert [link.kind for link in member.chain()] == ["file", "zip-member"]
    assert member.parent == file_locators(db, [1])[1][1]
    assert member.parameters == {"index": 3}
    assert member.describe("ntfs").startswith("IMG_0042.jpg, member of /Downloads/holiday.zip, NTFS")


def test_a_carved_item_is_a_root_link_with_its_runs(db) -> None:
    _item, carved = file_locators(db, [3])[3]
    assert carved.is_root and carved.kind == "carved" and carved.parameters == {"runs": [[2097152, 4096]]}


def test_unknown_ids_are_refused(db) -> None:
    with pytest.raises(CaseError, match="no such file"):
        file_locators(db, [1, 99])
