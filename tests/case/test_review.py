"""The examiner's review API: categories, tags, notes, reveals; state in the case DB, history in custody."""

from __future__ import annotations

import pytest

from forensics.case.db import CaseDatabase
from forensics.case.models import Evidence, File, FileSystem
from forensics.case.queries import review as queries
from forensics.core.errors import CaseError
from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.services import review
from forensics.services.cases import begin_custody
from tests.services_helpers import context

PASSPHRASE = "review passphrase"


@pytest.fixture
def case(tmp_path):
    create_examiner("Rita Reviewer", "Lab", "R-1", PASSPHRASE)
    db = CaseDatabase(tmp_path / "case", create=True)
    log = begin_custody(db, "Rita Reviewer", PASSPHRASE)
    with db.session() as s:
        ev = Evidence(
            item="E1", path="/x.E01", segments_json="[]", container="ewf", added_at="2026-01-01T00:00:00Z"
        )
        s.add(ev)
        s.flush()
        fs = FileSystem(evidence_id=ev.id, offset=1048576, fs_type="ntfs", status="ok")
        s.add(fs)
        s.flush()
        for seq, (name, md5) in enumerate([("a.jpg", "aa"), ("b.jpg", "bb"), ("c.jpg", "aa")]):
            s.add(
                File(
                    evidence_id=ev.id,
                    filesystem_id=fs.id,
                    seq=seq,
                    path=f"/pics/{name}",
                    name=name,
                    inode=40 + seq,
                    kind="file",
                    allocated=True,
                    deleted=False,
                    orphan=False,
                    md5=md5,
                    status="done",
                )
            )
    yield db, log
    db.close()


def test_categorise_tag_note_reveal_are_stored_and_signed(case, tmp_path):
    db, log = case
    assert review.categorise(context(db, log), [1, 2], 1, "US") == 2
    assert (
        review.categorise(context(db, log), [2], 4, "us") == 1
    )  # recategorised; region name is case-insensitive
    assert review.tag(context(db, log), [1, 3], "beach") == 2
    assert review.tag(context(db, log), [1], "beach") == 0  # already there: no new event
    assert review.note(context(db, log), [3], "same as a.jpg") == 1
    review.record_reveal(context(db, log), 2)
    review.record_view(context(db, log), 2, view="hex")

    first, second, third = (queries.review_of(db, i) for i in (1, 2, 3))
    assert (first.category, first.category_label, first.region) == (1, "Child Abuse Material (CAM)", "US")
    assert (second.category, second.category_label) == (4, "Comparison Images")
    assert (
        third.category is None
        and third.tags == ["beach"]
        and third.notes[0][1:] == ("Rita Reviewer", "same as a.jpg")
    )
    assert queries.categorised_files(db) == {1: 1, 2: 4}

    events = [e for e in read_entries(db) if e.action.startswith("file_")]
    assert [(e.action, e.target["path"]) for e in events] == [
        ("file_categorised", "/pics/a.jpg"),
        ("file_categorised", "/pics/b.jpg"),
        ("file_categorised", "/pics/b.jpg"),
        ("file_tagged", "/pics/a.jpg"),
        ("file_tagged", "/pics/c.jpg"),
        ("file_noted", "/pics/c.jpg"),
        ("file_revealed", "/pics/b.jpg"),
        ("file_viewed", "/pics/b.jpg"),
    ]
    assert events[2].details["previous"] == 1 and events[2].details["category"] == 4
    assert all(e.item == "E1" and e.target["partition_offset"] == 1048576 for e in events)
    assert verify_case(tmp_path / "case").ok


def test_bad_review_input_is_refused(case):
    db, log = case
    with pytest.raises(CaseError):
        review.categorise(context(db, log), [1], 99, "US")
    with pytest.raises(CaseError):
        review.tag(context(db, log), [1], "   ")
    with pytest.raises(CaseError):
        review.note(context(db, log), [12345], "no such file")
    assert queries.categorised_files(db) == {}
    assert not [e for e in read_entries(db) if e.action.startswith("file_")]
