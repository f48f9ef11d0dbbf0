"""An opened evidence source with its TSK handles, able to read any item by FileLocator.

Each worker process opens its own EvidenceSource (handles are never shared between processes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytsk3

from forensics.core.errors import EvidenceError
from forensics.core.positional import READ_ONLY
from forensics.evidence.containers import EvidenceImage, open_image
from forensics.evidence.direct_read import DirectReader
from forensics.evidence.ext_claimed_sizes import CappedImgInfo, find_oversized
from forensics.evidence.extractions.access import EXTRACTION_CONTAINER, ExtractionAccess
from forensics.evidence.filesystems import fs_type_name, open_fs, tsk_reason
from forensics.evidence.locator import FILE, FileLocator
from forensics.evidence.logical import resolve_display_path
from forensics.evidence.media import DamagedMediaError, damage_message
from forensics.evidence.tsk_image import tsk_image
from forensics.evidence.walk_limits import WalkLimits
from forensics.evidence.walker import EXT_TYPES, FileSystemWalker

CHUNK_SIZE = 4 * 1024 * 1024


def open_no_atime(target: Path, shown: str) -> int:
    """Open read-only without following links and, where allowed, without updating the access time."""
    flags = READ_ONLY | getattr(os, "O_NOFOLLOW", 0)
    noatime = getattr(os, "O_NOATIME", 0)
    try:
        try:
            return os.open(target, flags | noatime)
        except PermissionError:
            if not noatime:
                raise
            return os.open(target, flags)  # O_NOATIME needs file ownership; the mount may use relatime
    except OSError as exc:
        raise EvidenceError(f"{shown}: {exc.strerror}") from exc


def _zeros(count: int, chunk_size: int) -> Iterator[bytes]:
    while count > 0:
        take = min(count, chunk_size)
        yield bytes(take)
        count -= take


@dataclass
class ReadStats:
    """How this source's items were read: straight from the media, through TSK, or switched part way."""

    direct_items: int = 0
    direct_bytes: int = 0
    tsk_items: int = 0
    fallbacks: int = 0  # direct reads that went on through TSK after a short or failed media read


