"""Files embedded at an offset inside another file, found by content (e.g. a JPEG inside a binary blob).

The item's bytes are carved at every byte offset with the carver's validators; the item itself (a
picture found at offset 0 with the item's whole length) is not a child of itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from forensics.evidence.carving.model import PARTIAL
from forensics.evidence.carving.scanner import CarveOptions, carve_run
from forensics.evidence.carving.signatures import SIGNATURES
from forensics.evidence.nested.limits import Budget, NestedLimits
from forensics.evidence.nested.records import EMBEDDED, FLAG_PARTIAL, NestedChild
from forensics.evidence.nested.streams import iter_stream, range_stream, read_at_of, stream_size


class EmbeddedReader:
    """Lists the files found by content inside one item."""

    def __init__(self, parent: BinaryIO, limits: NestedLimits, where: str, signatures=SIGNATURES) -> None:  # noqa: ANN001
        self._parent = parent
        self._limits = limits
        self._where = where
        self._size = stream_size(parent)
        self._options = CarveOptions(align=1, signatures=tuple(signatures))
        self.format = "embedded"
        self.notes: list[str] = []

    def children(self) -> Iterator[NestedChild]:
        budget = Budget(self._limits, self._where)
        read_at = read_at_of(self._parent)
        for carved in carve_run(read_at, 0, self._size, self._options):
            if carved.offset == 0 and carved.length == self._size:
                continue
            budget.member()
            child = NestedChild(
                link_kind=EMBEDDED,
                path=carved.name(),
                size=carved.length,
                params=carved.params(),
                container_format="embedded",
                byte_runs=[[0, carved.offset, carved.length]],
            )
            if carved.status == PARTIAL:
                child.flags.append(FLAG_PARTIAL)
                child.note = carved.note
            child._content = self._content(carved.offset, carved.length)
            yield child

    def _content(self, offset: int, length: int):  # noqa: ANN202
        return lambda chunk_size: iter_stream(range_stream(self._parent, offset, length), chunk_size)
