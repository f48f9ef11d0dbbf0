"""Defences: zip bombs (a 10 GiB member, a 42.zip-style nest, a gzip of zeros), member count, expanded
bytes, time; each stops with a note naming what and where, the rest goes on, evidence is unchanged."""

from __future__ import annotations

import time

import psutil

from forensics.evidence.nested.limits import NestedLimits
from forensics.evidence.nested.records import FLAG_STOPPED
from tests.evidence.nested_helpers import walk_file
from tests.fixtures import assert_unchanged

MEMORY_BOUND = 1 << 30


def _walk_bounded(path, **options):
    process = psutil.Process()
    before = process.memory_info().rss
    started = time.monotonic()
    items, notes = walk_file(path, **options)
    return items, notes, time.monotonic() - started, process.memory_info().rss - before


def test_a_member_of_10_gib_of_zeros_is_stopped_before_it_is_expanded(fixture_nested_bombs):
    path = fixture_nested_bombs.directory / "zeros10g.zip"
    with assert_unchanged([path]):
        items, notes, seconds, grown = _walk_bounded(path)
    assert [(item.child.path, item.child.size, item.md5) for item in items] == [("zeros.bin", 10 << 30, None)]
    assert FLAG_STOPPED in items[0].child.flags
    assert items[0].child.note.startswith("expansion ratio above 100: stopped")
    assert seconds < 30 and grown < MEMORY_BOUND


def test_a_gzip_of_zeros_is_stopped_by_the_measured_ratio(fixture_nested_bombs):
    path = fixture_nested_bombs.directory / "zeros1g.gz"
    with assert_unchanged([path]):
        items, notes, seconds, grown = _walk_bounded(path)
    assert len(items) == 1 and items[0].md5 is None
    assert "expansion ratio above 100: stopped" in items[0].error
    assert seconds < 30 and grown < MEMORY_BOUND


def test_a_42_zip_style_nest_is_stopped_and_reported(fixture_nested_bombs):
    path = fixture_nested_bombs.directory / "nested42.zip"
    with assert_unchanged([path]):
        items, notes, seconds, grown = _walk_bounded(path)
    assert any("expansion ratio above 100" in note for note in notes), notes
    assert not any(item.md5 and item.child.size == 1 << 30 for item in items)  # no leaf was expanded
    assert seconds < 60 and grown < MEMORY_BOUND


def test_member_count_limit(fixture_nested_archives):
    path = fixture_nested_archives.directory / "inputs" / "photos.zip"
    items, notes = walk_file(path, limits=NestedLimits(max_members=2))
    assert len(items) == 2
    assert notes == ["photos.zip: more than 2 members: stopped"]


def test_expanded_bytes_limit(fixture_nested_archives):
    path = fixture_nested_archives.directory / "inputs" / "photos.zip"
    items, notes = walk_file(path, limits=NestedLimits(max_expanded_bytes=200_000))
    assert items[0].md5 is not None  # the first member (161,713 bytes) fits
    assert items[1].md5 is None and "more than 200000 expanded bytes: stopped" in items[1].child.note
    assert len(items) == 2  # a container-wide limit: no further member is read
    assert any("expanded bytes" in note for note in notes)


def test_time_limit(fixture_nested_archives):
    path = fixture_nested_archives.directory / "inputs" / "album.tar.gz"
    items, notes = walk_file(path, limits=NestedLimits(max_seconds=0.0))
    assert any("reading took over 0 s: stopped" in note for note in notes)
    assert all(item.md5 is None for item in items)
