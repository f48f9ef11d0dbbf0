"""Pytest plugin: scripted evidence images as session fixtures, and a check that evidence stays unchanged.

Enable it with ``pytest_plugins = ["tests.fixtures"]`` in ``tests/conftest.py``.  Each fixture
``fixture_<name>`` builds its image once per cache key (see ``scripts/fixtures/cache.py``) into
``tests/.cache/fixtures/<name>-<key>`` (or ``$CUSTOS_FIXTURE_CACHE``) and returns a :class:`FixtureImage`.
The ground truth is ``FixtureImage.facts``, the parsed ``facts.json`` (schema in
``scripts/fixtures/facts.py``), taken from the files the build script put in, never from Custos.

Every test that opens evidence should wrap the work in :func:`assert_unchanged`::

    def test_lists_deleted_files(fixture_ext4_deleted):
        with assert_unchanged(fixture_ext4_deleted.evidence_files):
            ...
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.fixtures.cache import ensure_built
from scripts.fixtures.facts import read_facts
from scripts.fixtures.recipes import ALL_RECIPES, RECIPES
from scripts.fixtures.tools import FixtureBuildError

REPO_ROOT = Path(__file__).resolve().parents[1]
CACHE_ROOT = Path(os.environ.get("CUSTOS_FIXTURE_CACHE", REPO_ROOT / "tests" / ".cache" / "fixtures"))
FIXTURE_NAMES = tuple(RECIPES)


@dataclass(frozen=True)
class FixtureImage:
    """A built fixture: its folder, its evidence files and its ground truth."""

    name: str
    directory: Path
    segments: tuple[Path, ...]  # the evidence files to open, first segment first
    variants: dict[str, tuple[Path, ...]]  # other segment sets of the same media (split_raw)
    facts: dict[str, Any]

    @property
    def image(self) -> Path:
        """The file to hand to an image opener (the first segment)."""
        return self.segments[0]

    @property
    def evidence_files(self) -> tuple[Path, ...]:
        """Every evidence file of the fixture (all segments of all variants)."""
        files = list(self.segments)
        for paths in self.variants.values():
            files += [path for path in paths if path not in files]
        return tuple(files)

    @property
    def filesystems(self) -> list[dict[str, Any]]:
        """The file systems in the media, each with its byte ``offset`` and ``files``."""
        return self.facts["filesystems"]

    def files(self, *, deleted: bool | None = None) -> list[dict[str, Any]]:
        """All file entries of all file systems (with ``filesystem_offset`` added), optionally filtered."""
        return [
            {**entry, "filesystem_offset": filesystem["offset"]}
            for filesystem in self.filesystems
            for entry in filesystem["files"]
            if deleted is None or entry["deleted"] == deleted
        ]


def build_fixture(name: str, cache_root: Path = CACHE_ROOT) -> FixtureImage:
    """Build (or reuse) fixture ``name`` and describe it."""
    directory = ensure_built(name, cache_root)
    facts = read_facts(directory)
    evidence = facts["evidence"]
    variants = {
        variant: tuple(directory / relative for relative in paths)
        for variant, paths in evidence.get("variants", {}).items()
    }
    segments = tuple(directory / relative for relative in evidence["segments"])
    return FixtureImage(name, directory, segments, variants, facts)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def assert_unchanged(paths: Iterable[Path]) -> Iterator[None]:
    """Fail if any of the evidence files' SHA-256 differs after the block from before it."""
    files = [Path(path) for path in paths]
    if not files:
        raise ValueError("assert_unchanged needs at least one evidence file")
    before = {path: sha256_of(path) for path in files}
    yield
    changed = [str(path) for path in files if not path.exists() or sha256_of(path) != before[path]]
    assert not changed, f"evidence modified: {', '.join(changed)}"


def _session_fixture(name: str) -> Any:
    @pytest.fixture(scope="session", name=f"fixture_{name}")
    def built() -> FixtureImage:
        return build_fixture(name)

    built.__doc__ = f"The scripted fixture {name!r}: {ALL_RECIPES[name].description.strip()}"
    return built


fixture_ext4_deleted = _session_fixture("ext4_deleted")
fixture_fat_deleted = _session_fixture("fat_deleted")
fixture_mbr_extended = _session_fixture("mbr_extended")
fixture_gpt = _session_fixture("gpt")
fixture_ntfs_ads = _session_fixture("ntfs_ads")
fixture_e01_multiseg = _session_fixture("e01_multiseg")
fixture_e01_bad_hash = _session_fixture("e01_bad_hash")
fixture_split_raw = _session_fixture("split_raw")
fixture_many_files = _session_fixture("many_files")
fixture_nested_archives = _session_fixture("nested_archives")
fixture_nested_bombs = _session_fixture("nested_bombs")
fixture_carving_wiped = _session_fixture("carving_wiped")
fixture_fat_local_times = _session_fixture("fat_local_times")
fixture_fat_ext2_ambiguous = _session_fixture("fat_ext2_ambiguous")


@pytest.fixture(scope="session", name="fixture_ntfs_deleted")
def fixture_ntfs_deleted() -> FixtureImage:
    """The scripted fixture 'ntfs_deleted' (needs an ntfs-3g FUSE mount to build: skips without one)."""
    try:
        return build_fixture("ntfs_deleted")
    except FixtureBuildError as error:
        pytest.skip(f"ntfs_deleted cannot be built here: {error}")
