"""Reading a perceptual index's codes from the library: the SQLite fast path equals the generic one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forensics.hashsets import perceptual
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.perceptual import load_codes


def _codes(seed: int, count: int, width: int) -> list[str]:
    return [
        row.tobytes().hex() for row in np.random.default_rng(seed).integers(0, 256, (count, width), np.uint8)
    ]


@pytest.fixture
def filled(library: HashSetLibrary, tmp_path: Path) -> dict[str, object]:
    """Two PDQ sets (qualities above, below and without the minimum) and a pHash set."""
    first, second, phash = _codes(1, 30, 32), _codes(2, 20, 32), _codes(3, 25, 8)
    qualities = [100, 49, 50, None, 80] * 6
    lines = [
        f"{h},{q},a{i}.jpg" if q is not None else h
        for i, (h, q) in enumerate(zip(first, qualities, strict=True))
    ]
    (tmp_path / "a.txt").write_text("\n".join(lines) + "\n")
    (tmp_path / "b.txt").write_text("".join(f"{h},90,b.jpg\n" for h in second))
    (tmp_path / "p.txt").write_text("".join(f"{h}\n" for h in phash))
    ids = {
        name: import_hash_set(library, tmp_path / file, ImportOptions(name=name, format=fmt)).set.id
        for name, file, fmt in (("A", "a.txt", "pdq"), ("B", "b.txt", "pdq"), ("P", "p.txt", "phash"))
    }
    return {"ids": ids, "first": first, "second": second, "phash": phash, "qualities": qualities}


def _as_hex(codes: np.ndarray) -> list[str]:
    return [row.tobytes().hex() for row in codes]


def test_codes_of_the_selected_sets_with_the_quality_filter(library: HashSetLibrary, filled: dict) -> None:
    ids = filled["ids"]
    entry_ids, codes = load_codes(library, [ids["A"], ids["B"]], "pdq", 50)
    kept = [h for h, q in zip(filled["first"], filled["qualities"], strict=True) if q is None or q >= 50]
    assert sorted(_as_hex(codes)) == sorted(kept + filled["second"])
    assert len(set(entry_ids.tolist())) == len(entry_ids) == len(kept) + 20
    assert codes.dtype == np.uint8 and entry_ids.dtype == np.int64
    _, all_codes = load_codes(library, [ids["A"]], "pdq", None)
    assert sorted(_as_hex(all_codes)) == sorted(filled["first"])
    _, phash = load_codes(library, [ids["P"]], "phash", 50)
    assert sorted(_as_hex(phash)) == sorted(filled["phash"]) and phash.shape[1] == 8
    empty_ids, empty = load_codes(library, [], "pdq", 50)
    assert empty.shape == (0, 32) and len(empty_ids) == 0


@pytest.mark.parametrize(
    ("sets", "algorithm", "quality"), [(("A", "B"), "pdq", 50), (("A",), "pdq", None), (("P",), "phash", 0)]
)
def test_sqlite_path_equals_the_generic_path(
    library: HashSetLibrary, filled: dict, sets: tuple[str, ...], algorithm: str, quality: int | None
) -> None:
    set_ids = [filled["ids"][name] for name in sets]
    width = 32 if algorithm == "pdq" else 8
    fast = perceptual._load_codes_sqlite(library, set_ids, algorithm, quality, width)
    generic = perceptual._load_codes_generic(library, set_ids, algorithm, quality, width)
    pairs = [sorted(zip(ids.tolist(), _as_hex(codes), strict=True)) for ids, codes in (fast, generic)]
    assert pairs[0] == pairs[1] and len(pairs[0]) > 0
    # Each id still holds its own code in the library (the pairing survived the fast path).
    with library.engine.connect() as connection:
        stored = dict(connection.exec_driver_sql(f"SELECT id, hex({algorithm}) FROM hash_entries").all())
    assert all(stored[i].lower() == code for i, code in pairs[0])
