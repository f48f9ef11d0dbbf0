"""Own multi-index hashing returns exactly what numpy brute force finds, on random and on real PDQ codes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from hamming_helpers import near_code, result_sets
from PIL import Image, ImageEnhance

from bench.baseline_indexes import NumpyHammingIndex
from forensics.hashsets import mih
from forensics.hashsets.hamming import FaissHammingIndex, choose_index
from forensics.hashsets.mih import MihLayout, MultiIndexHashIndex

DATA = Path(__file__).resolve().parents[1] / "data"
IMAGES = sorted((DATA / "pdqhash-python" / "images").glob("*.jpg")) + sorted(
    (DATA / "ThreatExchange").glob("*.*g")
)
# PDQ hashes published by pdqhash-python (C++ reference, tests/data/pdqhash-python/NOTICE.md) and by
# python-threatexchange (tests/data/ThreatExchange/EXPECTED.md: LA.png and its rotations/flips, I16.png,
# rgb.jpeg, the bridge image): real codes, with real structure, not uniform random bits.
PUBLISHED_PDQ = [
    "162f64caf95043b9bf2f3aceda528c7e0083d95066adc369e299a1709d723c8f",
    "6d4da52c96e436e6c933db32364a648c4daddb6ce673c6669d6c4018f4d0a8cd",
    "0f3a64e05392ed6b32c4c71374f9cb873378c5c5745f11796c05733ae4c99646",
    "d83acfc7bc386ecd3263359c4263bd1cd9a30af83c0f60f03747c03ccf72a08b",
    "3f98c0e79c7e1b0ee1e1b0bd46567bc129acd2791c96cf4a3071ce8f991131b2",
    "dce5f41e8b8cf0900aabcce142aa8def70ae780ef5c4e0515fd5e2f1281f360e",
    "a78d2315b479b87693f61f091936e0e3e1e6c61e0e380e318e638ec718defdc0",
    "522362058e441e722cdea9cb911b5fa997386a7721e781870f44eedc91fbe54b",
    "36ce692904162be3c9a524f8356f1e12cadbd4f839a5a41ab247d3d858bb69a7",
    "1cc64275f58c5f73899362bc55cf98bce30236dd89a6701bdfe4809e63631c07",
    "accb6d39648035f8125c8ce6ba65007de7b54c67a2d93ef7b8f33b0611306715",
    "de2ef0e99ecdfc1d248a0eb055f023d1d61e79c3920cbb55d561c02accab1763",
    "fb4eed46cb8a6c78819ca06b756c541f7b07ef6d02c82fccd00f862166272cda",
    "d8f871cce0f4e84d8a370a32028f63f4b36e27d597621e1d33e6b39c4a9c9b22",
    "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
    "1f70cbbc77edc5f9524faa1b18f3b76cd0a04a833e20f645d229d0acc8499c56",
    "31ddf2513558de0ae56e4a8c8930cadde2ee084df3aed0a75fa512ea0e41e197",
    "c79931968e880f4b97196df4d5ea0fb489b99e2c10af0dceacf572809b815ea5",
    "aaca8605440c4a6735dbbf59b947df92e7bf161807e9cd88baf04579523098ab",
    "559f78de2530abbdc663b131ed78f10072c4bb13f3acd6017d0e69150e413e5a",
    "86a860c1f2bd1a1ec65cf4d10ab55087b4b89f7857da59bbd9200fd5845cc3f9",
    "5bb15db9e8a1f03c174a380a55aeaa2985bde9c60abce301bde48df918b5c15b",
]


def _recompressed(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=25)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


TRANSFORMS = (
    lambda im: im,
    _recompressed,
    lambda im: im.resize((max(8, im.width // 3), max(8, im.height // 3))),
    lambda im: im.crop((im.width // 12, im.height // 12, im.width - im.width // 12, im.height)),
    lambda im: ImageEnhance.Brightness(im).enhance(1.4),
)


@pytest.fixture(scope="module")
def real_codes() -> np.ndarray:
    """Published PDQ hashes plus the 8 dihedral PDQ hashes of copies of every test photo (pdqhash)."""
    codes = [bytes.fromhex(h) for h in PUBLISHED_PDQ]
    for path in IMAGES:
        original = Image.open(path).convert("RGB")
        for transform in TRANSFORMS:
            variants, _ = pdqhash.compute_dihedral(np.asarray(transform(original)))
            codes.extend(np.packbits(np.asarray(v, dtype=np.uint8)).tobytes() for v in variants)
    return np.frombuffer(b"".join(codes), dtype=np.uint8).reshape(-1, 32)


def _brute(codes: np.ndarray, queries: np.ndarray, radius: int) -> list[set[tuple[int, int]]]:
    baseline = NumpyHammingIndex(codes.shape[1] * 8)
    baseline.add(codes)
    return result_sets(*baseline.search_within(queries, radius))


def _mih(codes: np.ndarray, substrings: int) -> MultiIndexHashIndex:
    index = MultiIndexHashIndex(codes.shape[1] * 8, substrings)
    index.add(codes)
    return index


def test_real_pdq_codes_are_many_and_distinct(real_codes: np.ndarray) -> None:
    assert len(real_codes) == len(PUBLISHED_PDQ) + 8 * len(TRANSFORMS) * len(IMAGES) >= 500
    assert len(np.unique(real_codes, axis=0)) > 0.9 * len(real_codes)


@pytest.mark.parametrize("radius", [0, 1, 15, 31, 45])
@pytest.mark.parametrize("substrings", [12, 16])
def test_exact_on_real_pdq_codes(real_codes: np.ndarray, radius: int, substrings: int) -> None:
    index = _mih(real_codes, substrings)
    got = result_sets(*index.search_within(real_codes, radius))
    assert got == _brute(real_codes, real_codes, radius)
    assert all((q, 0) in hits for q, hits in enumerate(got))  # every code finds itself
    if radius == 31:  # copies of a photo (recompressed, resized, ...) match their original's hash
        assert sum(len(hits) for hits in got) > 2 * len(real_codes)


@pytest.mark.parametrize("radius", [0, 1, 15, 31])
@pytest.mark.parametrize("substrings", [12, 16])
def test_exact_on_random_codes(radius: int, substrings: int) -> None:
    rng = np.random.default_rng(radius + substrings)
    codes = rng.integers(0, 256, (20_000, 32), dtype=np.uint8)
    queries = np.stack(
        [near_code(codes[i], radius, rng) for i in range(30)]  # exactly at the radius: must be found
        + [near_code(codes[i], radius + 1, rng) for i in range(30, 60)]  # one past it: must not
        + [codes[i] for i in range(60, 70)]
        + list(rng.integers(0, 256, (30, 32), dtype=np.uint8))
    )
    got = result_sets(*_mih(codes, substrings).search_within(queries, radius))
    assert got == _brute(codes, queries, radius)
    assert all((q, radius) in got[q] for q in range(30))
    assert all(label != q for q in range(30, 60) for label, _ in got[q])


@pytest.mark.parametrize("radius", [8, 10])
def test_exact_on_64_bit_codes(radius: int) -> None:
    rng = np.random.default_rng(radius)
    codes = rng.integers(0, 256, (20_000, 8), dtype=np.uint8)
    queries = np.stack([near_code(codes[i], radius, rng) for i in range(40)])
    got = result_sets(*_mih(codes, 4).search_within(queries, radius))
    assert got == _brute(codes, queries, radius)


def _flip_in_parts(code: np.ndarray, layout: MihLayout, per_part: list[int]) -> np.ndarray:
    """``code`` with ``per_part[j]`` bits flipped inside part ``j`` of the layout."""
    words = code.view(np.uint64).copy()
    for start, width, count in zip(layout.starts, layout.widths, per_part, strict=True):
        for bit in range(start, start + count):
            words[bit // 64] ^= np.uint64(1 << (bit % 64))
        assert count <= width
    return words.view(np.uint8)


@pytest.mark.parametrize(
    ("bits", "substrings", "radius"), [(256, 12, 31), (256, 12, 20), (256, 16, 31), (64, 4, 10)]
)
def test_worst_case_queries_found_through_a_single_part(bits: int, substrings: int, radius: int) -> None:
    """A code at the radius whose every part but one differs by one flip more than probed is still found."""
    rng = np.random.default_rng(radius)
    codes = rng.integers(0, 256, (2000, bits // 8), dtype=np.uint8)
    index = _mih(codes, substrings)
    flips = index.layout.flips_for(radius)
    queries = []
    for lucky in range(substrings):
        per_part = [f + 1 for f in flips]
        per_part[lucky] -= 1
        surplus = sum(per_part) - radius  # the bound is tight when sum(flips + 1) == radius + 1
        for j in range(substrings):
            take = min(surplus, per_part[j] if j != lucky else 0)
            per_part[j] -= take
            surplus -= take
        queries.append(_flip_in_parts(codes[lucky], index.layout, per_part))
    got = result_sets(*index.search_within(np.stack(queries), radius))
    assert all((lucky, radius) in got[lucky] for lucky in range(substrings))
    assert got == _brute(codes, np.stack(queries), radius)


def test_every_radius_up_to_the_limit_is_covered_by_the_pigeonhole() -> None:
    for bits, substrings in ((256, 12), (256, 16), (64, 4)):
        layout = MihLayout(bits, substrings)
        assert sum(layout.widths) == bits
        for radius in range(layout.max_radius + 1):
            flips = layout.flips_for(radius)
            assert sum(f + 1 for f in flips) > radius


def test_radius_past_the_limit_is_refused_and_served_by_the_flat_index() -> None:
    index = _mih(np.zeros((3, 32), np.uint8), 12)
    limit = index.layout.max_radius
    assert limit >= 31
    with pytest.raises(ValueError, match="beyond what multi-index hashing"):
        index.search_within(np.zeros((1, 32), np.uint8), limit + 1)
    assert isinstance(choose_index(256, 5_000_000, limit + 1), FaissHammingIndex)


def test_empty_index_and_no_queries() -> None:
    index = MultiIndexHashIndex(256, 12)
    lims, distances, labels = index.search_within(np.zeros((2, 32), np.uint8), 31)
    assert list(lims) == [0, 0, 0] and len(distances) == len(labels) == 0
    index.add(np.zeros((0, 32), np.uint8))
    assert index.size == 0 and list(index.search_within(np.zeros((1, 32), np.uint8), 31)[0]) == [0, 0]
    index.add(np.ones((1, 32), np.uint8))
    lims, _, _ = index.search_within(np.zeros((0, 32), np.uint8), 31)
    assert list(lims) == [0]


def test_one_entry_duplicates_and_queries_equal_to_entries() -> None:
    rng = np.random.default_rng(1)
    code = rng.integers(0, 256, (1, 32), dtype=np.uint8)
    single = _mih(code, 16)
    queries = np.concatenate([code, near_code(code[0], 31, rng)[None]])
    lims, distances, labels = single.search_within(queries, 31)
    assert list(lims) == [0, 1, 2] and list(labels) == [0, 0] and list(distances) == [0, 31]

    codes = np.concatenate([code.repeat(5, axis=0), rng.integers(0, 256, (100, 32), dtype=np.uint8)])
    lims, distances, labels = _mih(codes, 12).search_within(code, 0)
    assert sorted(labels) == [0, 1, 2, 3, 4] and set(distances) == {0}  # every copy, each once


def test_adding_twice_indexes_everything() -> None:
    rng = np.random.default_rng(2)
    first, second = (rng.integers(0, 256, (500, 32), dtype=np.uint8) for _ in range(2))
    index = _mih(first, 12)
    index.add(second)
    lims, _, labels = index.search_within(np.stack([first[3], second[7]]), 0)
    assert list(lims) == [0, 1, 2] and list(labels) == [3, 507]


def test_crowded_buckets_fall_back_to_an_exact_flat_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real lists hold many copies of some codes (blank images): such queries are scanned, still exact."""
    rng = np.random.default_rng(3)
    blank = np.zeros((1, 32), np.uint8)
    codes = np.concatenate([blank.repeat(6000, axis=0), rng.integers(0, 256, (4000, 32), dtype=np.uint8)])
    queries = np.stack([near_code(blank[0], 20, rng), codes[7000], near_code(codes[8000], 12, rng)])
    scanned: list[int] = []
    original = MultiIndexHashIndex._flat_scan

    def spy(self: MultiIndexHashIndex, q: int, query: np.ndarray, radius: int) -> mih.SearchResult:
        scanned.append(q)
        return original(self, q, query, radius)

    monkeypatch.setattr(MultiIndexHashIndex, "_flat_scan", spy)
    monkeypatch.setattr(mih, "FLAT_SCAN_BLOCK", 1024)  # several scan steps
    monkeypatch.setattr(mih, "CANDIDATE_BUDGET", 500)  # several verify passes
    got = result_sets(*_mih(codes, 12).search_within(queries, 31))
    assert scanned == [0]  # only the query next to the 6,000 blank codes
    assert got == _brute(codes, queries, 31)
    assert len(got[0]) == 6000


