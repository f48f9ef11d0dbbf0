"""Fixtures of the engine tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

# 2024-03-01 09:00:00.123456789 UTC
EXT4_NS_SECONDS = 1709283600
EXT4_NS_NANOS = 123456789


@pytest.fixture(scope="session")
def ext4_nanoseconds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, int]:
    """A 2 MiB ext4 image (mke2fs -d, then debugfs sets a nanosecond mtime): image, path, mtime_ns."""
    if shutil.which("mke2fs") is None or shutil.which("debugfs") is None:
        pytest.skip("needs e2fsprogs (scripts/setup.sh installs it)")
    root = tmp_path_factory.mktemp("ext4ns")
    tree = root / "tree"
    tree.mkdir()
    (tree / "precise.txt").write_bytes(b"nanoseconds\n")
    image = root / "ns.raw"
    subprocess.run(
        ["mke2fs", "-q", "-F", "-t", "ext4", "-I", "256", "-d", str(tree), str(image), "2M"],
        check=True,
        capture_output=True,
    )
    extra = EXT4_NS_NANOS << 2  # ext4 *_extra: nanoseconds in the upper 30 bits
    for command in (f"sif /precise.txt mtime @{EXT4_NS_SECONDS}", f"sif /precise.txt mtime_extra {extra}"):
        subprocess.run(["debugfs", "-w", "-R", command, str(image)], check=True, capture_output=True)
    image.chmod(0o444)
    return image, "/precise.txt", EXT4_NS_SECONDS * 10**9 + EXT4_NS_NANOS


@pytest.fixture(scope="session")
def ext2_with_fat_boot_sector(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 4 MiB ext2 volume whose unused first sector holds a FAT boot sector: two file system types match."""
    if shutil.which("mke2fs") is None or shutil.which("mkfs.fat") is None:
        pytest.skip("needs e2fsprogs and dosfstools (scripts/setup.sh installs them)")
    root = tmp_path_factory.mktemp("twofs")
    image, fat = root / "ambiguous.raw", root / "fat.raw"
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", str(image), "4M"], check=True, capture_output=True)
    subprocess.run(["mkfs.fat", "-C", str(fat), "4096"], check=True, capture_output=True)
    with image.open("r+b") as target:
        target.write(fat.read_bytes()[:512])  # ext2 leaves bytes 0-1023 unused
    image.chmod(0o444)
    return image
