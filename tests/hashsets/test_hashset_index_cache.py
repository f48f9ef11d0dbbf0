"""The persisted perceptual index: hit, miss, invalidation by import/remove, damage detected and rebuilt."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hashset_case import CaseBuilder

from forensics.hashsets import hamming, index_cache, perceptual
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.index_cache import IndexCache, cache_key, default_cache_root
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import MatchSettings, match_case
from forensics.hashsets.mih import MultiIndexHashIndex
from forensics.hashsets.perceptual import perceptual_hits


def _index(count: int, seed: int = 1) -> tuple[np.ndarray, MultiIndexHashIndex, np.ndarray]:
    codes = np.random.default_rng(seed).integers(0, 256, (count, 32), dtype=np.uint8)
    index = MultiIndexHashIndex(256, 16)  # small tables: quick to write in a test
    index.add(codes)
    return np.arange(1000, 1000 + count, dtype=np.int64), index, codes


def _stored(tmp_path: Path) -> tuple[IndexCache, str, np.ndarray, np.ndarray]:
    cache = IndexCache(tmp_path / "cache")
    entry_ids, index, codes = _index(3000)
    assert cache.store("k" * 64, entry_ids, index)
    return cache, "k" * 64, entry_ids, codes


def test_store_then_load_gives_the_same_answers_from_read_only_maps(tmp_path: Path) -> None:
    cache, key, entry_ids, codes = _stored(tmp_path)
    loaded = cache.load(key)
    assert loaded is not None
    assert np.array_equal(loaded.entry_ids, entry_ids)
    arrays = loaded.index.arrays()
    assert all(not array.flags.writeable for array in arrays.values())  # memory-mapped read-only
    queries = codes[:50]
    fresh = MultiIndexHashIndex(256, 16)
    fresh.add(codes)
    for got, want in zip(
        loaded.index.search_within(queries, 31), fresh.search_within(queries, 31), strict=True
    ):
        assert np.array_equal(got, want)
    assert cache.load("0" * 64) is None  # another key misses


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


DAMAGE = {
    "flipped byte in the codes": lambda folder: _flip_a_byte(folder / "words.npy"),
    "flipped byte in a table": lambda folder: _flip_a_byte(folder / "ids_3.npy"),
    "truncated entry ids": lambda folder: os.truncate(folder / "entry_ids.npy", 200),
    "missing table": lambda folder: (folder / "offsets_5.npy").unlink(),
    "garbage manifest": lambda folder: (folder / "manifest.json").write_text("{not json"),
    "manifest not an object": lambda folder: (folder / "manifest.json").write_text("[]"),
    "manifest of another key": lambda folder: (folder / "manifest.json").write_text(
        json.dumps(json.loads((folder / "manifest.json").read_text()) | {"key": "x"})
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_is_refused_removed_and_can_be_stored_again(tmp_path: Path, damage: str) -> None:
    cache, key, entry_ids, _ = _stored(tmp_path)
    DAMAGE[damage](cache.root / key)
    assert cache.load(key) is None
    assert not (cache.root / key).exists()
    _, index, _ = _index(3000)
    assert cache.store(key, entry_ids, index) and cache.load(key) is not None


def test_clear_leaves_no_copy_of_any_codes(tmp_path: Path) -> None:
    cache, key, _, _ = _stored(tmp_path)
    cache.clear()
    assert list(cache.root.iterdir()) == [] and cache.load(key) is None
    IndexCache(tmp_path / "never-created").clear()  # nothing to clear is no error


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    entry_ids, index, _ = _index(10)
    assert IndexCache(blocker / "cache").store("k" * 64, entry_ids, index) is False


def test_pruning_keeps_the_most_recently_used_entries(tmp_path: Path) -> None:
    cache = IndexCache(tmp_path / "cache")
    entry_ids, index, _ = _index(50)
    stale = cache.root / ".0123456789abcdef-crashed"
    stale.mkdir(parents=True)
    os.utime(stale, (time.time() - 3 * 86_400,) * 2)
    keys = [f"{n:064x}" for n in range(index_cache.KEEP_ENTRIES + 3)]
    for n, key in enumerate(keys[:-1]):  # each one older than the next
        assert cache.store(key, entry_ids, index)
        os.utime(cache.root / key / "manifest.json", (time.time() - 100 * (len(keys) - n),) * 2)
    stored = keys[: index_cache.KEEP_ENTRIES + 2]
    assert {p.name for p in cache.root.iterdir()} == set(stored[-index_cache.KEEP_ENTRIES :])
    oldest_kept = stored[-index_cache.KEEP_ENTRIES]
    assert cache.load(oldest_kept) is not None  # using it makes it the most recent
    assert cache.store(keys[-1], entry_ids, index)
    expected = {oldest_kept, keys[-1], *stored[-index_cache.KEEP_ENTRIES + 2 :]}
    assert {p.name for p in cache.root.iterdir()} == expected


def _pdq_list(path: Path, seed: int, count: int = 40) -> tuple[Path, list[str]]:
    """A PDQ list file (``hex,quality,name``) of random codes, and the codes as hex."""
    codes = np.random.default_rng(seed).integers(0, 256, (count, 32), dtype=np.uint8)
    hexes = [row.tobytes().hex() for row in codes]
    path.write_text("".join(f"{h},100,img{i}.jpg\n" for i, h in enumerate(hexes)))
    return path, hexes


def test_the_key_follows_everything_the_index_depends_on(library: HashSetLibrary, tmp_path: Path) -> None:
    first = import_hash_set(library, _pdq_list(tmp_path / "a.txt", 1)[0], ImportOptions(name="A")).set
    second = import_hash_set(library, _pdq_list(tmp_path / "b.txt", 2)[0], ImportOptions(name="B")).set
    index = MultiIndexHashIndex(256, 12)
    base = cache_key(library.location, [first, second], "pdq", 50, index)
    assert base == cache_key(library.location, [second, first], "pdq", 50, index)  # order does not matter
    assert base != cache_key(library.location, [first], "pdq", 50, index)
    assert base != cache_key(
        library.location, [first, dataclasses.replace(second, uid="0" * 32)], "pdq", 50, index
    )
    assert base != cache_key(
        library.location, [first, dataclasses.replace(second, pdq_count=1)], "pdq", 50, index
    )
    assert base != cache_key(library.location, [first, second], "pdq", 60, index)
    assert base != cache_key(library.location, [first, second], "pdq", 50, MultiIndexHashIndex(256, 16))
    assert base != cache_key(str(tmp_path / "other.db"), [first, second], "pdq", 50, index)
    assert default_cache_root(library.location) == Path(library.location + ".index-cache")


class _LoadCounter:
    """Counts reads of the library's codes (a cache hit reads none)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = perceptual.load_codes

        def counting(*args: Any, **kwargs: Any) -> tuple[np.ndarray, np.ndarray]:
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(perceptual, "load_codes", counting)


