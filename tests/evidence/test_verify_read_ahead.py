"""Media hashing for verification: reading ahead gives the same bytes, one read at a time, errors named."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from dataclasses import dataclass

import pytest

from forensics.core.errors import EvidenceError
from forensics.evidence import verify
from forensics.evidence.verify import _media_chunks, hash_media

DATA = os.urandom(10_000 + 37)


class Reader:
    """A media read function that hands out at most ``step`` bytes per call and notes its threads."""

    def __init__(self, data: bytes, step: int = 10**9, fail_at: int | None = None, end_at: int | None = None):
        self.data, self.step, self.fail_at, self.end_at = data, step, fail_at, end_at
        self.active = 0
        self.most_active = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, offset: int, size: int) -> bytes:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.threads.add(threading.current_thread().name)
        try:
            if self.fail_at is not None and offset <= self.fail_at < offset + size:
                raise EvidenceError(f"read error at byte {self.fail_at}")
            end = len(self.data) if self.end_at is None else self.end_at
            return self.data[offset : min(offset + size, offset + self.step, end)]
        finally:
            with self._lock:
                self.active -= 1


@pytest.fixture(autouse=True)
def _small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "READ_SIZE", 1000)


@pytest.mark.parametrize("step", [10**9, 300, 1])
def test_reading_ahead_gives_the_same_pieces(step: int) -> None:
    plain = list(_media_chunks(Reader(DATA, step), len(DATA), False, "media"))
    reader = Reader(DATA, step)
    ahead = list(_media_chunks(reader, len(DATA), True, "media"))
    assert ahead == plain
    assert b"".join(ahead) == DATA
    assert [len(p) for p in ahead] == [1000] * 10 + [37]
    assert reader.most_active == 1  # the handle is never read by two threads at once
    assert all(name.startswith("custos-read-ahead") for name in reader.threads)


def test_a_read_error_names_the_evidence_after_the_pieces_before_it() -> None:
    got: list[bytes] = []
    with pytest.raises(EvidenceError, match=r"^media: read error at byte 4500$"):
        for piece in _media_chunks(Reader(DATA, fail_at=4500), len(DATA), True, "media"):
            got.append(piece)
    assert b"".join(got) == DATA[:4000]


@dataclass
class FakeImage:
    media: object
    media_size: int
    container: str = "ewf"


class FakeMedia:
    def __init__(self, reader: Reader) -> None:
        self.read_at = reader


@pytest.mark.parametrize("container", ["ewf", "raw"])
def test_hash_media_equals_hashlib_and_stops_where_the_media_ends(monkeypatch, container: str) -> None:
    def opener(reader: Reader):
        return lambda path: contextlib.nullcontext(FakeImage(FakeMedia(reader), len(DATA), container))

    monkeypatch.setattr(verify, "open_image", opener(Reader(DATA, step=333)))
    seen: list[tuple[int, int]] = []
    digests = hash_media("media", progress=lambda done, total: seen.append((done, total)))
    assert (digests.md5, digests.sha256, digests.size) == (
        hashlib.md5(DATA).hexdigest(),
        hashlib.sha256(DATA).hexdigest(),
        len(DATA),
    )
    assert seen[-1] == (len(DATA), len(DATA))
    monkeypatch.setattr(verify, "open_image", opener(Reader(DATA, end_at=2500)))
    with pytest.raises(EvidenceError, match=r"media: media ends at byte 2500 of 10037"):
        hash_media("media")
