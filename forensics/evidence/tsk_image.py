"""Give The Sleuth Kit (pytsk3) access to any opened container through a ``pytsk3.Img_Info`` subclass.

The PyPI pytsk3 wheel has no libewf/libqcow/... built in, so TSK reads through the Python media
handles of :mod:`forensics.evidence.media`. Single raw files use TSK's own raw reader (faster).
"""

from __future__ import annotations

import os
import time

import pytsk3

from forensics.evidence.containers import EvidenceImage
from forensics.evidence.media import MediaHandle

# FAT and other file systems store local times; TSK converts them with the process time zone.
# Custos runs TSK in UTC so that such times are recorded unshifted and marked as "zone unknown".
os.environ["TZ"] = "UTC"
time.tzset()


class MediaImgInfo(pytsk3.Img_Info):
    """A pytsk3 image backed by a Python media handle (EWF, split raw, QCOW, VHD, VMDK)."""

    def __init__(self, media: MediaHandle) -> None:
        self._media = media
        # Damaged EWF chunks read as zeros here, as in TSK's own libewf support: a file-system probe must
        # not fail on them. Item reads check their own runs (EvidenceSource).
        self._read = getattr(media, "read_at_unchecked", media.read_at)
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        return self._read(offset, size)

    def get_size(self) -> int:
        return self._media.size

    def close(self) -> None:
        """The media handle is closed by its EvidenceImage."""


def tsk_image(image: EvidenceImage) -> pytsk3.Img_Info:
    """A pytsk3 Img_Info for an opened evidence image (not for folder sources)."""
    if image.container == "raw":
        return pytsk3.Img_Info(str(image.path), type=pytsk3.TSK_IMG_TYPE_RAW)
    if image.media is None:
        raise ValueError(f"{image.path}: a {image.container} source has no media for TSK")
    return MediaImgInfo(image.media)
