"""The ``extension`` column: the suffix ``PurePosixPath`` gives, lower case, without a stream name."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from forensics.pipeline.enumerate import _extension

NAMES = [
    "photo.JPG",
    "archive.tar.gz",
    ".bashrc",
    "noext",
    "trailing.",
    "..",
    ".",
    "",
    "a.b.",
    "x.y:Zone.Identifier",
    "report.docx:secret.txt",
    "IMG_0001.HEIC",
    "$MFT",
    "$BadClus:$Bad",
    "dir/inner.Txt",
    "a..b",
    "...x",
    "OrphanEntry-12",
    "f" * 10 + "." + "e" * 60,
    "tab\t.t x",
    "ünï.cödé",
]


def reference(name: str) -> str | None:
    suffix = PurePosixPath(name.split(":", 1)[0]).suffix
    return suffix[1:].lower()[:40] if len(suffix) > 1 else None


@pytest.mark.parametrize("name", NAMES)
def test_extension_matches_purepath_suffix(name):
    assert _extension(name) == reference(name)


def test_examples():
    assert _extension("photo.JPG") == "jpg"
    assert _extension("x.y:Zone.Identifier") == "y"
    assert _extension(".bashrc") is None
    assert _extension("noext") is None
