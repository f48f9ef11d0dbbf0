"""`custos hashset import --progress-jsonl`: counted total, records done, phases; `case create --region`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from app.hashset_progress import count_lines, count_occurrences, estimate_records
from forensics.case.db import CaseDatabase
from forensics.case.queries.review import case_region
from forensics.hashsets.importer import BATCH_SIZE
from tests.app.cli_helpers import cli
from tests.hashsets.hashset_builders import build_rds3_full, build_rds3_minimal

DATA = Path(__file__).resolve().parents[1] / "data"
CAID = DATA / "NSRL-CAID-to-UCO-Converter"
TESTMD5 = DATA / "sleuthkit" / "hashsets" / "testmd5.dat"


def write_md5_list(path: Path, count: int) -> Path:
    """``count`` distinct MD5 lines (the MD5s of the decimal numbers 0..count-1)."""
    lines = (hashlib.md5(str(i).encode()).hexdigest() for i in range(count))
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


@pytest.mark.parametrize(
    ("name", "records"),
    # Published record counts of NIST's CAID sets (tests/data/NSRL-CAID-to-UCO-Converter/NOTICE.md).
    [
        ("NSRL-CAID-ART.json", 1),
        ("NSRL-CAID-AVI.json", 30),
        ("NSRL-CAID-MOV.json", 9),
        ("NSRL-CAID-MPG.json", 3),
    ],
)
def test_vics_records_are_counted_before_the_import(name: str, records: int) -> None:
    assert estimate_records(CAID / name, "nist-caid") == records


@pytest.mark.parametrize("build", [build_rds3_minimal, build_rds3_full], ids=["minimal", "full"])
def test_rds3_rows_are_counted_from_the_file_object(tmp_path: Path, build) -> None:
    rows = [(f"{i:064x}", f"{i:040x}", f"{i:032x}", "00000000", f"f{i}.dll", i, 1) for i in range(1, 6)]
    assert estimate_records(build(tmp_path / "rds.db", rows), "rds3") == 5
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    assert estimate_records(broken, "rds3") is None  # the import itself reports what is wrong


def test_lines_are_counted_with_or_without_a_last_line_end(tmp_path: Path) -> None:
    assert estimate_records(TESTMD5, "md5sum") == 28  # TSK's testmd5.dat: 28 lines (its NOTICE.md)
    open_end = tmp_path / "open.txt"
    open_end.write_bytes(b"a\nb\nc")
    assert count_lines(open_end) == 3
    empty = tmp_path / "empty.txt"
    empty.touch()
    assert count_lines(empty) == 0


def test_a_key_split_across_two_chunks_is_counted_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("app.hashset_progress.CHUNK", 10)  # splits the 2nd and 3rd key
    path = tmp_path / "x.json"
    path.write_bytes(b'{"MediaID":1},{"MediaID":2},{"MediaID":3}')
    seen: list[int] = []
    assert count_occurrences(path, b'"MediaID"', seen.append) == 3
    assert seen[-1] == path.stat().st_size


def test_import_writes_counting_importing_finishing_lines(capsys, tmp_path: Path) -> None:
    records = BATCH_SIZE * 2 + 500
    source = write_md5_list(tmp_path / "many.txt", records)
    run = cli(capsys, "hashset", "import", source, "--library", tmp_path / "lib.db", "--progress-jsonl")
    assert run.code == 0, run.err
    lines = [json.loads(line) for line in run.err.splitlines() if line.startswith("{")]
    phases = [line["phase"] for line in lines]
    assert phases[0] == "counting" and phases[-1] == "finishing"
    assert phases.index("importing") < phases.index("finishing")
    assert lines[1]["bytes_done"] == source.stat().st_size  # the count pass read the whole file
    importing = [line for line in lines if line["phase"] == "importing"]
    assert all(line["items_total"] == records for line in importing)
    assert [line["items_done"] for line in importing][-1] == records
    assert importing[-1]["eta_seconds"] == 0.0
    assert all(line["progress"] == 1 and line["item"] == "many" for line in lines)
    assert f"imported 'many': {records} entries" in run.out


def test_import_without_the_option_prints_plain_lines(capsys, tmp_path: Path) -> None:
    source = write_md5_list(tmp_path / "few.txt", 10)
    run = cli(capsys, "hashset", "import", source, "--library", tmp_path / "lib.db")
    assert run.code == 0
    assert "10 records read, 0 malformed" in run.err and "{" not in run.err


def test_unreadable_source_is_a_clear_error(capsys, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("meeting at the harbour\n", encoding="ascii")
    run = cli(capsys, "hashset", "import", source, "--library", tmp_path / "lib.db", "--progress-jsonl")
    assert run.code == 2
    assert "custos: error:" in run.err and "format not recognised" in run.err


def test_case_create_takes_a_region(capsys, tmp_path: Path) -> None:
    cli(capsys, "examiner", "create", "Alice Example", "--agency", "Lab", "--badge", "A-1")
    case = tmp_path / "case"
    run = cli(capsys, "case", "create", case, "--number", "7", "--title", "t", "--region", "canada")
    assert run.code == 0, run.err
    assert "(category region Canada)" in run.out
    db = CaseDatabase(case)
    try:
        assert case_region(db) == "Canada"
    finally:
        db.close()
    refused = cli(capsys, "case", "create", tmp_path / "c2", "--number", "8", "--title", "t", "--region", "X")
    assert refused.code == 2 and "unknown category region 'X'" in refused.err