class EvidenceSource:
    """Read-only access to the items of one evidence image (or folder, or phone extraction)."""

    def __init__(
        self,
        path: Path | str,
        *,
        direct_reads: bool = True,
        extraction: ExtractionAccess | None = None,
        archive_passwords: Mapping[FileLocator, bytes] | None = None,
    ) -> None:
        """Open ``path`` read-only; ``direct_reads=False`` reads every item through TSK (for checks).

        ``extraction``: the evidence is a phone extraction (zip, tar, backup, report, folder), opened on
        first use with the keys given (see :mod:`forensics.evidence.extractions.access`).
        ``archive_passwords``: the examiner's passwords of encrypted archives, by the archive's locator
        (members read through them are decrypted in memory).
        """
        self.archive_passwords: dict[FileLocator, bytes] = dict(archive_passwords or {})
        if extraction is not None:
            self.image = EvidenceImage(Path(path), EXTRACTION_CONTAINER, [Path(path)], None, 0, 0)
        else:
            self.image = open_image(path)
        self._access = extraction
        self._extraction = None
        self._img: pytsk3.Img_Info | None = None
        # by offset, or (offset, type) for a type opened by name where several are valid at one offset
        self._fs: dict[int | tuple[int, str | None], pytsk3.FS_Info] = {}
        # Per (offset, type) of a file system: inode -> size it claims beyond the file system (TSK sees
        # it capped).
        self._claimed: dict[tuple[int, str], dict[int, int]] = {}
        self._views: list[pytsk3.Img_Info] = []  # capped views, kept alive with their file systems
        media = self.image.media
        self._damaged_ranges = getattr(media, "damaged_byte_ranges", None)
        self._direct = DirectReader(media) if direct_reads and media is not None else None
        self.read_stats = ReadStats()

    @property
    def is_folder(self) -> bool:
        return self.image.container == "folder"

    @property
    def is_extraction(self) -> bool:
        return self._access is not None

    def extraction(self):  # noqa: ANN201 - an Extraction (imported on first use)
        """The phone extraction this source reads (detected and opened once, with its keys)."""
        if self._access is None:
            raise EvidenceError(f"{self.image.path}: this evidence item is not a phone extraction")
        if self._extraction is None:
            from forensics.evidence.extractions.extraction import open_extraction

            access = self._access
            self._extraction = open_extraction(
                self.image.path, secrets=access.secrets, detection=access.detection
            )
        return self._extraction

    def open_extraction_member(self, locator: FileLocator):  # noqa: ANN201 - a read-only binary stream
        """The bytes of a phone-extraction member (a root link of an extraction kind) as a stream."""
        try:
            return self.extraction().open_member(locator.kind, locator.parameters)
        except EvidenceError as exc:
            raise EvidenceError(f"{locator.path}: {exc}") from exc
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise EvidenceError(f"{locator.path}: cannot reopen in the extraction: {exc}") from exc

    @property
    def tsk(self) -> pytsk3.Img_Info:
        if self._img is None:
            self._img = tsk_image(self.image)
        return self._img

    def damaged_ranges(self) -> list[tuple[int, int]]:
        """Half-open media byte ranges of the damaged EWF chunks this source has read so far ([] if none)."""
        return self._damaged_ranges() if self._damaged_ranges else []

    @property
    def media_size(self) -> int:
        """Bytes of the media (the image as a disk)."""
        return int(self.image.media_size or 0) or int(self.tsk.get_size())

    def filesystem(self, offset: int, fs_type: str | None = None) -> pytsk3.FS_Info:
        """The file system at ``offset``, as TSK detects it; ``fs_type`` (e.g. ``fat16``) is the type it is
        opened as when more than one type is valid there (an ambiguous offset lists each).

        An ext file system whose inodes claim more bytes than it holds is opened through a view that
        shows TSK those sizes capped (:mod:`forensics.evidence.ext_claimed_sizes`).
        """
        fs = self._fs.get(offset) or self._fs.get((offset, fs_type))
        if fs is not None:
            return fs
        key: int | tuple[int, str | None] = offset
        try:
            try:
                fs = open_fs(self.tsk, offset)
            except OSError as exc:
                if fs_type is None or "multiple" not in tsk_reason(exc).lower():
                    raise
                key, fs = (offset, fs_type), open_fs(self.tsk, offset, fs_type)
            if fs_type_name(fs) in EXT_TYPES:
                fs = self._capped(fs, offset, None if key == offset else fs_type)
        except OSError as exc:
            raise EvidenceError(f"file system at offset {offset}: {tsk_reason(exc)}") from exc
        self._fs[key] = fs
        return fs

    def _capped(self, fs: pytsk3.FS_Info, offset: int, fs_type: str | None) -> pytsk3.FS_Info:
        claims = find_oversized(self.tsk.read, offset, self.media_size)
        if claims is None:
            return fs
        view = CappedImgInfo(self.tsk.read, self.media_size, claims)
        self._views.append(view)
        self._claimed[(offset, fs_type_name(fs))] = claims.claimed
        return open_fs(view, offset, fs_type)

    def walker(self, offset: int, fs_type: str, limits: WalkLimits | None = None) -> FileSystemWalker:
        """A walker of the file system at ``offset`` (ext inode tables read in bulk through this image)."""
        fs = self.filesystem(offset, fs_type or None)
        return FileSystemWalker(
            fs,
            offset,
            fs_type,
            read=self.tsk.read,
            limits=limits or WalkLimits(media_size=self.media_size),
            claimed_sizes=self._claimed.get((offset, fs_type_name(fs))),
        )

    def read_chunks(self, locator: FileLocator, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """The item's bytes in order, in chunks; raises EvidenceError when the content is unreadable.

        Data runs that :mod:`forensics.evidence.direct_read` can prove equal to TSK's bytes are read
        straight from the media handle; the rest (and whatever follows a short media read) comes from
        TSK's ``read_random``. Both give the same bytes.
        """
        if locator.kind != FILE or locator.parent is not None:
            yield from self._read_nested(locator, chunk_size)
            return
        if self.is_folder:
            yield from self._read_logical(locator, chunk_size)
            return
        if locator.partition_offset is None or locator.inode is None:
            raise EvidenceError(f"{locator.path}: no metadata, no content to read")
        fs = self.filesystem(locator.partition_offset, locator.fs_type)
        try:
            tsk_file = fs.open_meta(inode=locator.inode)
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(
                f"{locator.path}: cannot open inode {locator.inode}: {tsk_reason(exc)}"
            ) from exc
        attr_type = locator.attr_type if locator.attr_type is not None else pytsk3.TSK_FS_ATTR_TYPE_DEFAULT
        attr_id = locator.attr_id if locator.attr_id is not None else -1
        attr = self._find_attribute(tsk_file, attr_type, attr_id, locator.path)
        if attr is not None:
            size = int(attr.info.size)
        else:
            meta = tsk_file.info.meta
            size = int(meta.size) if meta is not None else 0
        # A size claimed beyond the media (damage, or a hostile image) is read no further than the media's
        # size: the walk noted the claim, and the hashes cover the bytes read.
        size = min(size, self.media_size)
        offset = 0
        extents = self._direct.plan(fs, locator.partition_offset, attr, size) if self._direct else None
        if extents is not None and self._direct is not None:
            try:
                offset = yield from self._direct.read(extents, chunk_size)
            except DamagedMediaError as exc:
                raise EvidenceError(f"{locator.path}: {exc}") from exc
            if offset == size:
                self.read_stats.direct_items += 1
                self.read_stats.direct_bytes += size
                return
            self.read_stats.fallbacks += 1
        self.read_stats.tsk_items += 1
        yield from self._read_tsk(tsk_file, locator.path, attr_type, attr_id, size, offset, chunk_size)
        self._refuse_damaged_runs(fs, locator, tsk_file, attr)

    def _read_nested(self, locator: FileLocator, chunk_size: int) -> Iterator[bytes]:
        """An item inside another, or carved: its link's stream, read to the end."""
        from forensics.evidence.reopen import open_stream

        stream = open_stream(self, locator)
        try:
            while True:
                try:
                    data = stream.read(chunk_size)
                except OSError as exc:
                    raise EvidenceError(f"{locator.path}: {exc}") from exc
                if not data:
                    return
                yield data
        finally:
            stream.close()

    def item_size(self, locator: FileLocator) -> int:
        """The size of a file-system entry's attribute (its default stream when none is named)."""
        if self.is_folder:
            from forensics.evidence.logical import resolve_display_path

            return resolve_display_path(self.image.path.resolve(), locator.path).stat().st_size
        if locator.partition_offset is None or locator.inode is None:
            raise EvidenceError(f"{locator.path}: no metadata, no content to read")
        fs = self.filesystem(locator.partition_offset, locator.fs_type)
        try:
            tsk_file = fs.open_meta(inode=locator.inode)
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(
                f"{locator.path}: cannot open inode {locator.inode}: {tsk_reason(exc)}"
            ) from exc
        attr_type = locator.attr_type if locator.attr_type is not None else pytsk3.TSK_FS_ATTR_TYPE_DEFAULT
        attr_id = locator.attr_id if locator.attr_id is not None else -1
        attr = self._find_attribute(tsk_file, attr_type, attr_id, locator.path)
        if attr is not None:
            return int(attr.info.size)
        meta = tsk_file.info.meta
        return int(meta.size) if meta is not None else 0

    def _refuse_damaged_runs(self, fs, locator: FileLocator, tsk_file, attr) -> None:
        """Raise when a run of the attribute read through TSK lies in a damaged EWF chunk.

        TSK reads such chunks as zeros; the item then fails like any unreadable content. Without the
        attribute (a file's default stream) every non-resident attribute of the file is checked.
        """
        damaged = self.damaged_ranges()
        if not damaged:
            return
        block = int(fs.info.block_size)
        base = int(locator.partition_offset or 0)
        skipped = pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE | pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER
        try:
            attributes = [attr] if attr is not None else list(tsk_file)
            runs = [run for attribute in attributes for run in attribute if not int(run.flags) & skipped]
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(f"{locator.path}: runs unreadable: {tsk_reason(exc)}") from exc
        for run in runs:
            start = base + int(run.addr) * block
            end = start + int(run.len) * block
            for bad_start, bad_end in damaged:
                if bad_start < end and start < bad_end:
                    sector = self.image.sector_size
                    raise EvidenceError(f"{locator.path}: {damage_message(bad_start, bad_end, sector)}")

    @staticmethod
    def _find_attribute(tsk_file, attr_type: int, attr_id: int, shown: str) -> pytsk3.Attribute | None:
        """The attribute ``read_random`` reads for (type, id): the first exact match; None for id -1."""
        if attr_id == -1:
            return None  # read_random then reads the file's default attribute, sized by its metadata
        try:
            for attr in tsk_file:
                if int(attr.info.type) == attr_type and int(attr.info.id) == attr_id:
                    return attr
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(f"{shown}: attributes unreadable: {tsk_reason(exc)}") from exc
        return None

    def _read_tsk(
        self, tsk_file, shown: str, attr_type: int, attr_id: int, size: int, offset: int, chunk_size: int
    ) -> Iterator[bytes]:
        """Bytes ``offset`` to ``size`` of the attribute through TSK's ``read_random``."""
        while offset < size:
            want = min(chunk_size, size - offset)
            try:
                data = tsk_file.read_random(offset, want, attr_type, attr_id)
            except (OSError, RuntimeError) as exc:
                raise EvidenceError(
                    f"{shown}: read error at byte {offset} of {size}: {tsk_reason(exc)}"
                ) from exc
            if not data:
                if not self._stored_beyond(tsk_file, attr_type, attr_id, offset):
                    # Sparse or never-written tail (e.g. NTFS $BadClus:$Bad): it reads as zeros.
                    yield from _zeros(size - offset, chunk_size)
                    return
                raise EvidenceError(f"{shown}: content ends at byte {offset} of {size}")
            offset += len(data)
            yield data

    @staticmethod
    def _stored_beyond(tsk_file, attr_type: int, attr_id: int, offset: int) -> bool:
        """Whether any non-sparse run of the attribute holds bytes at or after ``offset``."""
        sparse = pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE | pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER
        block = int(tsk_file.info.fs_info.block_size)
        for attr in tsk_file:
            info = attr.info
            matches = int(info.type) == attr_type and (attr_id == -1 or int(info.id) == attr_id)
            if not matches:
                continue
            if int(info.flags) & pytsk3.TSK_FS_ATTR_RES:
                return True
            for run in attr:
                if not int(run.flags) & sparse and (int(run.offset) + int(run.len)) * block > offset:
                    return True
            return False
        return True

    def _read_logical(self, locator: FileLocator, chunk_size: int) -> Iterator[bytes]:
        root = self.image.path.resolve()
        try:
            relative = resolve_display_path(root, locator.path).relative_to(root)
        except (FileNotFoundError, ValueError) as exc:
            raise EvidenceError(f"{locator.path}: no longer in the evidence folder") from exc
        # Resolve the folders only: the item itself is opened with O_NOFOLLOW, so a link is never followed.
        target = (root / relative).parent.resolve() / relative.name
        if root != target and root not in target.parents:
            raise EvidenceError(f"{locator.path}: outside the evidence folder")
        fd = open_no_atime(target, locator.path)
        try:
            while True:
                data = os.read(fd, chunk_size)
                if not data:
                    break
                yield data
        finally:
            os.close(fd)

    def read_all(self, locator: FileLocator, limit: int | None = None) -> bytes:
        """The whole item (for previews); ``limit`` caps the bytes returned."""
        parts: list[bytes] = []
        total = 0
        for chunk in self.read_chunks(locator):
            parts.append(chunk)
            total += len(chunk)
            if limit is not None and total >= limit:
                break
        data = b"".join(parts)
        return data if limit is None else data[:limit]

    def close(self) -> None:
        if self._extraction is not None:
            self._extraction.close()
            self._extraction = None
        self._fs.clear()
        self._direct = None
        self._img = None
        self.image.close()

    def __enter__(self) -> EvidenceSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
