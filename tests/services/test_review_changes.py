"""Review changes since a point of the custody log (what the GUI polls to show other examiners' marks),
on both case stores."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.models import CaseInfo, Evidence, File, FileSystem
from forensics.custody.examiners import create_examiner
from forensics.services import cases, review
from forensics.services.review_changes import latest_seq, review_changes_since
from tests.services_helpers import context

pytestmark = pytest.mark.usefixtures("case_backend")

EXAMINER = "Rita Reviewer"
PASSPHRASE = "review passphrase"


@pytest.fixture
def ctx(tmp_path):
    create_examiner(EXAMINER, "Lab", "R-1", PASSPHRASE)
    db = CaseDatabase(tmp_path / "case", create=True, examiner=EXAMINER)
    log = cases.begin_custody(db, EXAMINER, PASSPHRASE)
    with db.session() as s:
        s.add(
            CaseInfo(
                number="R-1",
                title="review",
                created_at="2026-01-01T00:00:00Z",
                created_by=EXAMINER,
                custos_version="test",
            )
        )
        ev = Evidence(
            item="E1", path="/x.dd", segments_json="[]", container="raw", added_at="2026-01-01T00:00:00Z"
        )
        s.add(ev)
        s.flush()
        fs = FileSystem(evidence_id=ev.id, offset=0, fs_type="fat", status="ok")
        s.add(fs)
        s.flush()
        for seq, name in enumerate(("a.jpg", "b.jpg", "c.jpg")):
            s.add(
                File(
                    evidence_id=ev.id,
                    filesystem_id=fs.id,
                    seq=seq,
                    path=f"/pics/{name}",
                    name=name,
                    inode=10 + seq,
                    kind="file",
                    allocated=True,
                    deleted=False,
                    orphan=False,
                    status="done",
                )
            )
    yield context(db, log)
    db.close()


def _ids(ctx) -> list[int]:
    with ctx.db.session() as s:
        return sorted(s.scalars(select(File.id)))


def test_marks_since_a_point_name_their_files_and_examiners(ctx):
    a, b, c = _ids(ctx)
    start = latest_seq(ctx)
    nothing = review_changes_since(ctx, start)
    assert not nothing.any and nothing.last_seq == start

    review.categorise(ctx, [a], 1, "US")
    review.tag(ctx, [b], "beach")
    review.record_view(ctx, c, view="hex")  # looking is not a mark
    changes = review_changes_since(ctx, start)
    assert changes.file_ids == {a, b} and changes.examiners == (EXAMINER,)
    assert changes.last_seq == latest_seq(ctx) and not changes.region_changed and not changes.truncated
    assert not review_changes_since(ctx, changes.last_seq).any  # asked again: nothing new

    review.note(ctx, [c], "same beach")
    later = review_changes_since(ctx, changes.last_seq)
    assert later.file_ids == {c}

    cases.set_region(ctx, "UK")
    assert review_changes_since(ctx, later.last_seq).region_changed


def test_a_long_backlog_is_read_in_bounded_steps(ctx):
    ids = _ids(ctx)
    start = latest_seq(ctx)
    review.categorise(ctx, ids, 2, "US")
    first = review_changes_since(ctx, start, limit=2)
    assert first.truncated and len(first.file_ids) == 2 and first.last_seq < latest_seq(ctx)
    rest = review_changes_since(ctx, first.last_seq, limit=2)
    assert not rest.truncated and first.file_ids | rest.file_ids == set(ids)
