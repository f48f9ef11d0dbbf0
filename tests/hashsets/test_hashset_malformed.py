"""Malformed inputs: truncated JSON, wrong lengths, non-hex, mixed case, BOM, CRLF, duplicates; strict mode;
an import fails only when nothing valid remains, and a failed import never leaves a visible set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forensics.hashsets.errors import ImportFailed
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry

DATA = Path(__file__).resolve().parents[1] / "data"
MD5_A = "0123456789abcdef0123456789abcdef"
MD5_B = "fedcba9876543210fedcba9876543210"


def _entry_rows(library: HashSetLibrary) -> int:
    with library.session() as session:
        return session.scalar(select(func.count()).select_from(HashEntry))


def test_truncated_real_caid_json_keeps_the_complete_records(library: HashSetLibrary, tmp_path: Path) -> None:
    whole = (DATA / "NSRL-CAID-to-UCO-Converter" / "NSRL-CAID-AVI.json").read_bytes()
    path = tmp_path / "truncated.json"
    path.write_bytes(whole[: len(whole) // 2])
    report = import_hash_set(library, path, ImportOptions())
    assert 0 < report.set.entry_count < 30
    assert report.malformed == 1
    assert "JSON broken after record" in report.problems[-1]["message"]
    with pytest.raises(ImportFailed, match="strict"):
        import_hash_set(library, path, ImportOptions(name="strict copy", strict=True))


def test_bad_lines_are_counted_and_cited_with_line_numbers(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    # BOM, CRLF, mixed case, a wrong length (line 3), non-hex (line 4), a duplicate in other case (line 5).
    path.write_bytes(
        b"\xef\xbb\xbf"
        + f"{MD5_A.upper()}\r\n{MD5_B[:16]}{MD5_B[16:].upper()}\r\n{MD5_A[:-1]}\r\n".encode()
        + b"0123456789abcdefg123456789abcdef\r\n"
        + MD5_A.encode()
        + b"\r\n"
    )
    report = import_hash_set(library, path, ImportOptions())
    assert report.set.entry_count == 2 and report.malformed == 2 and report.duplicates == 1
    cited = {p["record"]: p["message"] for p in report.problems}
    assert "31 hex digits" in cited[3] and "not hexadecimal" in cited[4] and "duplicate" in cited[5]
    with library.session() as session:
        md5s = set(session.scalars(select(HashEntry.md5)))
    assert md5s == {bytes.fromhex(MD5_A), bytes.fromhex(MD5_B)}


def test_strict_fails_on_the_first_bad_record_and_leaves_nothing(
    library: HashSetLibrary, tmp_path: Path
) -> None:
    path = tmp_path / "list.txt"
    path.write_text(f"{MD5_A}\nnot-a-hash\n{MD5_B}\n")
    with pytest.raises(ImportFailed, match="line 2"):
        import_hash_set(library, path, ImportOptions(strict=True))
    assert library.sets(include_incomplete=True) == [] and _entry_rows(library) == 0


def test_nothing_valid_fails(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "vics.json"
    records = [{"MediaID": 1, "MD5": "XYZ"}, {"MediaID": 2, "SHA1": "00" * 19}, "not an object"]
    path.write_text(
        json.dumps({"@odata.context": "x/DataModels/2.0.xml/Default/$metadata#Media", "value": records})
    )
    with pytest.raises(ImportFailed, match="nothing valid.*3 malformed"):
        import_hash_set(library, path, ImportOptions())
    assert library.sets(include_incomplete=True) == [] and _entry_rows(library) == 0


def test_a_set_is_invisible_until_its_import_committed(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("".join(f"{i:032x}\n" for i in range(45_000)))
    seen: list[tuple[int, int]] = []

    def interrupting_progress(read: int, malformed: int) -> None:
        seen.append((len(library.sets()), len(library.sets(include_incomplete=True))))
        if read >= 40_000:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_hash_set(library, path, ImportOptions(progress=interrupting_progress))
    # While importing, the set existed only as an incomplete one; afterwards nothing is left.
    assert seen and all(visible == 0 and staged == 1 for visible, staged in seen)
    assert library.sets(include_incomplete=True) == [] and _entry_rows(library) == 0
    report = import_hash_set(library, path, ImportOptions())
    assert report.set.entry_count == 45_000 and report.set.complete


def test_same_name_twice_is_refused(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(MD5_A + "\n")
    import_hash_set(library, path, ImportOptions(name="Set"))
    with pytest.raises(Exception, match="exists"):
        import_hash_set(library, path, ImportOptions(name="Set"))


def test_corrupt_rds_database_is_a_clear_problem(library: HashSetLibrary, tmp_path: Path) -> None:
    from hashset_builders import build_rds3_minimal

    rows = [(f"{i:064x}", f"{i:040x}", f"{i:032x}", "0", f"f{i}", i, 1) for i in range(3000)]
    whole = build_rds3_minimal(tmp_path / "rds.db", rows).read_bytes()
    broken = tmp_path / "broken.db"
    broken.write_bytes(whole[: len(whole) // 2])  # cut in the middle of the FILE table
    with pytest.raises(ImportFailed, match="broken.db: not a readable SQLite database"):
        import_hash_set(library, broken, ImportOptions())
    assert library.sets(include_incomplete=True) == []


def test_hostile_csv_field_refuses_the_file_not_a_crash(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "NSRLFile.txt"
    header = '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n'
    good = f'"{"11" * 20}","{"22" * 16}","0","a",1,1,"1",""\n'
    path.write_text(header + good + '"' + "x" * 200_000 + '"\n')
    with pytest.raises(ImportFailed, match=r"line 3: a field longer than .* \(CSV field length limit\)"):
        import_hash_set(library, path, ImportOptions())
    assert _entry_rows(library) == 0
