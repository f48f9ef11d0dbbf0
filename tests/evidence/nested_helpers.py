"""Helpers of the nested-content tests: walk a file's nested tree, MD5s of streams and reopened links."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

from forensics.evidence.nested.openers import open_link, open_seekable
from forensics.evidence.nested.tree import NestedItem, NestedTree


def md5_stream(stream: BinaryIO) -> str:
    digest = hashlib.md5()
    while data := stream.read(1 << 20):
        digest.update(data)
    return digest.hexdigest()


def walk_file(path: Path, **options) -> tuple[list[NestedItem], list[str]]:
    """Every nested item of a loose file, and the notes of the walk."""
    with path.open("rb") as stream:
        tree = NestedTree(stream, path.name, **options)
        items = list(tree.items())
    return items, tree.notes


def reopen_md5(path: Path, item: NestedItem, password: bytes | None = None) -> str:
    """The MD5 of a nested item reopened from the top file through its whole chain of links."""
    with path.open("rb") as top:
        parent: BinaryIO = top
        for link in item.chain[:-1]:
            parent = open_seekable(link.kind, parent, link.params, password=password)
        last = item.chain[-1]
        return md5_stream(open_link(last.kind, parent, last.params, password=password))
