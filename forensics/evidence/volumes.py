"""The volume system of an image (MBR with extended chains, GPT, ...), read with pytsk3.Volume_Info."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytsk3

from forensics.evidence.walk_limits import int32, int64

VS_TYPE_NAMES = {
    pytsk3.TSK_VS_TYPE_DOS: "dos",
    pytsk3.TSK_VS_TYPE_BSD: "bsd",
    pytsk3.TSK_VS_TYPE_SUN: "sun",
    pytsk3.TSK_VS_TYPE_MAC: "mac",
    pytsk3.TSK_VS_TYPE_GPT: "gpt",
}


@dataclass(frozen=True)
class Partition:
    """One entry of the partition table as TSK lists it (partitions, gaps and table entries)."""

    addr: int
    start_sector: int
    length_sectors: int
    offset: int
    length: int
    description: str
    flags: int
    kind: str  # allocated | unallocated | meta


@dataclass
class VolumeLayout:
    """The volume system found (or not) and its entries."""

    vs_type: str | None  # dos, gpt, ... ; None when the image has no partition table
    block_size: int = 512
    partitions: list[Partition] = field(default_factory=list)
    error: str | None = None  # e.g. several volume system types detected

    @property
    def allocated(self) -> list[Partition]:
        return [p for p in self.partitions if p.kind == "allocated"]


def _kind(flags: int) -> str:
    if flags & pytsk3.TSK_VS_PART_FLAG_ALLOC:
        return "allocated"
    if flags & pytsk3.TSK_VS_PART_FLAG_UNALLOC:
        return "unallocated"
    return "meta"


def read_volumes(img: pytsk3.Img_Info) -> VolumeLayout:
    """List the partition table; an image with none gives ``vs_type=None`` (file system at offset 0)."""
    try:
        vs = pytsk3.Volume_Info(img)
    except OSError as exc:
        message = " ".join(str(exc).split())
        if "multiple" in message.lower():
            return VolumeLayout(None, error=f"more than one volume system type detected: {message}")
        return VolumeLayout(None)
    block_size = vs.info.block_size
    layout = VolumeLayout(VS_TYPE_NAMES.get(int(vs.info.vstype), str(int(vs.info.vstype))), block_size)
    skipped: list[str] = []
    for part in vs:
        desc = part.desc.decode("utf-8", "replace") if isinstance(part.desc, bytes) else str(part.desc)
        flags = int(part.flags)
        numbers = (int(part.start), int(part.len), int(part.start) * block_size, int(part.len) * block_size)
        if any(int64(value) is None for value in numbers) or int32(int(part.addr)) is None:
            skipped.append(f"table entry {int(part.addr)} ({desc}): start or length beyond any media")
            continue
        layout.partitions.append(
            Partition(
                addr=int(part.addr),
                start_sector=int(part.start),
                length_sectors=int(part.len),
                offset=int(part.start) * block_size,
                length=int(part.len) * block_size,
                description=desc,
                flags=flags,
                kind=_kind(flags),
            )
        )
    if skipped:
        layout.error = "; ".join([*filter(None, [layout.error]), *skipped]) + ": not listed"
    return layout
