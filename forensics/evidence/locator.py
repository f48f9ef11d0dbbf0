"""FileLocator: a saveable value that says where an item lives and reopens it later."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class FileLocator:
    """Evidence item, file-system offset in the image, metadata address, attribute, and path.

    For a logical (folder) source ``partition_offset`` and ``attr_*`` are None and ``path`` is the
    path below the folder. ``stream`` names an NTFS alternate data stream or HFS+ fork. ``fs_type``
    (e.g. ``fat16``) says which file system to open where more than one type is valid at the offset;
    None lets TSK detect it (and is left out of the dictionary form).
    """

    item: str
    partition_offset: int | None
    inode: int | None
    attr_type: int | None
    attr_id: int | None
    stream: str | None
    path: str
    fs_type: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        if data["fs_type"] is None:
            del data["fs_type"]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict) -> FileLocator:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})

    @classmethod
    def from_json(cls, text: str) -> FileLocator:
        return cls.from_dict(json.loads(text))
