"""Detect an evidence container by its content and open it read-only.

Supported: raw/dd, split raw (``.000``/``.001``..., ``.aa``/``.ab``..., any case), EWF (E01 and Ex01,
multi-segment), QCOW, VHD/VHDX, VMDK, and a folder of extracted files (logical source).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from forensics.core.errors import EvidenceError
from forensics.evidence.media import EwfMedia, FileMedia, LibyalMedia, MediaHandle, SplitRawMedia

EWF_SIGNATURES = {
    b"EVF\x09\x0d\x0a\xff\x00": "ewf",  # E01 (EnCase 1-6, FTK, ewfacquire)
    b"EVF2\x0d\x0a\x81\x00": "ewf",  # Ex01 (EWF2)
}
LOGICAL_EWF_SIGNATURES = (b"LVF\x09\x0d\x0a\xff\x00", b"LEF2\x0d\x0a\x81\x00")

_DIGIT_SEGMENT = re.compile(r"^(?P<stem>.*\.)(?P<num>\d{3,})$")
_ALPHA_SEGMENT = re.compile(r"^(?P<stem>.*\.)(?P<letters>[a-zA-Z]{2})$")


@dataclass
class EvidenceImage:
    """An opened evidence container: media access plus what the container says about itself."""

    path: Path
    container: str
    segments: list[Path]
    media: MediaHandle | None
    media_size: int
    sector_size: int = 512
    metadata: dict[str, str] = field(default_factory=dict)
    stored_hashes: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        if self.media is not None:
            self.media.close()
            self.media = None

    def __enter__(self) -> EvidenceImage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def detect_container(path: Path) -> str:
    """Name the container of ``path`` from its bytes: ewf, qcow, vhdx, vhd, vmdk, raw, split-raw, folder."""
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise EvidenceError(f"{path}: no such file")
    with path.open("rb") as f:
        head = f.read(512)
        size = f.seek(0, 2)
        footer = b""
        if size >= 512:
            f.seek(size - 512)
            footer = f.read(512)
    if size == 0:
        raise EvidenceError(f"{path}: empty file (0 bytes), not an image")
    for sig, name in EWF_SIGNATURES.items():
        if head.startswith(sig):
            return name
    if head.startswith(LOGICAL_EWF_SIGNATURES):
        raise EvidenceError(f"{path}: EWF logical evidence file (L01/Lx01) is not a disk image")
    if head.startswith(b"QFI\xfb"):
        return "qcow"
    if head.startswith(b"vhdxfile"):
        return "vhdx"
    if head.startswith(b"conectix") or footer.startswith(b"conectix"):
        return "vhd"
    if head.startswith((b"KDMV", b"COWD")) or head.lstrip().startswith(b"# Disk DescriptorFile"):
        return "vmdk"
    if len(split_raw_segments(path)) > 1:
        return "split-raw"
    return "raw"


def split_raw_segments(first: Path) -> list[Path]:
    """The segment files of a split raw image starting at ``first`` (just ``[first]`` if none)."""
    name = first.name
    match = _DIGIT_SEGMENT.match(name)
    segments = [first]
    if match:
        stem, num = match["stem"], match["num"]
        width, n = len(num), int(num)
        before = first.with_name(f"{stem}{n - 1:0{width}d}") if n > 0 else None
        if before is not None and before.is_file():
            raise EvidenceError(f"{first}: not the first segment of a split image ({before.name} exists)")
        while True:
            n += 1
            candidate = first.with_name(f"{stem}{n:0{width}d}")
            if not candidate.is_file():
                break
            segments.append(candidate)
        return segments
    match = _ALPHA_SEGMENT.match(name)
    if match and match["letters"].lower() != "aa":
        letters = match["letters"].lower()
        index = (ord(letters[0]) - ord("a")) * 26 + ord(letters[1]) - ord("a")
        previous = index - 1
        pair = chr(ord("a") + previous // 26) + chr(ord("a") + previous % 26)
        before = first.with_name(match["stem"] + (pair.upper() if match["letters"].isupper() else pair))
        if before.is_file():
            raise EvidenceError(f"{first}: not the first segment of a split image ({before.name} exists)")
    if match and match["letters"].lower() == "aa":
        stem, letters = match["stem"], match["letters"]
        upper = letters.isupper()
        for index in range(1, 26 * 26):
            pair = chr(ord("a") + index // 26) + chr(ord("a") + index % 26)
            candidate = first.with_name(stem + (pair.upper() if upper else pair))
            if not candidate.is_file():
                break
            segments.append(candidate)
    return segments


def open_image(path: Path | str) -> EvidenceImage:
    """Open an evidence container read-only; raises EvidenceError with one clear line."""
    path = Path(path)
    container = detect_container(path)
    try:
        opener = _OPENERS[container]
        return opener(path)
    except EvidenceError:
        raise
    except (OSError, RuntimeError, ValueError) as exc:
        raise EvidenceError(f"{path}: cannot open as {container}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _open_raw(path: Path) -> EvidenceImage:
    media = FileMedia(path)
    return EvidenceImage(path, "raw", [path], media, media.size)


def _open_split_raw(path: Path) -> EvidenceImage:
    segments = split_raw_segments(path)
    media = SplitRawMedia(segments)
    return EvidenceImage(path, "split-raw", segments, media, media.size)


def _open_ewf(path: Path) -> EvidenceImage:
    import pyewf

    segments = [Path(p) for p in pyewf.glob(str(path))]
    handle = pyewf.handle()
    handle.open([str(p) for p in segments], "r")
    metadata = {k: v for k, v in (handle.get_header_values() or {}).items() if v not in (None, "")}
    stored = {k.lower(): v.lower() for k, v in (handle.get_hash_values() or {}).items() if v}
    size = handle.get_media_size()
    bytes_per_sector = handle.get_bytes_per_sector() or 512
    media = EwfMedia(handle, size, bytes_per_sector)
    return EvidenceImage(path, "ewf", segments, media, size, bytes_per_sector, metadata, stored)


def _open_qcow(path: Path) -> EvidenceImage:
    import pyqcow

    handle = pyqcow.file()
    handle.open(str(path), "r")
    size = handle.get_media_size()
    return EvidenceImage(path, "qcow", [path], LibyalMedia(handle, size), size)


def _open_vhd(path: Path) -> EvidenceImage:
    import pyvhdi

    handle = pyvhdi.file()
    handle.open(str(path), "r")
    if handle.get_parent_identifier() is not None and handle.get_disk_type() == 4:
        handle.close()
        raise EvidenceError(f"{path}: differencing VHD needs its parent disk, which is not supported yet")
    size = handle.get_media_size()
    container = "vhdx" if detect_container(path) == "vhdx" else "vhd"
    return EvidenceImage(
        path, container, [path], LibyalMedia(handle, size), size, handle.get_bytes_per_sector() or 512
    )


def _open_vmdk(path: Path) -> EvidenceImage:
    import pyvmdk

    handle = pyvmdk.handle()
    handle.open(str(path), "r")
    handle.open_extent_data_files()
    size = handle.get_media_size()
    return EvidenceImage(path, "vmdk", [path], LibyalMedia(handle, size), size)


def _open_folder(path: Path) -> EvidenceImage:
    return EvidenceImage(path, "folder", [path], None, 0, 0)


_OPENERS = {
    "raw": _open_raw,
    "split-raw": _open_split_raw,
    "ewf": _open_ewf,
    "qcow": _open_qcow,
    "vhd": _open_vhd,
    "vhdx": _open_vhd,
    "vmdk": _open_vmdk,
    "folder": _open_folder,
}
