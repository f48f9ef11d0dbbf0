"""One-pass MD5/SHA-1/SHA-256, serial and with MD5 on the helper thread, against hashlib."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from forensics.core.hashing import HASH_SLICE, PARALLEL_MIN, MultiHasher, hash_chunks, slices


def _reference(data: bytes) -> tuple[str, str, str, int]:
    return (
        hashlib.md5(data).hexdigest(),
        hashlib.sha1(data).hexdigest(),
        hashlib.sha256(data).hexdigest(),
        len(data),
    )


SIZES = [
    [],
    [0],
    [1],
    [HASH_SLICE - 1, HASH_SLICE, HASH_SLICE + 1],
    [PARALLEL_MIN - 1],
    [PARALLEL_MIN],
    [PARALLEL_MIN + 1, 3, PARALLEL_MIN * 4, 0, 17],
    [5, PARALLEL_MIN * 2, PARALLEL_MIN - 1, PARALLEL_MIN],
]


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("sizes", SIZES)
def test_digests_equal_hashlibs_over_the_concatenation(sizes: list[int], parallel: bool) -> None:
    chunks = [os.urandom(size) for size in sizes]
    hasher = MultiHasher(parallel=parallel)
    for chunk in chunks:
        hasher.update(chunk)
    digests = hasher.digests()
    assert (digests.md5, digests.sha1, digests.sha256, digests.size) == _reference(b"".join(chunks))


def test_known_answers() -> None:
    """FIPS 180 / RFC 1321 test vector "abc", also through the parallel path (a big chunk)."""
    assert hash_chunks([b"a", b"bc"]).md5 == "900150983cd24fb0d6963f7d28e17f72"
    assert hash_chunks([b"abc"]).sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d"
    assert hash_chunks([b"abc"]).sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    big = b"\x00" * (PARALLEL_MIN * 3)
    hasher = MultiHasher(parallel=True)
    hasher.update(big)
    assert hasher.digests().md5 == hashlib.md5(big).hexdigest()


def _md5_threads(monkeypatch: pytest.MonkeyPatch, hasher: MultiHasher) -> list[str]:
    """The names of the threads that feed ``hasher``'s MD5, one per update (recorded from now on)."""
    seen: list[str] = []
    real = hasher._md5

    class Recording:
        def update(self, data: bytes) -> None:
            seen.append(threading.current_thread().name)
            real.update(data)

        def hexdigest(self) -> str:
            return real.hexdigest()

    monkeypatch.setattr(hasher, "_md5", Recording())
    return seen


def test_md5_of_large_chunks_runs_on_the_helper_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = MultiHasher(parallel=True)
    seen = _md5_threads(monkeypatch, hasher)
    hasher.update(b"x" * PARALLEL_MIN)
    hasher.update(b"x" * 10)
    assert seen[0].startswith("custos-md5") and seen[1] == threading.current_thread().name
    assert hasher.digests().md5 == hashlib.md5(b"x" * (PARALLEL_MIN + 10)).hexdigest()


def test_a_callable_decides_for_each_large_chunk_whether_md5_goes_to_the_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A busy machine (the callable says no) keeps MD5 on the caller's thread; small chunks never ask."""
    answers = iter([False, True])
    asked: list[int] = []

    def spare_core() -> bool:
        asked.append(1)
        return next(answers)

    hasher = MultiHasher(parallel=spare_core)
    seen = _md5_threads(monkeypatch, hasher)
    for size in (PARALLEL_MIN, PARALLEL_MIN, 10):
        hasher.update(b"y" * size)
    own = threading.current_thread().name
    assert len(asked) == 2  # the 10-byte chunk did not ask
    pieces = PARALLEL_MIN // HASH_SLICE  # fed in pieces on the own thread, whole to the helper
    assert seen[:pieces] == [own] * pieces
    assert seen[pieces].startswith("custos-md5") and seen[pieces + 1 :] == [own]
    assert hasher.digests().md5 == hashlib.md5(b"y" * (2 * PARALLEL_MIN + 10)).hexdigest()


def test_each_hash_is_fed_cache_sized_pieces_of_a_large_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 4 MiB read reaches MD5, SHA-1 and SHA-256 as views of at most ``HASH_SLICE`` bytes, in order."""
    data = os.urandom(4 * 1024 * 1024 + 5)
    fed: list[tuple[str, int]] = []
    hasher = MultiHasher(parallel=False)
    for name in ("_md5", "_sha1", "_sha256"):
        real = getattr(hasher, name)

        class Recording:
            def __init__(self, name: str, real) -> None:
                self.name, self.real = name, real

            def update(self, piece) -> None:
                fed.append((self.name, len(piece)))
                self.real.update(piece)

            def hexdigest(self) -> str:
                return self.real.hexdigest()

        monkeypatch.setattr(hasher, name, Recording(name, real))
    hasher.update(data)
    assert max(size for _, size in fed) == HASH_SLICE
    for name in ("_md5", "_sha1", "_sha256"):
        assert sum(size for who, size in fed if who == name) == len(data)
    assert [who for who, _ in fed[:3]] == ["_md5", "_sha1", "_sha256"]  # piece by piece, not hash by hash
    digests = hasher.digests()
    assert (digests.md5, digests.sha1, digests.sha256, digests.size) == _reference(data)


def test_slices_are_views_that_cover_the_chunk() -> None:
    chunk = bytes(range(256)) * 5000
    pieces = list(slices(chunk, 1000))
    assert b"".join(bytes(piece) for piece in pieces) == chunk
    assert all(isinstance(piece, memoryview) and len(piece) <= 1000 for piece in pieces)
    assert list(slices(b"abc", 1000)) == [b"abc"]
