"""OLE compound files (.doc, .xls, .ppt, .msg, embedded objects): pictures and objects inside their streams.

Office binary formats keep pictures inside streams (Word's ``Data`` and ``WordDocument``, PowerPoint's
``Pictures``, Excel's ``Workbook``) as records whose payload is the picture file itself. Each stream is
read through its sector chain (never loaded whole: a regular stream is a seekable view over the parent)
and carved with the carver's validators at any byte offset; every file found is a child, located by
stream name, offset and length, with its byte runs in the parent.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.carving.model import PARTIAL
from forensics.evidence.carving.scanner import CarveOptions, carve_run
from forensics.evidence.carving.signatures import select
from forensics.evidence.nested.limits import Budget, NestedLimits
from forensics.evidence.nested.records import FLAG_PARTIAL, OLE_EMBEDDED, NestedChild
from forensics.evidence.nested.streams import ReadAtStream, iter_stream, range_stream, read_at_of

OLE_ERRORS = (OSError, ValueError, IndexError, KeyError, TypeError, RecursionError, AssertionError)
# Carved inside streams: pictures, videos, PDFs and zips (embedded OOXML packages).
EMBEDDED_FAMILIES = {"picture", "video", "document", "archive"}
END_OF_CHAIN = 0xFFFFFFFE


def _olefile():
    try:
        import olefile
    except ImportError as exc:
        raise EvidenceError(f"olefile is not available: {exc}") from exc
    return olefile


def open_ole(parent: BinaryIO, where: str):  # noqa: ANN201 - olefile.OleFileIO
    """The parent as an OleFileIO (read-only, over the stream)."""
    olefile = _olefile()
    parent.seek(0)
    try:
        return olefile.OleFileIO(parent)
    except OLE_ERRORS as exc:
        raise EvidenceError(f"{where}: not a readable OLE compound file: {exc}") from exc


def _sector_chain(ole, start: int, size: int) -> list[int]:  # noqa: ANN001
    chain: list[int] = []
    sector = start
    needed = (size + ole.sectorsize - 1) // ole.sectorsize
    while sector != END_OF_CHAIN and len(chain) < needed:
        if sector < 0 or sector >= len(ole.fat) or len(chain) > len(ole.fat):
            raise EvidenceError(f"broken sector chain at sector {sector}")
        chain.append(sector)
        sector = ole.fat[sector]
    if len(chain) < needed:
        raise EvidenceError(f"sector chain ends after {len(chain)} of {needed} sectors")
    return chain


class OleStreamView:
    """A stream of an OLE file as a seekable view with its offsets mapped to the parent's bytes."""

    def __init__(self, ole, parent: BinaryIO, path: str) -> None:  # noqa: ANN001
        self.path = path
        entry = ole.direntries[ole._find(path)]
        self.size = int(entry.size)
        self._sector_size = ole.sectorsize
        if self.size < ole.minisectorcutoff:
            data = ole.openstream(path).read()  # a mini stream: under 4 KiB
            self._chain = None
            self.stream: BinaryIO = io.BytesIO(data)
        else:
            self._chain = _sector_chain(ole, int(entry.isectStart), self.size)
            parent_read = read_at_of(parent)
            self.stream = cast(BinaryIO, ReadAtStream(self._read_at(parent_read), self.size))

    def _read_at(self, parent_read):  # noqa: ANN001, ANN202
        size, chain = self._sector_size, self._chain

        def read_at(offset: int, length: int) -> bytes:
            parts = []
            while length > 0 and offset < self.size:
                index, inside = divmod(offset, size)
                take = min(length, size - inside, self.size - offset)
                parts.append(parent_read((chain[index] + 1) * size + inside, take))
                offset += take
                length -= take
            return b"".join(parts)

        return read_at

    def parent_runs(self, offset: int, length: int) -> list[list[int]]:
        """[child_offset, parent_offset, length] runs of a byte range of this stream (regular streams)."""
        if self._chain is None:
            return []
        runs: list[list[int]] = []
        done = 0
        while done < length:
            index, inside = divmod(offset + done, self._sector_size)
            take = min(length - done, self._sector_size - inside)
            at = (self._chain[index] + 1) * self._sector_size + inside
            if runs and runs[-1][1] + runs[-1][2] == at:
                runs[-1][2] += take
            else:
                runs.append([done, at, take])
            done += take
        return runs


class OleReader:
    """Lists the files embedded in the streams of one OLE compound file."""

    def __init__(self, parent: BinaryIO, limits: NestedLimits, where: str) -> None:
        self._parent = parent
        self._limits = limits
        self._where = where
        self._ole = open_ole(parent, where)
        self.format = "ole"
        self.notes: list[str] = []

    def children(self) -> Iterator[NestedChild]:
        budget = Budget(self._limits, self._where)
        options = CarveOptions(align=1, signatures=select(EMBEDDED_FAMILIES))
        for parts in self._ole.listdir(streams=True, storages=False):
            path = "/".join(parts)
            try:
                view = OleStreamView(self._ole, self._parent, path)
            except (EvidenceError, *OLE_ERRORS) as exc:
                self.notes.append(f"{self._where}: stream {path}: {exc}")
                continue
            read_at = (
                view.stream.read_at if isinstance(view.stream, ReadAtStream) else read_at_of(view.stream)
            )
            for carved in carve_run(read_at, 0, view.size, options):
                budget.member()
                yield self._child(view, carved)

    def _child(self, view: OleStreamView, carved) -> NestedChild:  # noqa: ANN001 - CarvedFile
        child = NestedChild(
            link_kind=OLE_EMBEDDED,
            path=f"{view.path}/{carved.name()}",
            size=carved.length,
            params={"stream": view.path, **carved.params()},
            container_format="ole",
            byte_runs=view.parent_runs(carved.offset, carved.length),
        )
        if carved.status == PARTIAL:
            child.flags.append(FLAG_PARTIAL)
            child.note = carved.note
        stream = view.stream
        child._content = lambda chunk_size: iter_stream(
            range_stream(stream, carved.offset, carved.length), chunk_size
        )
        return child


def open_ole_link(parent: BinaryIO, params: dict) -> BinaryIO:
    """Reopen ``params['stream']`` of the OLE parent, and within it the range offset/length if given."""
    ole = open_ole(parent, "ole")
    try:
        view = OleStreamView(ole, parent, params["stream"])
    except OLE_ERRORS as exc:
        raise EvidenceError(f"ole stream {params['stream']}: {exc}") from exc
    if "offset" in params:
        return range_stream(view.stream, int(params["offset"]), int(params["length"]))
    return view.stream
