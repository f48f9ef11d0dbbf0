"""Disk images found inside evidence (raw, E01, VMDK, VHD/VHDX, QCOW2, ISO 9660): walked like evidence.

The image is opened over its parent stream (the libyal bindings read file objects; raw and ISO images
are the stream itself), The Sleuth Kit lists its partitions and file systems through
:class:`forensics.evidence.tsk_image.MediaImgInfo`, and :class:`FileSystemWalker` yields the same
records as for top-level evidence. Each file is a child located by the image's format, the file
system's offset in the image's media, and its metadata address and attribute. Its ``byte_runs`` are in
the nested media's coordinates (the parent's own bytes for raw and ISO images).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from typing import BinaryIO, cast

from forensics.core.errors import EvidenceError
from forensics.evidence.filesystems import LOCAL_TIME_FS, open_fs, probe_fs, tsk_reason
from forensics.evidence.nested.limits import Budget, NestedLimits
from forensics.evidence.nested.records import FLAG_DELETED, IMAGE_FILE, NestedChild
from forensics.evidence.nested.streams import LibyalStreamMedia, ReadAtStream, StreamMedia, stream_size
from forensics.evidence.source import EvidenceSource
from forensics.evidence.tsk_image import MediaImgInfo
from forensics.evidence.volumes import read_volumes
from forensics.evidence.walker import FileEntry, FileSystemWalker

NATIVE_ERRORS = (OSError, RuntimeError, ValueError, IOError, TypeError)


def open_media(parent: BinaryIO, fmt: str, where: str) -> StreamMedia:
    """The media inside a container read from ``parent`` (raw, disk and ISO: the parent itself)."""
    parent.seek(0)
    try:
        if fmt in ("disk", "raw", "iso9660"):
            return StreamMedia(parent, stream_size(parent))
        if fmt == "ewf":
            import pyewf

            handle = pyewf.handle()
            handle.open_file_objects([parent], "r")
            return LibyalStreamMedia(handle, handle.get_media_size())
        if fmt == "qcow":
            import pyqcow

            handle = pyqcow.file()
            handle.open_file_object(parent, "r")
            if handle.get_number_of_backing_files() if hasattr(handle, "get_number_of_backing_files") else 0:
                raise EvidenceError(f"{where}: QCOW image with a backing file: not opened")
            return LibyalStreamMedia(handle, handle.get_media_size())
        if fmt in ("vhd", "vhdx"):
            import pyvhdi

            handle = pyvhdi.file()
            handle.open_file_object(parent, "r")
            if handle.get_parent_identifier() is not None and handle.get_disk_type() == 4:
                raise EvidenceError(f"{where}: differencing {fmt.upper()} needs its parent disk: not opened")
            return LibyalStreamMedia(handle, handle.get_media_size())
        if fmt == "vmdk":
            import pyvmdk

            handle = pyvmdk.handle()
            handle.open_file_object(parent, "r")
            handle.open_extent_data_files_as_file_objects([parent])  # monolithic sparse: the extent is itself
            return LibyalStreamMedia(handle, handle.get_media_size())
        if fmt == "vmdk-descriptor":
            raise EvidenceError(
                f"{where}: VMDK descriptor: its extents are separate files, opened on their own"
            )
    except EvidenceError:
        raise
    except NATIVE_ERRORS as exc:
        raise EvidenceError(f"{where}: {fmt} image unreadable: {' '.join(str(exc).split())}") from exc
    raise EvidenceError(f"{where}: unknown image format {fmt}")


class DiskImageReader:
    """Lists the files of every file system of a disk image found inside the evidence."""

    def __init__(self, parent: BinaryIO, fmt: str, limits: NestedLimits, where: str) -> None:
        self._limits = limits
        self._where = where
        self.container = fmt
        self.media = open_media(parent, fmt, where)
        self.img = MediaImgInfo(self.media)
        try:
            self.layout = read_volumes(self.img)
        except NATIVE_ERRORS as exc:
            raise EvidenceError(f"{where}: volume table unreadable: {exc}") from exc
        if self.layout.vs_type is None:
            self.offsets = [0]
        else:
            self.offsets = [p.offset for p in self.layout.partitions if p.kind == "allocated"]
        self.format = fmt
        self.notes: list[str] = []
        self.filesystems: list[dict] = []
        if not any(probe_fs(self.img, offset).status == "ok" for offset in self.offsets):
            if fmt == "disk":
                raise EvidenceError(f"{where}: looks like a disk image but no file system opens")
            self.notes.append(f"{where}: {fmt} image holds no file system The Sleuth Kit recognises")

    def children(self) -> Iterator[NestedChild]:
        budget = Budget(self._limits, self._where)
        for offset in self.offsets:
            probe = probe_fs(self.img, offset)
            if probe.status != "ok":
                self.notes.append(f"{self._where}: partition at byte {offset}: {probe.error}")
                continue
            self.filesystems.append(asdict(probe))
            try:
                fs = open_fs(self.img, offset)
            except NATIVE_ERRORS as exc:
                self.notes.append(f"{self._where}: file system at byte {offset}: {tsk_reason(exc)}")
                continue
            walker = FileSystemWalker(fs, offset, probe.fs_type or "", read=self.img.read)
            try:
                for entry in walker.walk():
                    budget.member()
                    yield self._child(fs, offset, probe.fs_type or "", entry)
            except NATIVE_ERRORS as exc:
                self.notes.append(f"{self._where}: walk of the file system at byte {offset} stopped: {exc}")
            self.notes.extend(f"{self._where}: {error}" for error in walker.errors)

    def _child(self, fs, offset: int, fs_type: str, entry: FileEntry) -> NestedChild:  # noqa: ANN001
        child = NestedChild(
            link_kind=IMAGE_FILE,
            path=entry.path,
            size=entry.size,
            params={
                "container": self.container,
                "fs_offset": offset,
                "inode": entry.inode,
                "attr_type": entry.attr_type,
                "attr_id": entry.attr_id,
                "stream": entry.stream,
                "size": entry.size,
            },
            kind=entry.kind,
            mtime_ns=entry.mtime_ns,
            atime_ns=entry.atime_ns,
            ctime_ns=entry.ctime_ns,
            crtime_ns=entry.crtime_ns,
            byte_runs=entry.byte_runs,
            container_format=f"{fs_type}-in-{self.container}",
            extra={"entry": asdict(entry), "fs_type": fs_type, "local_time": fs_type in LOCAL_TIME_FS},
        )
        if entry.deleted:
            child.flags.append(FLAG_DELETED)
        if entry.kind == "file" and entry.has_content and entry.size:
            child._content = lambda chunk_size: iter_item(
                fs, entry.inode, entry.attr_type, entry.attr_id, entry.size, chunk_size, entry.path
            )
        return child


def item_stream(fs, inode: int, attr_type: int, attr_id: int, size: int, shown: str) -> ReadAtStream:  # noqa: ANN001
    """A seekable stream of one attribute of a file, read through TSK's ``read_random``."""
    try:
        tsk_file = fs.open_meta(inode=inode)
    except NATIVE_ERRORS as exc:
        raise EvidenceError(f"{shown}: cannot open inode {inode}: {tsk_reason(exc)}") from exc

    def read_at(offset: int, length: int) -> bytes:
        try:
            data = tsk_file.read_random(offset, length, attr_type, attr_id)
        except NATIVE_ERRORS as exc:
            raise EvidenceError(f"{shown}: read error at byte {offset}: {tsk_reason(exc)}") from exc
        if not data and length and not EvidenceSource._stored_beyond(tsk_file, attr_type, attr_id, offset):
            return bytes(length)  # a sparse or never-written tail reads as zeros, as at top level
        return data

    return ReadAtStream(read_at, size)


def iter_item(fs, inode, attr_type, attr_id, size, chunk_size, shown) -> Iterator[bytes]:  # noqa: ANN001
    stream = item_stream(fs, inode, attr_type, attr_id, size, shown)
    done = 0
    while done < size:
        data = stream.read(min(chunk_size, size - done))
        if not data:
            raise EvidenceError(f"{shown}: content ends at byte {done} of {size}")
        done += len(data)
        yield data


def open_image_file(parent: BinaryIO, params: dict) -> BinaryIO:
    """Reopen a file of a nested disk image from the image's parent stream and the link's params."""
    where = f"{params.get('container')} image"
    media = open_media(parent, params["container"], where)
    img = MediaImgInfo(media)
    try:
        fs = open_fs(img, int(params["fs_offset"]))
    except NATIVE_ERRORS as exc:
        raise EvidenceError(f"{where}: file system at byte {params['fs_offset']}: {tsk_reason(exc)}") from exc
    stream = item_stream(
        fs,
        int(params["inode"]),
        int(params["attr_type"]),
        int(params["attr_id"]),
        int(params["size"]),
        f"inode {params['inode']}",
    )
    stream._keep = (media, img, fs)  # the handles live as long as the stream
    return cast(BinaryIO, stream)
