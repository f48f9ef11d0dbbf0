"""A folder source whose names are not valid UTF-8: listed, hashed and reopened, never a crash."""

from __future__ import annotations

import hashlib
import os

from forensics.core.hashing import hash_chunks
from forensics.evidence.locator import FileLocator
from forensics.evidence.logical import walk_folder
from forensics.evidence.source import EvidenceSource


def test_undecodable_names_are_listed_and_read(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    bad_dir = os.path.join(os.fsencode(root), b"dir\xfe")
    os.mkdir(bad_dir)
    content = b"bytes of a file with a latin-1 name\n"
    with open(os.path.join(bad_dir, b"bad\xff.txt"), "wb") as f:
        f.write(content)
    entries = {e.path: e for e in walk_folder(root)}
    assert set(entries) == {"/dir\\xfe", "/dir\\xfe/bad\\xff.txt"}
    entry = entries["/dir\\xfe/bad\\xff.txt"]
    assert entry.name == "bad\\xff.txt" and entry.size == len(content)
    # Every listed path can be stored as UTF-8 text.
    for path in entries:
        path.encode("utf-8")
    locator = FileLocator("EXH", None, entry.inode, None, None, None, entry.path)
    with EvidenceSource(root) as source:
        assert hash_chunks(source.read_chunks(locator)).sha256 == hashlib.sha256(content).hexdigest()
