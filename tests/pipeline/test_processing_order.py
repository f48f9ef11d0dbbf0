"""The processing order: ranks from the profile, the feed that hands items out rank by rank, heads typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.models import File, FileSystem
from forensics.core.errors import CustosError
from forensics.core.progress import Progress
from forensics.evidence.head_probe import HeadProbe
from forensics.pipeline.enumerate import enumerate_evidence
from forensics.pipeline.processing_order import (
    CONTAINER,
    PICTURE,
    VIDEO,
    extension_type,
    head_type,
    parse_order,
)
from forensics.pipeline.processing_profiles import load_profile
from forensics.pipeline.ranked_feed import RankedFeed
from forensics.pipeline.tasks import WorkItem
from tests.pipeline.first_alert_image import PHOTOS, first_alert_image  # noqa: F401 - a fixture

# The engine on both case stores (tests/backends.py).
pytestmark = pytest.mark.usefixtures("case_backend")

ORDER = load_profile("triage").order


class FakeEnumeration:
    """Stands in for the background enumeration: it stores nothing more, and ends when told."""

    def __init__(self, ended: bool) -> None:
        self.ended = ended

    def wait(self, timeout: float) -> None:
        pass

    def take_found(self) -> tuple[int, int]:
        return 0, 0


def test_types_come_from_the_extension_or_the_first_bytes() -> None:
    assert [extension_type(e) for e in ("JPG", "heic", "mp4", "zip", "E01", "docx")] == [
        PICTURE,
        PICTURE,
        VIDEO,
        CONTAINER,
        CONTAINER,
        CONTAINER,
    ]
    assert [extension_type(e) for e in ("txt", "dat", "ts", None, "")] == [None] * 5  # .dat/.ts are weak
    assert head_type(PHOTOS[0].read_bytes()[:4096]) == PICTURE
    assert head_type(b"\x00\x00\x00\x18ftypmp42" + bytes(20)) == VIDEO
    assert head_type(b"PK\x03\x04" + bytes(40)) == CONTAINER
    assert head_type(b"ID3\x03\x00" + bytes(40)) is None  # audio holds no picture
    assert head_type(b"Dear Sir,\n") is None


@pytest.mark.parametrize(
    ("path", "extension", "deleted", "link", "rank"),
    [
        ("/sdcard/DCIM/Camera/IMG_1.JPG", "jpg", False, None, 0),
        ("/storage/emulated/0/WhatsApp/Media/WhatsApp Images/IMG-1.jpg", "jpg", False, None, 0),
        ("/Users/x/Downloads/clip.mp4", "mp4", False, None, 0),
        ("/Windows/Temp/x.jpg", "jpg", True, None, 1),
        ("/data/data/com.whatsapp/cache/a.webp", "webp", False, None, 2),
        ("/$Unallocated", None, False, "unallocated", 3),
        ("/Download/holiday.zip", "zip", False, None, 4),
        ("/Program Files/app/logo.png", "png", False, None, 5),
        ("/backup/disk.E01", "e01", False, None, 6),
        ("/DCIM/notes.txt", "txt", False, None, 7),
    ],
)
def test_an_item_takes_the_rank_of_the_first_rule_it_meets(path, extension, deleted, link, rank) -> None:
    assert ORDER.rank(path, extension_type(extension), deleted, link) == rank


def test_a_type_read_from_the_head_could_raise_only_unnamed_items() -> None:
    assert ORDER.could_rise("/DCIM/IMG_1.bin", False, None, ORDER.last)  # a picture would be rank 0
    assert not ORDER.could_rise("/DCIM/IMG_1.jpg", False, None, 0)  # already first


def test_profile_order_sections_are_checked() -> None:
    with pytest.raises(CustosError, match="unknown types"):
        parse_order("p", {"rank": [{"name": "x", "types": ["photo"]}]})
    with pytest.raises(CustosError, match="needs a name"):
        parse_order("p", {"rank": [{"types": ["picture"]}]})
    with pytest.raises(CustosError, match="unknown keys"):
        parse_order("p", {"rank": [{"name": "x", "folder": "/DCIM"}]})
    with pytest.raises(CustosError, match="unknown \\[order\\] keys"):
        parse_order("p", {"ranks": []})
    assert not parse_order("p", {}).ranked  # no ranks: walk order
    assert load_profile("hashes").order.rules == ()


def _enumerated(case_with, image: Path) -> tuple[CaseDatabase, int]:
    db = case_with(image)
    with db.session() as s:
        evidence_id = s.scalar(select(FileSystem.evidence_id))
    assert enumerate_evidence(db, evidence_id)
    return db, evidence_id


def _paths(db: CaseDatabase) -> dict[int, str]:
    with db.session() as s:
        return {file_id: path for file_id, path in s.execute(select(File.id, File.path))}


def _drain(feed: RankedFeed) -> list[int]:
    """The ids of the items handed out for their whole processing (first-pass hashing left out)."""
    return [work.file_id for work in _drain_work(feed) if not work.hash_only]


def _drain_work(feed: RankedFeed) -> list[WorkItem]:
    return [work for batch in feed for work in batch]


def test_feed_hands_out_every_item_once_rank_by_rank(case_with, first_alert_image) -> None:  # noqa: F811
    image = first_alert_image[0]
    db, evidence_id = _enumerated(case_with, image)
    paths = _paths(db)
    feed = RankedFeed(
        db, evidence_id, "EXH-1", FakeEnumeration(ended=True), Progress(), ORDER, lambda: HeadProbe(image)
    )
    works = _drain_work(feed)
    hashed_first = [paths[w.file_id] for w in works if w.hash_only]
    handed = [paths[w.file_id] for w in works if not w.hash_only]
    assert sorted(handed) == sorted(paths.values())  # every pending item, once
    # the first rank was hashed before anything was handed out whole, then handed out again
    assert ORDER.hash_first and works[: len(hashed_first)] == [w for w in works if w.hash_only]
    assert sorted(hashed_first) == sorted(handed[: len(hashed_first)]) and len(hashed_first) == 6
    sizes = [w.size for w in works if w.hash_only]
    assert sizes == sorted(sizes)  # the first pass goes smallest first: more items checked per second
    first = [p for p in handed if p.endswith((".jpg", ".dat", ".zip"))]
    assert first == [
        "/DCIM/Camera/IMG_0001.jpg",  # user media folders, walk order
        "/DCIM/Camera/IMG_0002.jpg",
        "/DCIM/Camera/IMG_0003.jpg",
        "/Download/flyer.jpg",
        "/Pictures/old/_MG_0042.jpg",  # deleted, but in a media folder: rank 0 already
        "/WhatsApp/Media/WhatsApp Images/IMG-20231114-WA0007.jpg",
        "/Android/data/com.example.app/cache/image_manager/4f1e.jpg",  # an app cache
        "/Download/holiday.zip",  # archives in user media folders
        "/Documents/notes.dat",  # a picture by its head: other pictures
    ]
    assert handed.index("/Documents/notes.dat") < min(i for i, p in enumerate(handed) if p.endswith(".txt"))
    assert feed.header_checked >= 40 and feed.header_raised == 1  # the texts read, one picture found
    ids = {path: file_id for file_id, path in paths.items()}
    camera, letter = ids["/DCIM/Camera/IMG_0001.jpg"], ids["/Documents/letters/letter-000.txt"]
    assert feed.stage_of([letter, camera]) == ORDER.rank_name(0)  # the first rank the workers are on
    assert feed.stage_of([letter]) == ORDER.rank_name(ORDER.last)
    feed.forget([camera, letter])
    assert feed.stage_of([camera]) == feed.progress.stage  # none known: the rank being handed out


def test_only_the_first_rank_goes_out_while_the_walk_lists(case_with, first_alert_image) -> None:  # noqa: F811
    db, evidence_id = _enumerated(case_with, first_alert_image[0])
    paths = _paths(db)
    enumeration = FakeEnumeration(ended=False)
    feed = RankedFeed(db, evidence_id, "EXH-1", enumeration, Progress(), ORDER)
    listed: list[str] = []
    while batch := next(feed):  # small first batches (they grow), then none until the listing ends
        assert all(w.hash_only for w in batch)  # hashed first: their analysis comes once all is ranked
        listed += [paths[w.file_id] for w in batch]
    assert listed and all(
        ORDER.rank(p, extension_type(p.rsplit(".", 1)[-1]), False, None) == 0 for p in listed
    )
    assert next(feed) == []  # the rest waits for the end of the listing
    assert len(listed) == 6  # the pictures of DCIM, Download, Pictures (deleted) and WhatsApp
    assert feed.progress.stage == ORDER.rank_name(0)
    enumeration.ended = True
    rest = [paths[i] for i in _drain(feed)]
    assert sorted(rest) == sorted(paths.values()) and sorted(rest[: len(listed)]) == sorted(listed)


def test_a_big_first_rank_item_waits_for_the_walks_end_to_be_hashed(
    case_with,
    first_alert_image,  # noqa: F811
    monkeypatch,
) -> None:
    """While the walk lists, a first-rank item over ``QUICK_HOLD_BYTES`` is not hashed (a worker busy on
    a long video would delay the pictures listed after it); once the walk has ended it is hashed, still
    before any item's whole processing."""
    from forensics.pipeline import ranked_feed

    db, evidence_id = _enumerated(case_with, first_alert_image[0])
    paths = _paths(db)
    enumeration = FakeEnumeration(ended=False)
    first_rank = [
        w for w in _drain_work(RankedFeed(db, evidence_id, "E", FakeEnumeration(True), Progress(), ORDER))
    ]
    sizes = sorted(w.size for w in first_rank if w.hash_only)
    monkeypatch.setattr(ranked_feed, "QUICK_HOLD_BYTES", sizes[-1] - 1)  # the biggest one is held
    feed = RankedFeed(db, evidence_id, "EXH-1", enumeration, Progress(), ORDER)
    listed: list[WorkItem] = []
    while batch := next(feed):
        listed += batch
    assert sorted(w.size for w in listed) == sizes[:-1]  # all but the biggest
    assert feed.hashing_ahead  # the first pass is not over: the big one waits
    enumeration.ended = True
    rest = _drain_work(feed)
    assert not feed.hashing_ahead
    assert rest[0].hash_only and rest[0].size == sizes[-1]  # hashed once the walk is over, first
    assert all(not w.hash_only for w in rest[1:])
    assert sorted(paths[w.file_id] for w in rest[1:]) == sorted(paths.values())


def test_head_probe_reads_the_first_bytes_without_the_file_system(first_alert_image) -> None:  # noqa: F811
    image = first_alert_image[0]
    with HeadProbe(image) as probe:
        assert probe.head(None, "/x", 100) is None  # no stored runs: no guess
        assert probe.head("[[0, -1, 4096]]", "/x", 4096) is None  # starts sparse
        assert probe.head("not json", "/x", 10) is None
    folder = image.parent / "folder-source"
    (folder / "DCIM").mkdir(parents=True, exist_ok=True)
    (folder / "DCIM" / "a.bin").write_bytes(PHOTOS[0].read_bytes())
    with HeadProbe(folder) as probe:
        assert head_type(probe.head(None, "/DCIM/a.bin", 5000) or b"") == PICTURE
        assert probe.head(None, "/../../etc/passwd", 100) is None


def test_field_profile_is_triage_that_stops_at_the_first_alert() -> None:
    field, triage = load_profile("field"), load_profile("triage")
    assert field.until_first_alert and not triage.until_first_alert
    assert (field.tasks, field.order, field.video) == (triage.tasks, triage.order, triage.video)
    assert field.reduced_decode == triage.reduced_decode and field.nested == triage.nested