def _hits(case: CaseBuilder, library: HashSetLibrary) -> list[perceptual.Hit]:
    set_ids = [info.id for info in library.sets()]
    return list(perceptual_hits(case.db.engine, library, set_ids, "pdq", MatchSettings()))


@pytest.mark.usefixtures("library_backend")  # the library in a file and on a lab server
def test_match_reuses_the_index_and_rebuilds_it_after_import_remove_or_damage(
    library: HashSetLibrary, case: CaseBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hamming, "MULTI_HASH_MIN_SIZE", 0)  # the cached index even for a small list
    loads = _LoadCounter(monkeypatch)
    _, listed = _pdq_list(tmp_path / "a.txt", 1)
    import_hash_set(library, tmp_path / "a.txt", ImportOptions(name="A"))
    near = f"{int(listed[5], 16) ^ 0b1011:064x}"  # 3 bits from a listed code
    case.add_analysis(case.add_file("/near.jpg"), pdq=near, pdq_quality=100)

    assert match_case(case.db, library).findings_added == 1
    root = default_cache_root(library.location)
    assert loads.calls == 1 and len(list(root.iterdir())) == 1
    first = _hits(case, library)
    assert [(h.distance, h.variant) for h in first] == [(3, "original")]
    assert loads.calls == 1  # second use: from the cache, the library's codes are not read

    _, other = _pdq_list(tmp_path / "b.txt", 2)
    import_hash_set(library, tmp_path / "b.txt", ImportOptions(name="B"))
    case.add_analysis(case.add_file("/other.jpg"), pdq=other[0], pdq_quality=100)
    assert len(_hits(case, library)) == 2 and loads.calls == 2  # new set: new key, rebuilt
    library.remove("B")
    assert list(root.iterdir()) == []  # removing a set leaves no copy of any list's codes behind
    assert _hits(case, library) == first and loads.calls == 3  # rebuilt from the remaining set

    (entry,) = [p for p in root.iterdir() if (p / "manifest.json").exists() and _sets_of(p) == 1]
    words = entry / "words.npy"
    data = bytearray(words.read_bytes())
    data[-32 * 35 : -32 * 34] = bytes.fromhex(near)  # a forged code: a wrong hit if it were believed
    words.write_bytes(bytes(data))
    assert _hits(case, library) == first and loads.calls == 4  # damage detected, index rebuilt


def _sets_of(entry: Path) -> int:
    """How many entries the cached index holds, in sets of 40 (the test lists' size)."""
    return json.loads((entry / "manifest.json").read_text())["size"] // 40


def test_clear_and_prune_delete_only_cache_entries(tmp_path):
    """Pointed at a folder that holds other things, the cache removes nothing but its own entries."""
    root = tmp_path / "shared-folder"
    (root / "someone-elses-folder").mkdir(parents=True)
    (root / "notes.txt").write_text("keep me")
    (root / ("a" * 64)).mkdir()  # named like an entry but without its manifest
    cache = IndexCache(root)
    cache.prune(keep=0)
    cache.clear()
    assert sorted(p.name for p in root.iterdir()) == sorted(["someone-elses-folder", "notes.txt", "a" * 64])
