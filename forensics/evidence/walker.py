"""Enumerate every item of a file system: the directory tree, then the metadata table.

The directory walk (including TSK's ``$OrphanFiles``) finds allocated files, deleted names (with or
without metadata) and orphans; a pass over the metadata table then adds any used entry that no name
reached. NTFS alternate data streams and HFS+ resource forks become items of their own
(``path:stream``). The order is deterministic for a given image, which makes enumeration resumable.

Damaged or hostile structures are bounded (:class:`~forensics.evidence.walk_limits.WalkLimits`): a size
claimed beyond the media is capped, data runs beyond it are flagged, an entry's listing and the metadata
pass have time limits, a directory reached under several names is listed once, and every integer is
range-checked before it is stored. Each case is a note on the item (``FileEntry.notes``) or the walk
(``errors``); the walk goes on.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytsk3

from forensics.evidence.ext_inode_tables import Reader, nonzero_inodes, read_inode_tables
from forensics.evidence.walk_limits import DEFAULT_WALK_LIMITS, WalkLimits, checked, size_text

ORPHAN_DIR = "$OrphanFiles"

META_KINDS = {
    pytsk3.TSK_FS_META_TYPE_REG: "file",
    pytsk3.TSK_FS_META_TYPE_DIR: "directory",
    pytsk3.TSK_FS_META_TYPE_FIFO: "fifo",
    pytsk3.TSK_FS_META_TYPE_CHR: "char-device",
    pytsk3.TSK_FS_META_TYPE_BLK: "block-device",
    pytsk3.TSK_FS_META_TYPE_LNK: "link",
    pytsk3.TSK_FS_META_TYPE_SHAD: "shadow",
    pytsk3.TSK_FS_META_TYPE_SOCK: "socket",
    pytsk3.TSK_FS_META_TYPE_WHT: "whiteout",
    pytsk3.TSK_FS_META_TYPE_VIRT: "virtual",
    pytsk3.TSK_FS_META_TYPE_VIRT_DIR: "virtual-dir",
}
NAME_KINDS = {
    pytsk3.TSK_FS_NAME_TYPE_REG: "file",
    pytsk3.TSK_FS_NAME_TYPE_DIR: "directory",
    pytsk3.TSK_FS_NAME_TYPE_FIFO: "fifo",
    pytsk3.TSK_FS_NAME_TYPE_CHR: "char-device",
    pytsk3.TSK_FS_NAME_TYPE_BLK: "block-device",
    pytsk3.TSK_FS_NAME_TYPE_LNK: "link",
    pytsk3.TSK_FS_NAME_TYPE_SHAD: "shadow",
    pytsk3.TSK_FS_NAME_TYPE_SOCK: "socket",
    pytsk3.TSK_FS_NAME_TYPE_WHT: "whiteout",
    pytsk3.TSK_FS_NAME_TYPE_VIRT: "virtual",
    pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR: "virtual-dir",
}
# Attribute types whose content is a file's data (the default stream or a named one).
NTFS_DATA = pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA
HFS_DATA = pytsk3.TSK_FS_ATTR_TYPE_HFS_DATA
HFS_RSRC = pytsk3.TSK_FS_ATTR_TYPE_HFS_RSRC
DEFAULT_ATTR = pytsk3.TSK_FS_ATTR_TYPE_DEFAULT
# Metadata entries below these numbers are the file system's own reserved structures (ext: bad
# blocks, resize, journal...; NTFS: reserved MFT entries 12-23); when no name reaches them they are
# not listed as orphans.
RESERVED_BELOW = {"ext2": 11, "ext3": 11, "ext4": 11, "ntfs": 24}
# FAT has no metadata table: a directory entry is both name and metadata, and TSK's "inode" numbers
# are directory-entry slots over the whole data area. Scanning that range reads file contents as if
# they were directory entries (garbage items) and lists every "." / ".." slot; TSK's own
# $OrphanFiles already holds the entries that no live directory reaches, so the scan is skipped.
NO_METADATA_TABLE = {"fat12", "fat16", "fat32", "exfat"}
# Inode tables the metadata pass reads in bulk (see forensics.evidence.ext_inode_tables).
EXT_TYPES = {"ext2", "ext3", "ext4"}
# File systems whose names carry their metadata entry's sequence number (NTFS MFT references): TSK gives
# a deleted name no metadata, and the walker joins the two when the numbers say they are one file.
SEQUENCED_METADATA = {"ntfs"}
# File systems whose metadata addresses index a table of fixed-size records (bounded by the media's size).
DENSE_METADATA = EXT_TYPES | {"ntfs"}
SEQUENCE_MODULO = 1 << 16


@dataclass
class _Attribute:
    """One data attribute of an entry, as the walk lists it."""

    type: int | None
    id: int | None
    stream: str
    size: int | None
    runs: list[list[int]]
    notes: list[str]


@dataclass
class FileEntry:
    """One enumerated item, with everything the case database stores about it."""

    path: str
    name: str
    inode: int | None
    attr_type: int | None
    attr_id: int | None
    stream: str | None
    size: int | None
    kind: str
    allocated: bool
    deleted: bool
    orphan: bool
    has_metadata: bool
    meta_reallocated: bool = False
    mode: int | None = None
    uid: int | None = None
    gid: int | None = None
    nlink: int | None = None
    link_target: str | None = None
    mtime_ns: int | None = None
    atime_ns: int | None = None
    ctime_ns: int | None = None
    crtime_ns: int | None = None
    byte_runs: list[list[int]] = field(default_factory=list)
    # Set by sources without TSK attributes (folders) to say whether the item has readable bytes.
    readable: bool | None = None
    # What the walk found wrong with this item and did about it (capped size, runs beyond the media...).
    notes: list[str] = field(default_factory=list)

    @property
    def has_content(self) -> bool:
        """True when the item has a data attribute whose bytes can be read and hashed."""
        if self.readable is not None:
            return self.readable
        return self.has_metadata and self.inode is not None and self.attr_type is not None


def _decode(raw: bytes | str | None) -> str:
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    return raw.decode("utf-8", "backslashreplace")


def _ns(seconds: int, nanos: int, what: str, notes: list[str]) -> int | None:
    """A TSK time as nanoseconds since the epoch; None (and a note) when a 64-bit integer cannot hold it."""
    if not seconds and not nanos:
        return None
    value = int(seconds) * 1_000_000_000 + int(nanos or 0)
    kept = checked(value, what, [])
    if kept is None:
        notes.append(f"{what} ({int(seconds):,} s since 1970) is beyond what can be stored: not stored")
    return kept


class FileSystemWalker:
    """Walks one opened file system; ``fs_offset`` is its byte offset in the image.

    ``read`` (image offset, length -> bytes, e.g. the TSK image's ``read``) lets the metadata pass of
    an ext file system read the inode tables in bulk instead of asking TSK for every inode.
    """

    def __init__(
        self,
        fs: pytsk3.FS_Info,
        fs_offset: int,
        fs_type: str = "",
        *,
        with_byte_runs: bool = True,
        read: Reader | None = None,
        limits: WalkLimits = DEFAULT_WALK_LIMITS,
        claimed_sizes: dict[int, int] | None = None,
    ) -> None:
        """``claimed_sizes``: inode -> size it claims, for inodes TSK is shown capped (ext_claimed_sizes)."""
        self.fs = fs
        self.fs_type = fs_type
        self._read = read
        self.limits = limits
        self._claimed = claimed_sizes or {}
        self._entry_deadline = float("inf")
        self._listed_dirs: dict[int, str] = {}  # directory inode -> the path it was listed under
        self.reserved_below = RESERVED_BELOW.get(fs_type, 0)
        self.scan_metadata_table = fs_type not in NO_METADATA_TABLE
        self.fs_offset = fs_offset
        self.block_size = int(fs.info.block_size)
        self.with_byte_runs = with_byte_runs
        self._seen_meta: set[int] = set()
        self._seen_used: set[int] = set()  # of those, the ones TSK marks as used
        self._errors: list[str] = []

    @property
    def errors(self) -> list[str]:
        """Problems met while walking (a damaged directory is skipped, the walk goes on)."""
        return self._errors

    def walk(self) -> Iterator[FileEntry]:
        root = int(self.fs.info.root_inum)
        self._seen_meta.add(root)
        yield from self._walk_dir(root, "", set(), in_orphans=False)
        if self.scan_metadata_table:
            yield from self._walk_metadata_table()

    def _start_entry(self) -> float:
        started = time.monotonic()
        self._entry_deadline = started + self.limits.entry_seconds
        return started

    def _end_entry(self, started: float, entries: list[FileEntry]) -> None:
        spent = time.monotonic() - started
        if spent > self.limits.entry_seconds and entries:
            entries[0].notes.append(
                f"listing this entry took {spent:.1f} s (limit {self.limits.entry_seconds:g} s): "
                "work beyond the limit (data runs) was skipped"
            )
        self._entry_deadline = float("inf")

    # -- directory tree -------------------------------------------------------------------------
    def _walk_dir(
        self, inode: int, parent: str, ancestors: set[int], *, in_orphans: bool
    ) -> Iterator[FileEntry]:
        try:
            directory = self.fs.open_dir(inode=inode)
        except OSError as exc:
            reason = " ".join(str(exc).split())
            self._errors.append(f"{parent or '/'}: cannot open directory (inode {inode}): {reason}")
            return
        ancestors = ancestors | {inode}
        subdirs: list[tuple[int, str, bool]] = []
        for tsk_file in directory:
            name = _decode(tsk_file.info.name.name)
            if name in (".", ".."):
                continue
            path = f"{parent}/{name}"
            orphan = in_orphans
            started = self._start_entry()
            entries = list(self._entries_for(tsk_file, path, name, orphan=orphan))
            self._end_entry(started, entries)
            head = entries[0]
            dir_inode = head.inode  # always set, with metadata
            is_dir = head.kind in ("directory", "virtual-dir") and head.has_metadata
            if is_dir and dir_inode is not None and dir_inode not in ancestors:
                first_path = self._listed_dirs.setdefault(dir_inode, path)
                if first_path == path:
                    subdirs.append((dir_inode, path, in_orphans or (parent == "" and name == ORPHAN_DIR)))
                else:  # a directory under several names (damage, or a hostile loop of links): listed once
                    head.notes.append(f"directory (inode {dir_inode}) already listed as {first_path}")
            yield from entries
        for sub_inode, sub_path, sub_orphans in subdirs:
            yield from self._walk_dir(sub_inode, sub_path, ancestors, in_orphans=sub_orphans)

    def _entries_for(self, tsk_file, path: str, name: str, *, orphan: bool) -> Iterator[FileEntry]:
        info_name = tsk_file.info.name
        meta = tsk_file.info.meta
        name_alloc = bool(int(info_name.flags) & pytsk3.TSK_FS_NAME_FLAG_ALLOC)
        reused = False
        if meta is None and orphan and int(info_name.meta_addr):
            # TSK names each $OrphanFiles entry after its metadata entry but hands it over without
            # that metadata; load it by address (it cannot belong to another file).
            tsk_file, meta = self._open_meta(int(info_name.meta_addr), tsk_file)
        elif meta is None and not name_alloc and self.fs_type in SEQUENCED_METADATA and info_name.meta_addr:
            tsk_file, meta, reused = self._deleted_name_meta(tsk_file)
        if meta is None:
            yield FileEntry(
                path=path,
                name=name,
                inode=int(info_name.meta_addr) or None,
                attr_type=None,
                attr_id=None,
                stream=None,
                size=None,
                kind=NAME_KINDS.get(int(info_name.type), "unknown"),
                allocated=False,
                deleted=not name_alloc,
                orphan=orphan,
                has_metadata=False,
                meta_reallocated=reused,
            )
            return
        inode = int(meta.addr)
        flags = int(meta.flags)
        meta_alloc = bool(flags & pytsk3.TSK_FS_META_FLAG_ALLOC)
        self._seen_meta.add(inode)
        if flags & pytsk3.TSK_FS_META_FLAG_USED:
            self._seen_used.add(inode)
        base = self._base_entry(tsk_file, meta, path, name, name_alloc and meta_alloc, orphan=orphan)
        base.deleted = not (name_alloc and meta_alloc)
        base.meta_reallocated = (not name_alloc) and meta_alloc and not orphan
        yield from self._with_streams(tsk_file, base)

    def _deleted_name_meta(self, tsk_file):
        """(file, metadata, reused) for a deleted NTFS name: its MFT entry when that still holds this file.

        TSK hands a deleted name over without metadata because deleting a file raises its MFT entry's
        sequence number past the one the name refers to. As ``fls`` does, the name and the entry are one
        item when the entry is unallocated and its sequence number is the name's or the next one; an
        entry allocated again, or deleted again after a reuse, belongs to another file (``reused``).
        """
        name = tsk_file.info.name
        found, meta = self._open_meta(int(name.meta_addr), tsk_file)
        if meta is None:
            return tsk_file, None, False
        allocated = bool(int(meta.flags) & pytsk3.TSK_FS_META_FLAG_ALLOC)
        same_file = (int(meta.seq) - int(name.meta_seq)) % SEQUENCE_MODULO in (0, 1)
        if allocated or not same_file:
            return tsk_file, None, True
        return found, meta, False

    def _open_meta(self, inode: int, fallback):
        """(file, metadata) of entry ``inode``; (fallback, None) when TSK cannot load it."""
        try:
            tsk_file = self.fs.open_meta(inode=inode)
        except OSError:
            return fallback, None
        return tsk_file, tsk_file.info.meta

    def _with_streams(self, tsk_file, base: FileEntry) -> Iterator[FileEntry]:
        """The item itself (with its default data attribute) and one item per named stream."""
        streams = self._data_attributes(tsk_file)
        entry_notes = list(base.notes)
        default = next((a for a in streams if not a.stream), None)
        if default is not None:
            base.attr_type, base.attr_id, base.size, base.byte_runs = (
                default.type,
                default.id,
                default.size,
                default.runs,
            )
            base.notes.extend(note for note in default.notes if note not in base.notes)
        yield base
        for attr in streams:
            if attr.stream:
                yield replace(
                    base,
                    path=f"{base.path}:{attr.stream}",
                    name=f"{base.name}:{attr.stream}",
                    attr_type=attr.type,
                    attr_id=attr.id,
                    stream=attr.stream,
                    size=attr.size,
                    kind="file",
                    link_target=None,
                    byte_runs=attr.runs,
                    notes=[*entry_notes, *attr.notes],
                )

    def _base_entry(
        self, tsk_file, meta, path: str, name: str, allocated: bool, *, orphan: bool
    ) -> FileEntry:
        meta_type = int(meta.type)
        name_info = tsk_file.info.name
        kind = META_KINDS.get(meta_type) or (
            NAME_KINDS.get(int(name_info.type), "unknown") if name_info is not None else "unknown"
        )
        link = _decode(meta.link) if getattr(meta, "link", None) else None
        notes: list[str] = []
        inode = checked(int(meta.addr), "metadata address", notes)
        size = self._checked_size(int(meta.size), inode, notes)
        return FileEntry(
            path=path,
            name=name,
            inode=inode,
            attr_type=None,
            attr_id=None,
            stream=None,
            size=size,
            kind=kind,
            allocated=allocated,
            deleted=not allocated,
            orphan=orphan,
            has_metadata=True,
            mode=checked(int(meta.mode), "mode", notes, 32),
            uid=checked(int(meta.uid), "uid", notes),
            gid=checked(int(meta.gid), "gid", notes),
            nlink=checked(int(meta.nlink), "link count", notes, 32),
            link_target=link,
            mtime_ns=_ns(meta.mtime, meta.mtime_nano, "modification time", notes),
            atime_ns=_ns(meta.atime, meta.atime_nano, "access time", notes),
            ctime_ns=_ns(meta.ctime, meta.ctime_nano, "change time", notes),
            crtime_ns=_ns(meta.crtime, meta.crtime_nano, "creation time", notes),
            notes=notes,
        )

    def _checked_size(self, size: int, inode: int | None, notes: list[str]) -> int | None:
        """A size as stored: range-checked, capped at the media's size (noted), the claim kept in the note."""
        claimed = self._claimed.get(inode) if inode is not None else None
        if claimed is not None:
            notes.append(
                f"claimed size {size_text(claimed)} is beyond the file system ({size_text(size)}): "
                f"not followed; listed and read as {size_text(size)}"
            )
        media = self.limits.media_size
        if media is not None and size > media:
            notes.append(
                f"claimed size {size_text(size)} is beyond the media ({size_text(media)}): "
                f"not followed; read as {size_text(media)} at most"
            )
            return media
        return checked(size, "size", notes)

    def _data_attributes(self, tsk_file) -> list[_Attribute]:
        """Each data attribute (the default one has stream name '')."""
        found: list[_Attribute] = []
        try:
            attributes = list(tsk_file)
        except OSError as exc:
            reason = " ".join(str(exc).split())
            self._errors.append(f"attributes unreadable (inode {tsk_file.info.meta.addr}): {reason}")
            return found
        for attr in attributes:
            attr_type = int(attr.info.type)
            if attr_type == NTFS_DATA:
                stream = _decode(attr.info.name)
            elif attr_type == HFS_RSRC:
                stream = "rsrc"
            elif attr_type in (DEFAULT_ATTR, HFS_DATA):
                stream = ""
            else:
                continue
            if any(f.stream == stream for f in found):
                continue  # TSK can list a stream's attribute more than once (e.g. $DATA split in runs)
            notes: list[str] = []
            size = int(attr.info.size)
            runs = self._byte_runs(attr, size, notes) if self.with_byte_runs else []
            stored_size = self._checked_size(size, None, notes)
            found.append(
                _Attribute(
                    checked(attr_type, "attribute type", notes, 32),
                    checked(int(attr.info.id), "attribute id", notes, 32),
                    stream,
                    stored_size,
                    runs,
                    notes,
                )
            )
        return found

    def _byte_runs(self, attr, size: int, notes: list[str]) -> list[list[int]]:
        """[file_offset, image_offset, length] for each stored run (sparse runs get image_offset -1).

        At most ``limits.max_runs`` runs, within the entry's time limit; runs beyond the media are kept
        and noted (reading them fails for this item only).
        """
        runs: list[list[int]] = []
        if int(attr.info.flags) & pytsk3.TSK_FS_ATTR_RES:
            return runs
        media = self.limits.media_size
        beyond = 0
        try:
            for run in attr:
                file_off = int(run.offset) * self.block_size
                if file_off >= size:
                    break
                if len(runs) >= self.limits.max_runs:
                    notes.append(f"more than {self.limits.max_runs:,} data runs: the rest are not listed")
                    break
                if len(runs) % 1024 == 1023 and time.monotonic() > self._entry_deadline:
                    notes.append(f"data runs listed only up to file byte {file_off:,} (entry time limit)")
                    break
                length = min(int(run.len) * self.block_size, size - file_off)
                sparse = int(run.flags) & (
                    pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE | pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER
                )
                img_off = -1 if sparse else self.fs_offset + int(run.addr) * self.block_size
                if media is not None and img_off + length > media and img_off >= 0:
                    beyond += 1
                if checked(img_off, "", []) is None or checked(length, "", []) is None:
                    notes.append(f"a data run at file byte {file_off:,} is beyond any media: not listed")
                    break
                runs.append([file_off, img_off, length])
        except OSError:
            return runs
        if beyond:
            notes.append(
                f"{beyond:,} data run(s) lie beyond the end of the media ({size_text(media or 0)}): "
                "not followed; their bytes cannot be read"
            )
        return runs

    # -- metadata table -------------------------------------------------------------------------
    def _walk_metadata_table(self) -> Iterator[FileEntry]:
        """Used metadata entries that no name reached (TSK's orphan directory usually has them all)."""
        first, last = int(self.fs.info.first_inum), int(self.fs.info.last_inum)
        last = self._plausible_last(first, last)
        deadline = time.monotonic() + self.limits.metadata_seconds
        for inode in self._metadata_candidates(max(first, self.reserved_below), last):
            if time.monotonic() > deadline:
                self._errors.append(
                    f"metadata pass stopped at entry {inode:,} of {last:,} after "
                    f"{self.limits.metadata_seconds:g} s (time limit): entries past it that no name "
                    "reached are not listed"
                )
                return
            if inode in self._seen_meta:
                continue
            try:
                started = self._start_entry()
                tsk_file = self.fs.open_meta(inode=inode)
            except OSError:
                continue
            meta = tsk_file.info.meta
            if meta is None:
                continue
            flags = int(meta.flags)
            if flags & pytsk3.TSK_FS_META_FLAG_UNUSED or not flags & pytsk3.TSK_FS_META_FLAG_USED:
                continue
            if int(meta.type) in (pytsk3.TSK_FS_META_TYPE_VIRT, pytsk3.TSK_FS_META_TYPE_VIRT_DIR):
                continue
            name = f"OrphanEntry-{inode}"
            path = f"/{ORPHAN_DIR}/{name}"
            meta_alloc = bool(flags & pytsk3.TSK_FS_META_FLAG_ALLOC)
            base = self._base_entry(tsk_file, meta, path, name, meta_alloc, orphan=True)
            base.deleted = not meta_alloc
            self._seen_meta.add(inode)
            entries = list(self._with_streams(tsk_file, base))
            self._end_entry(started, entries)
            yield from entries

    def _plausible_last(self, first: int, last: int) -> int:
        """``last``, or fewer when the media cannot hold that many metadata entries (a damaged count).

        Only for file systems whose entry numbers index a table of records (ext inodes take 128 bytes or
        more, NTFS MFT records 1,024), so a media of N bytes holds at most N / 32 of them; HFS+ catalog
        node ids, for one, are not dense and may legitimately run higher.
        """
        media = self.limits.media_size
        if media is None or self.fs_type not in DENSE_METADATA:
            return last
        most = first + media // 32
        if last > most:
            self._errors.append(
                f"the file system claims metadata entries up to {last:,}; the media can hold at most "
                f"{most - first:,}: entries past {most:,} are not looked for"
            )
            return most
        return last

    def _metadata_candidates(self, start: int, last: int) -> Iterator[int]:
        """The entry numbers to ask TSK about: all, or for ext those whose inode record is not all zeros.

        A record of only zero bytes has change time zero, which TSK reads as never used. The bulk read
        is trusted group by group only while every inode of the group that TSK showed as used during
        the directory walk is among its non-zero records; from the first doubt (or read error) on,
        every remaining entry is asked for.
        """
        tables = None
        read = self._read
        if read is not None and self.fs_type in EXT_TYPES:
            try:
                tables = read_inode_tables(read, self.fs_offset)
            except OSError:
                tables = None
        inode = start
        if read is not None and tables is not None:
            used_by_group: dict[int, list[int]] = defaultdict(list)
            for seen in self._seen_used:
                used_by_group[tables.group_of(seen)].append(seen)
            while inode <= min(last, tables.inodes_count):
                group = tables.group_of(inode)
                try:
                    found = nonzero_inodes(read, tables, group, inode, last)
                except OSError:
                    break
                shown_used = {seen for seen in used_by_group.get(group, ()) if inode <= seen <= last}
                if not shown_used <= set(found):
                    break
                yield from found
                inode = (group + 1) * tables.inodes_per_group + 1
        yield from range(inode, last + 1)  # the rest, and TSK's virtual entries past the tables
