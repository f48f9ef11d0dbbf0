"""Open file systems with pytsk3.FS_Info and describe them; an ambiguous type is reported, not guessed."""

from __future__ import annotations

from dataclasses import dataclass

import pytsk3

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
    "local time of the source device, zone not recorded by the file system; "
    "stored here as if UTC (adjust with the device's zone)"
)


@dataclass
class FileSystemProbe:
    """The outcome of trying to open a file system at one offset."""

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


def tsk_reason(exc: BaseException) -> str:
    """TSK's own reason from a pytsk3 error, without the binding's source-location prefix."""
    message = " ".join(str(exc).split())
    return message.split(" with error: ", 1)[-1]


def fs_type_name(fs: pytsk3.FS_Info) -> str:
    ftype = int(fs.info.ftype)
    return FS_TYPE_NAMES.get(ftype, f"tsk-{ftype:#x}")


def open_fs(img: pytsk3.Img_Info, offset: int) -> pytsk3.FS_Info:
    """Open the file system at ``offset`` (TSK auto-detection). Raises OSError."""
    return pytsk3.FS_Info(img, offset=offset)


def probe_fs(img: pytsk3.Img_Info, offset: int) -> FileSystemProbe:
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
    name = fs_type_name(fs)
    info = fs.info
    return FileSystemProbe(
        offset,
        "ok",
        fs_type=name,
        block_size=int(info.block_size),
        block_count=int(info.block_count),
        first_inum=int(info.first_inum),
        last_inum=int(info.last_inum),
        root_inum=int(info.root_inum),
        time_zone_note=TZ_NOTE_LOCAL if name in LOCAL_TIME_FS else TZ_NOTE_UTC,
    )


def candidate_offsets(layout_partitions: list, vs_type: str | None) -> list[int]:
    """Offsets at which to look for file systems: each allocated partition, or 0 without a table."""
    if vs_type is None:
        return [0]
    return [p.offset for p in layout_partitions if p.kind == "allocated"]
