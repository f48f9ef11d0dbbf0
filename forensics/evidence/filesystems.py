"""Open file systems with pytsk3.FS_Info and describe them.

Where more than one file-system type is valid at one offset (TSK: "Multiple file system types
detected"), each type is opened on its own and described, flagged ``ambiguous``: the examiner sees both
listings, and nothing is guessed. Every number TSK reports is range-checked before it is stored, and a
file system that claims more bytes than the image holds after its offset is noted (a truncated image).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytsk3

from forensics.evidence.walk_limits import checked

FS_TYPE_NAMES = {
    pytsk3.TSK_FS_TYPE_NTFS: "ntfs",
    pytsk3.TSK_FS_TYPE_FAT12: "fat12",
    pytsk3.TSK_FS_TYPE_FAT16: "fat16",
    pytsk3.TSK_FS_TYPE_FAT32: "fat32",
    pytsk3.TSK_FS_TYPE_EXFAT: "exfat",
    pytsk3.TSK_FS_TYPE_FFS1: "ufs1",
    pytsk3.TSK_FS_TYPE_FFS1B: "ufs1b",
    pytsk3.TSK_FS_TYPE_FFS2: "ufs2",
    pytsk3.TSK_FS_TYPE_EXT2: "ext2",
    pytsk3.TSK_FS_TYPE_EXT3: "ext3",
    pytsk3.TSK_FS_TYPE_EXT4: "ext4",
    pytsk3.TSK_FS_TYPE_SWAP: "swap",
    pytsk3.TSK_FS_TYPE_RAW: "raw",
    pytsk3.TSK_FS_TYPE_ISO9660: "iso9660",
    pytsk3.TSK_FS_TYPE_HFS: "hfs+",
    pytsk3.TSK_FS_TYPE_YAFFS2: "yaffs2",
    pytsk3.TSK_FS_TYPE_APFS: "apfs",
}

# How each file system's stored times relate to UTC.
LOCAL_TIME_FS = {"fat12", "fat16", "fat32", "exfat"}
TZ_NOTE_UTC = "UTC (stored by the file system in UTC)"
TZ_NOTE_LOCAL = (
    "local time of the source device, zone not recorded by the file system; kept as its wall-clock "
    "value and shown in the evidence item's source time zone once the examiner sets it"
)


# Type families TSK detects within (one per kind of file system): an ambiguous offset is opened once per
# family that TSK accepts there, and a stored type name is opened through its family.
FAMILIES = {
    "ntfs": pytsk3.TSK_FS_TYPE_NTFS_DETECT,
    "fat": pytsk3.TSK_FS_TYPE_FAT_DETECT,
    "ext": pytsk3.TSK_FS_TYPE_EXT_DETECT,
    "ufs": pytsk3.TSK_FS_TYPE_FFS_DETECT,
    "iso9660": pytsk3.TSK_FS_TYPE_ISO9660_DETECT,
    "hfs": pytsk3.TSK_FS_TYPE_HFS_DETECT,
    "yaffs2": pytsk3.TSK_FS_TYPE_YAFFS2_DETECT,
    "apfs": pytsk3.TSK_FS_TYPE_APFS_DETECT,
}
FAMILY_OF_TYPE = {
    "ntfs": "ntfs",
    "fat12": "fat",
    "fat16": "fat",
    "fat32": "fat",
    "exfat": "fat",
    "ext2": "ext",
    "ext3": "ext",
    "ext4": "ext",
    "ufs1": "ufs",
    "ufs1b": "ufs",
    "ufs2": "ufs",
    "iso9660": "iso9660",
    "hfs+": "hfs",
    "yaffs2": "yaffs2",
    "apfs": "apfs",
}


@dataclass
class FileSystemProbe:
    """The outcome of trying to open a file system at one offset (one probe per type when ambiguous)."""

    offset: int
    status: str  # ok | unrecognised | multiple-types | error
    fs_type: str | None = None
    block_size: int | None = None
    block_count: int | None = None
    first_inum: int | None = None
    last_inum: int | None = None
    root_inum: int | None = None
    time_zone_note: str | None = None
    error: str | None = None
    ambiguous: bool = False  # another file-system type is valid at the same offset too
    notes: list[str] = field(default_factory=list)  # problems found (truncation, out-of-range values)


def tsk_reason(exc: BaseException) -> str:
    """TSK's own reason from a pytsk3 error, without the binding's source-location prefix."""
    message = " ".join(str(exc).split())
    return message.split(" with error: ", 1)[-1]


def fs_type_name(fs: pytsk3.FS_Info) -> str:
    ftype = int(fs.info.ftype)
    return FS_TYPE_NAMES.get(ftype, f"tsk-{ftype:#x}")


def open_fs(img: pytsk3.Img_Info, offset: int, fs_type: str | None = None) -> pytsk3.FS_Info:
    """Open the file system at ``offset``: as ``fs_type`` (a name of FS_TYPE_NAMES, opened through its
    family, e.g. ``fat16`` as FAT), else auto-detected. Raises OSError (also for an unknown type name).
    """
    if fs_type is None:
        return pytsk3.FS_Info(img, offset=offset)
    family = FAMILY_OF_TYPE.get(fs_type)
    if family is None:
        raise OSError(f"unknown file system type {fs_type!r}")
    return pytsk3.FS_Info(img, offset=offset, type=FAMILIES[family])


def probe_fs(img: pytsk3.Img_Info, offset: int, media_size: int | None = None) -> FileSystemProbe:
    """Try TSK at ``offset``; says clearly when no type, or more than one type, matches."""
    try:
        fs = open_fs(img, offset)
    except OSError as exc:
        message = tsk_reason(exc)
        lowered = message.lower()
        if "multiple" in lowered:
            return FileSystemProbe(
                offset,
                "multiple-types",
                error=f"more than one file system type detected at offset {offset}: {message}",
            )
        if "cannot determine file system type" in lowered or "unable to open" in lowered:
            return FileSystemProbe(offset, "unrecognised", error=f"no file system recognised: {message}")
        return FileSystemProbe(offset, "error", error=message)
    return describe_fs(fs, offset, media_size)


def describe_fs(
    fs: pytsk3.FS_Info, offset: int, media_size: int | None = None, *, ambiguous: bool = False
) -> FileSystemProbe:
    """The probe of an opened file system, every number range-checked (out of range: None, noted)."""
    name = fs_type_name(fs)
    info = fs.info
    notes: list[str] = []
    block_size = checked(int(info.block_size), "block size", notes, 32)
    block_count = checked(int(info.block_count), "block count", notes)
    probe = FileSystemProbe(
        offset,
        "ok",
        fs_type=name,
        block_size=block_size,
        block_count=block_count,
        first_inum=checked(int(info.first_inum), "first metadata address", notes),
        last_inum=checked(int(info.last_inum), "last metadata address", notes),
        root_inum=checked(int(info.root_inum), "root metadata address", notes),
        time_zone_note=TZ_NOTE_LOCAL if name in LOCAL_TIME_FS else TZ_NOTE_UTC,
        ambiguous=ambiguous,
        notes=notes,
    )
    if media_size is not None and block_size and block_count:
        claimed, held = block_size * block_count, max(0, media_size - offset)
        if claimed > held:
            notes.append(
                f"the file system claims {claimed:,} bytes; the image holds {held:,} bytes from its offset "
                "(truncated image?): items beyond the end cannot be read"
            )
    return probe


def probe_offset(img: pytsk3.Img_Info, offset: int, media_size: int | None = None) -> list[FileSystemProbe]:
    """Every file system valid at ``offset``: one probe, or one per type when more than one is valid.

    An ambiguous offset keeps TSK's "multiple types" probe when no single type can be opened on its own.
    """
    probe = probe_fs(img, offset, media_size)
    if probe.status != "multiple-types":
        return [probe]
    found: list[FileSystemProbe] = []
    for family in FAMILIES.values():
        try:
            fs = pytsk3.FS_Info(img, offset=offset, type=family)
        except OSError:
            continue
        found.append(describe_fs(fs, offset, media_size, ambiguous=True))
    if len(found) < 2:
        return [probe]
    others = ", ".join(p.fs_type or "?" for p in found)
    for each in found:
        each.notes.insert(
            0, f"more than one file system type is valid at offset {offset} ({others}): each is listed"
        )
    return found


def candidate_offsets(layout_partitions: list, vs_type: str | None) -> list[int]:
    """Offsets at which to look for file systems: each allocated partition, or 0 without a table."""
    if vs_type is None:
        return [0]
    return [p.offset for p in layout_partitions if p.kind == "allocated"]
