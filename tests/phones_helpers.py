"""Helpers for the phone-extraction tests: the scripted fixtures and the MVT samples (read in place)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, BinaryIO

import pytest

from scripts.fixtures.phones.cache import encrypted_ios_backup, phone_fixtures

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_ROOT = Path(os.environ.get("CUSTOS_FIXTURE_CACHE", REPO_ROOT / "tests" / ".cache" / "fixtures"))


def mvt_root() -> Path | None:
    """``shared/corpus/mvt`` beside the repository (or a parent of it); None when absent."""
    override = os.environ.get("CUSTOS_MVT_CORPUS")
    if override:
        return Path(override) if Path(override).is_dir() else None
    for parent in REPO_ROOT.parents[:3]:
        candidate = parent / "shared" / "corpus" / "mvt"
        if candidate.is_dir():
            return candidate
    return None


def require_mvt() -> Path:
    """The MVT samples, or skip the test (their licence keeps them out of the repository)."""
    root = mvt_root()
    if root is None:
        pytest.skip("MVT samples (shared/corpus/mvt) are not present")
    return root


def phones() -> tuple[Path, dict[str, Any]]:
    """The phone fixture folder and its facts."""
    folder = phone_fixtures(CACHE_ROOT)
    return folder, json.loads((folder / "facts.json").read_text(encoding="utf-8"))


def encrypted_ios() -> tuple[Path, dict[str, Any]]:
    """The encrypted iOS backup made from the MVT sample, and its facts (skips without MVT)."""
    folder = encrypted_ios_backup(CACHE_ROOT, require_mvt() / "ios_backup")
    return folder, json.loads((folder / "facts.json").read_text(encoding="utf-8"))


def digest(stream: BinaryIO, algorithm: str = "md5") -> str:
    """Digest of a stream read to its end in pieces."""
    hasher = hashlib.new(algorithm)
    while chunk := stream.read(1 << 16):
        hasher.update(chunk)
    return hasher.hexdigest()
