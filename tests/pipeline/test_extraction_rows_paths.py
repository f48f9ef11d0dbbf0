"""The walk's string cuts for a member's name, extension and folders give what ``PurePosixPath`` gives."""

from __future__ import annotations

import random
from pathlib import PurePosixPath

from forensics.pipeline.extraction_rows import _extension, _name_of, _parent_of

WRITTEN = [
    "/data/media/0/DCIM/Camera/IMG_0001.JPG",
    "/a",
    "a",
    "/",
    "",
    ".",
    "..",
    "/a/b/",
    "//a/b",
    "/a/./b",
    "./a/b",
    "a/.",
    "/a/..",
    "/a/.hidden",
    "/x/y.TAR.GZ",
    "/x/y.",
    "/.a",
    "a//",
    "///",
    "/ä/b c/d.JPEG",
    "/a\\b/c.d",
    "/x/" + "n" * 50 + "." + "e" * 60,
]


def _expected_extension(name: str) -> str | None:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix[1:41] if suffix else None


def test_name_parent_and_extension_match_purepath_on_odd_and_random_paths():
    rng = random.Random(7)
    paths = WRITTEN + ["".join(rng.choice("/.aB") for _ in range(rng.randint(0, 8))) for _ in range(20000)]
    for path in paths:
        assert _name_of(path) == PurePosixPath(path).name, path
        assert _parent_of(path) == str(PurePosixPath(path).parent), path
        name = _name_of(path)
        assert _extension(name) == _expected_extension(name), path
