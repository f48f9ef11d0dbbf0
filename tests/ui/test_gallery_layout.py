"""Geometry of the grouped grid: header bands, tile positions, hit tests, rectangles and arrow keys."""

from __future__ import annotations

from PySide6.QtCore import QRect

from ui.views.gallery_layout import GalleryLayout, GridMetrics

# Cells 100x120, headers 30, margin 4, gap 8; 2*4 + 3*100 = 308 wide: three columns.
METRICS = GridMetrics(cell_width=100, cell_height=120, header_height=30, margin=4, gap=8)


def layout(*counts: int) -> GalleryLayout:
    return GalleryLayout(list(counts), 308, METRICS)


def test_groups_stack_header_then_lines_of_tiles():
    grid = layout(5, 3, 1)
    assert grid.columns == 3 and grid.tile_count == 9
    assert [grid.visual_rows(g) for g in range(3)] == [2, 1, 1]
    # Group 0: header at 4, two lines (240), gap 8 -> group 1 starts at 282; group 2 at 282+30+120+8.
    assert grid.tops == [4, 282, 440]
    assert grid.height == 440 + 30 + 120 + 8 + 4
    assert grid.header_rect(1) == QRect(4, 282, 300, 30)
    assert GalleryLayout([1], 350, METRICS).header_rect(0) == QRect(4, 4, 342, 30)  # spans the view
    assert grid.tile_rect(0) == QRect(4, 34, 100, 120)
    assert grid.tile_rect(4) == QRect(104, 154, 100, 120)  # second line, second column
    assert grid.tile_rect(5) == QRect(4, 312, 100, 120)  # first tile of group 1, under its header
    assert grid.tile_rect(9).isNull()


def test_point_lookups_tell_headers_tiles_and_gaps_apart():
    grid = layout(5, 3, 1)
    assert grid.header_at(50, 290) == 1 and grid.tile_at(50, 290) == -1
    assert grid.tile_at(150, 200) == 4
    assert grid.tile_at(250, 200) == -1  # the empty end of group 0's second line
    assert grid.tile_at(50, 278) == -1  # the gap after group 0
    assert grid.tile_at(2, 50) == -1  # the margin
    assert grid.nearest_tile(250, 200) == 4
    assert grid.group_of(6) == 1 and grid.group_of(-1) == -1


def test_rectangles_cover_runs_of_tiles_across_groups():
    grid = layout(5, 3, 1)
    # The whole width from group 0's second line into group 1: 3..4 then 5..7 merge into one run.
    assert grid.tile_ranges_in(QRect(0, 160, 308, 160)) == [(3, 7)]
    # Only the middle column: one tile per line.
    assert grid.tile_ranges_in(QRect(120, 0, 20, 600)) == [(1, 1), (4, 4), (6, 6)]
    assert list(grid.groups_between(0, 300)) == [0, 1]


def test_arrow_keys_cross_group_borders_keeping_the_column():
    grid = layout(5, 3, 1)
    assert grid.below(1) == 4
    assert grid.below(2) == 4  # no tile under column 3: the last tile of the next line
    assert grid.below(4) == 6  # from group 0's last line into group 1, same column
    assert grid.below(7) == 8  # into group 2, which has one tile only
    assert grid.below(8) == 8  # nothing further down
    assert grid.above(6) == 4  # back into group 0's last line, same column
    assert grid.above(5) == 3
    assert grid.above(8) == 5
    assert grid.above(0) == 0


def test_fifty_thousand_tiles_lay_out_from_group_sizes_only():
    grid = GalleryLayout([50] * 1000, 1366, METRICS)
    assert grid.tile_count == 50_000 and grid.columns == 13
    last = grid.tile_rect(49_999)
    assert grid.tile_at(last.center().x(), last.center().y()) == 49_999
    assert grid.height > last.bottom()
