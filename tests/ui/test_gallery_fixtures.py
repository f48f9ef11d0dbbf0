"""Generated gallery data for the grid tests: tens of thousands of tiles without a case behind them.

``SyntheticSession`` answers the two calls the gallery model makes of a case (``thumbnails`` and
``categorised``) from a few generated JPEGs and counts what it is asked for, so a test can prove the
grid fetches thumbnails lazily, page by page, for visible tiles only.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage, QPainter

from forensics.case.queries.gallery import GroupSummary
from ui.adapter import GalleryEntry

PATTERNS = 6


def striped_jpeg(seed: int, size: int = 256) -> bytes:
    """A JPEG with stripes 8 pixels wide in a colour that depends on ``seed`` (sharp edges to compare)."""
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    colour = QColor.fromHsv((seed * 57) % 360, 200, 180)
    for x in range(0, size, 16):
        painter.fillRect(x, 0, 8, size, colour)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPG", 95)
    return bytes(data.data())


class SyntheticSession:
    """Stands in for ``CaseSession`` where the gallery model reads thumbnails; records every request."""

    def __init__(self) -> None:
        self.images = [striped_jpeg(seed) for seed in range(PATTERNS)]
        self.requests: list[int] = []  # size of each thumbnails() batch

    def thumbnails(self, ids: list[int]) -> dict[int, bytes]:
        self.requests.append(len(ids))
        return {file_id: self.images[file_id % PATTERNS] for file_id in ids}

    def categorised(self) -> dict[int, int]:
        return {}


def synthetic_entries(groups: int, per_group: int, hit_every: int = 0) -> list[GalleryEntry]:
    """``groups`` folders of ``per_group`` tiles; with ``hit_every`` every n-th file has an alert hit."""
    entries = []
    for group in range(groups):
        name = f"/generated/folder{group:05d}/"
        rows = range(group * per_group, (group + 1) * per_group)
        hits = [bool(hit_every) and row % hit_every == 0 for row in rows]
        summary = GroupSummary(per_group, sum(hits), 0, sum(hits))
        entries.extend(
            GalleryEntry(row + 1, name, 1, f"IMG_{row:06d}.jpg", hit, summary)
            for row, hit in zip(rows, hits, strict=True)
        )
    return entries


def test_synthetic_entries_are_grouped_and_counted():
    entries = synthetic_entries(3, 4, hit_every=2)
    assert len(entries) == 12 and len({e.group for e in entries}) == 3
    assert [e.summary.hits for e in entries[::4]] == [2, 2, 2]
    assert not QImage.fromData(striped_jpeg(1)).isNull()
