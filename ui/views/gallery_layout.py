"""Geometry of the grouped gallery grid: a header band per group, then its tiles in rows.

Pure arithmetic over group sizes (no widgets): where a tile or a header is, what lies under a point,
which tiles a rectangle covers and where the arrow keys lead. Building it is O(groups), every lookup a
bisection, so 50,000 tiles in thousands of groups lay out at once and scroll without touching the tiles.
Coordinates are the grid's content coordinates (scroll offset not applied).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRect


@dataclass(frozen=True)
class GridMetrics:
    """Sizes in logical pixels: a tile cell, a header band, the outer margin and the gap after a group."""

    cell_width: int
    cell_height: int
    header_height: int
    margin: int = 4
    gap: int = 8


class GalleryLayout:
    """Positions of ``counts[g]`` tiles per group, groups stacked top to bottom in a ``width`` wide view."""

    def __init__(self, counts: Sequence[int], width: int, metrics: GridMetrics) -> None:
        self.metrics = metrics
        self.counts = list(counts)
        self.columns = max(1, (width - 2 * metrics.margin) // metrics.cell_width)
        self.band_width = max(self.columns * metrics.cell_width, width - 2 * metrics.margin)
        self.firsts: list[int] = []
        self.tops: list[int] = []
        row = 0
        y = metrics.margin
        for count in self.counts:
            self.firsts.append(row)
            self.tops.append(y)
            row += count
            y += (
                metrics.header_height
                + self.visual_rows(len(self.tops) - 1) * metrics.cell_height
                + metrics.gap
            )
        self.tile_count = row
        self.height = y + metrics.margin

    # -- lookups --------------------------------------------------------------------------------------
    def visual_rows(self, group: int) -> int:
        """Lines of tiles the group takes."""
        return -(-self.counts[group] // self.columns)

    def group_of(self, row: int) -> int:
        """The group holding tile ``row`` (-1 if there is no such tile)."""
        if not 0 <= row < self.tile_count:
            return -1
        return bisect_right(self.firsts, row) - 1

    def header_rect(self, group: int) -> QRect:
        """A group's header band: across the whole view (at least across its columns)."""
        m = self.metrics
        return QRect(m.margin, self.tops[group], self.band_width, m.header_height)

    def tile_rect(self, row: int) -> QRect:
        group = self.group_of(row)
        if group < 0:
            return QRect()
        line, column = divmod(row - self.firsts[group], self.columns)
        m = self.metrics
        return QRect(
            m.margin + column * m.cell_width,
            self.tops[group] + m.header_height + line * m.cell_height,
            m.cell_width,
            m.cell_height,
        )

    def group_at_y(self, y: int) -> int:
        """The group whose band (header, tiles, gap) holds height ``y``, clamped to the first/last."""
        if not self.tops:
            return -1
        return max(0, bisect_right(self.tops, y) - 1)

    def header_at(self, x: int, y: int) -> int:
        """The group whose header is under the point, else -1."""
        group = self.group_at_y(y)
        return group if group >= 0 and self.header_rect(group).contains(x, y) else -1

    def tile_at(self, x: int, y: int) -> int:
        """The tile under the point, else -1 (headers, gaps and the empty end of a line hold none)."""
        group = self.group_at_y(y)
        if group < 0:
            return -1
        m = self.metrics
        dy = y - self.tops[group] - m.header_height
        dx = x - m.margin
        if dy < 0 or dx < 0 or dx >= self.columns * m.cell_width:
            return -1
        line, column = dy // m.cell_height, dx // m.cell_width
        if line >= self.visual_rows(group):
            return -1
        index = line * self.columns + column
        return self.firsts[group] + index if index < self.counts[group] else -1

    def nearest_tile(self, x: int, y: int) -> int:
        """The tile closest to the point (for paging): clamped to the group's lines and columns."""
        group = self.group_at_y(y)
        if group < 0:
            return -1
        m = self.metrics
        line = min(
            max(0, (y - self.tops[group] - m.header_height) // m.cell_height), self.visual_rows(group) - 1
        )
        column = min(max(0, (x - m.margin) // m.cell_width), self.columns - 1)
        return self.firsts[group] + min(line * self.columns + column, self.counts[group] - 1)

    def groups_between(self, top: int, bottom: int) -> range:
        """Groups whose band meets heights ``top..bottom`` (what a paint of that strip must draw)."""
        if not self.tops:
            return range(0)
        return range(self.group_at_y(top), self.group_at_y(bottom) + 1)

    def tile_ranges_in(self, rect: QRect) -> list[tuple[int, int]]:
        """Inclusive ``(first, last)`` runs of tiles meeting ``rect``; whole lines merge into one run."""
        m = self.metrics
        col0 = max(0, (rect.left() - m.margin) // m.cell_width)
        col1 = min(self.columns - 1, (rect.right() - m.margin) // m.cell_width)
        if col1 < col0 or rect.right() < m.margin:
            return []
        runs: list[tuple[int, int]] = []
        for group in self.groups_between(rect.top(), rect.bottom()):
            lines_top = self.tops[group] + m.header_height
            line0 = max(0, (rect.top() - lines_top) // m.cell_height)
            line1 = min(self.visual_rows(group) - 1, (rect.bottom() - lines_top) // m.cell_height)
            last_tile = self.firsts[group] + self.counts[group] - 1
            for line in range(line0, line1 + 1):
                start = self.firsts[group] + line * self.columns
                first, last = start + col0, min(start + col1, last_tile)
                if first > last:
                    continue
                if runs and runs[-1][1] + 1 == first:
                    runs[-1] = (runs[-1][0], last)
                else:
                    runs.append((first, last))
        return runs

    # -- keyboard -------------------------------------------------------------------------------------
    def below(self, row: int) -> int:
        """Tile under ``row``: same column on the next line, crossing into the next group."""
        group = self.group_of(row)
        index = row - self.firsts[group]
        column = index % self.columns
        if index + self.columns - column < self.counts[group]:
            return self.firsts[group] + min(index + self.columns, self.counts[group] - 1)
        if group + 1 < len(self.counts):
            return self.firsts[group + 1] + min(column, self.counts[group + 1] - 1)
        return row

    def above(self, row: int) -> int:
        """Tile over ``row``: same column on the line before, crossing into the group before."""
        group = self.group_of(row)
        index = row - self.firsts[group]
        column = index % self.columns
        if index >= self.columns:
            return row - self.columns
        if group > 0:
            previous = group - 1
            last_line = self.visual_rows(previous) - 1
            return self.firsts[previous] + min(last_line * self.columns + column, self.counts[previous] - 1)
        return row
