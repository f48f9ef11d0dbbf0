"""Mutations of real test images that reproduce the damage of issue 21 (a copy in a temporary folder)."""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

from forensics.evidence.ext_inode_tables import read_inode_tables
from scripts.fixtures.tsk_cli import run_text

SIZE_LO_AT = 4
SIZE_HIGH_AT = 108


def writable_copy(source: Path, target: Path) -> Path:
    """A writable copy of an evidence file (the original is never touched)."""
    shutil.copyfile(source, target)
    target.chmod(0o644)
    return target


def set_ext_inode_size(image: Path, inode: int, *, low: int | None = None, high: int | None = None) -> None:
    """Overwrite the size fields of an ext inode record in place (``i_size``, ``i_size_high``)."""

    def read(offset: int, length: int) -> bytes:
        with image.open("rb") as stream:
            stream.seek(offset)
            return stream.read(length)

    tables = read_inode_tables(read, 0)
    assert tables is not None
    index = (inode - 1) % tables.inodes_per_group
    record = tables.table_offsets[tables.group_of(inode)] + index * tables.inode_size
    with image.open("r+b") as stream:
        for at, value in ((SIZE_LO_AT, low), (SIZE_HIGH_AT, high)):
            if value is not None:
                stream.seek(record + at)
                stream.write(struct.pack("<I", value))


def istat_size(image: Path, inode: int) -> int:
    """The size The Sleuth Kit's own ``istat`` reports for an inode (an independent check of a mutation)."""
    completed = run_text("istat", image, str(inode))
    for line in completed.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("size: "):
            return int(line.split()[1])
    raise AssertionError(f"istat {inode}: no size line")