def test_stored_arrays_that_do_not_fit_are_refused() -> None:
    arrays = _mih(np.zeros((10, 32), np.uint8), 12).arrays()
    MultiIndexHashIndex.from_arrays(256, 12, arrays)  # round trip
    with pytest.raises(ValueError):
        MultiIndexHashIndex.from_arrays(256, 16, arrays)
    with pytest.raises(ValueError):
        MultiIndexHashIndex.from_arrays(256, 12, arrays | {"ids_3": arrays["ids_3"][:-1]})
    with pytest.raises(ValueError):
        MultiIndexHashIndex.from_arrays(256, 12, arrays | {"words": arrays["words"][:5]})


def test_threads_give_the_same_answer_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of queries searched on several threads: the same arrays, in the same order, as on one."""
    monkeypatch.setattr(mih, "QUERY_BLOCK", 16)  # 25 blocks for 400 queries
    rng = np.random.default_rng(8)
    blank = np.zeros((1, 32), np.uint8)
    codes = np.concatenate([blank.repeat(6000, axis=0), rng.integers(0, 256, (14_000, 32), dtype=np.uint8)])
    queries = np.stack(
        [near_code(codes[6000 + i], 31, rng) for i in range(200)]
        + [near_code(blank[0], 20, rng)]  # one crowded query: a flat scan inside a threaded block
        + list(rng.integers(0, 256, (199, 32), dtype=np.uint8))
    )
    index = _mih(codes, 12)
    one = index.search_within(queries, 31, threads=1)
    four = index.search_within(queries, 31, threads=4)
    for a, b in zip(one, four, strict=True):
        assert np.array_equal(a, b)
    got = result_sets(*four)
    assert got == _brute(codes, queries, 31)
    assert all((6000 + q, 31) in got[q] for q in range(200)) and len(got[200]) == 6000


def test_a_search_uses_at_most_max_threads_however_many_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mih, "QUERY_BLOCK", 4)
    monkeypatch.setattr(mih.os, "cpu_count", lambda: 64)
    pools: list[int] = []
    real_pool = mih.ThreadPoolExecutor

    def counting_pool(workers: int, **options: object) -> object:
        pools.append(workers)
        return real_pool(workers, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(mih, "ThreadPoolExecutor", counting_pool)
    rng = np.random.default_rng(9)
    codes = rng.integers(0, 256, (12_000, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, (100, 32), dtype=np.uint8)
    got = result_sets(*_mih(codes, 16).search_within(queries, 31))
    assert pools == [mih.MAX_THREADS] and got == _brute(codes, queries, 31)
