"""Importers against real published hash sets: NIST CAID (VICS 1.2), TSK's md5 list, RDS v3 and RDS 2.x."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from hashset_builders import build_rds3_full, build_rds3_minimal
from sqlalchemy import select

from forensics.hashsets.formats.detect import detect_format
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry

DATA = Path(__file__).resolve().parents[1] / "data"
CAID = DATA / "NSRL-CAID-to-UCO-Converter"
TESTMD5 = DATA / "sleuthkit" / "hashsets" / "testmd5.dat"

# Published in the corpus EXPECTED.md / MANIFEST.tsv for the NIST CAID files.
CAID_FACTS = {
    "NSRL-CAID-ART.json": (
        1,
        "build2.art",
        "588cd1c0e48916d8e7403310402d0a68",
        "e65706b487c73e992bab2a50707a9fd8b0bd6866",
        488,
    ),
    "NSRL-CAID-AVI.json": (
        30,
        "DXP_Relic_Intro.avi",
        "c0bed93b35a501849efb0f3a7e47d9f5",
        "372c8db4188e1d24327bbde8fc7a6e2e89ef3041",
        8180626,
    ),
    "NSRL-CAID-MOV.json": (
        9,
        "black-video-480-360.mov",
        "17ade15fb16ab1613091e2f2e85dd0dc",
        "3a8908e6edf9a865f4163a0935550b5925add052",
        951,
    ),
    "NSRL-CAID-MPG.json": (
        3,
        "eggBreak.mpg",
        "0cef8332881a74ac9ae0e6f4c4323569",
        "2ec7cd699f82e0435b15b9ebf0999805155f8f90",
        38733828,
    ),
}


def _entries(library: HashSetLibrary, set_id: int) -> list[HashEntry]:
    with library.session() as session:
        return list(
            session.scalars(select(HashEntry).where(HashEntry.set_id == set_id).order_by(HashEntry.id))
        )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("file_name", sorted(CAID_FACTS))
def test_nist_caid_sets_import_with_their_published_facts(library: HashSetLibrary, file_name: str) -> None:
    count, first_name, md5, sha1, size = CAID_FACTS[file_name]
    path = CAID / file_name
    before = _sha256(path)
    assert detect_format(path) == "nist-caid"
    report = import_hash_set(library, path, ImportOptions())
    info = report.set
    assert (info.entry_count, info.md5_count, info.sha1_count) == (count, count, count)
    assert info.kind == "known" and info.format == "nist-caid" and info.version == "1.2"
    assert info.source_sha256 == before and info.source_name == file_name
    assert report.malformed == 0 and report.duplicates == 0
    first = _entries(library, info.id)[0]
    assert (first.md5.hex(), first.sha1.hex(), first.file_name, first.size) == (md5, sha1, first_name, size)
    assert first.category == 8
    assert _sha256(path) == before  # the source is never modified


def test_tsk_md5sum_list_matches_the_hfind_index(library: HashSetLibrary) -> None:
    # The expected set comes from the index TSK's hfind built over the same file.
    index_lines = (TESTMD5.parent / "testmd5.dat-md5.idx").read_text().splitlines()
    assert index_lines[0].endswith("|md5sum")
    expected = {line.split("|")[0].lower() for line in index_lines[2:]}
    assert len(expected) == 28
    assert detect_format(TESTMD5) == "md5sum"
    report = import_hash_set(library, TESTMD5, ImportOptions(kind="known"))
    entries = _entries(library, report.set.id)
    assert {e.md5.hex() for e in entries} == expected
    assert report.set.entry_count == 28 and report.malformed == 0
    assert entries[0].file_name == "blkcalc.exe"


RDS_ROWS = [
    (
        "aa" * 32,
        "00A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3",
        "0123456789ABCDEF0123456789ABCDEF",
        "1A2B3C4D",
        "setup.dll",
        40960,
        1234,
    ),
    (
        "bb" * 32,
        "0000001FFEF4BE312BAB534ECA7AEAA3E4684D85",
        "344428FA4BA313712E4CA9B16D089AC4",
        "7516A25F",
        ".text._ZNSt14overflow_errorC1ERKSs",
        33,
        219181,
    ),
    ("cc" * 32, "11" * 20, "22" * 16, "00000000", "README", 10, 1234),
]


@pytest.mark.parametrize(
    ("builder", "variant", "version"),
    [
        (build_rds3_full, "full", "2021.12.2"),
        (build_rds3_minimal, "minimal", "2026.03.1"),
    ],
)
def test_rds3_full_and_minimal(
    library: HashSetLibrary, tmp_path: Path, builder, variant: str, version: str
) -> None:
    (tmp_path / "rds").mkdir()
    path = builder(tmp_path / "rds" / f"RDS_{variant}.db", RDS_ROWS)
    before = _sha256(path)
    assert detect_format(path) == "rds3"
    report = import_hash_set(library, path, ImportOptions(name=f"NSRL {variant}"))
    info = report.set
    assert info.format == f"rds3-{variant}" and info.kind == "known" and info.version == version
    assert (info.entry_count, info.md5_count, info.sha1_count, info.sha256_count) == (3, 3, 3, 3)
    entries = {e.sha1.hex(): e for e in _entries(library, info.id)}
    dll = entries["00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3"]
    assert dll.md5.hex() == "0123456789abcdef0123456789abcdef" and dll.file_name == "setup.dll"
    assert dll.size == 40960
    # Read-only and immutable: the database is unchanged and no journal appeared beside it.
    assert _sha256(path) == before
    assert sorted(p.name for p in path.parent.iterdir()) == [f"RDS_{variant}.db"]


def test_rds3_rejects_other_sqlite(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(Exception, match="FILE view"):
        import_hash_set(library, path, ImportOptions())
    assert library.sets(include_incomplete=True) == []


def test_rds2_nsrlfile_csv(library: HashSetLibrary, tmp_path: Path) -> None:
    # Header and lines as in NIST's data-formats document and the RDS 2.77 line quoted by rds4xways.
    path = tmp_path / "NSRLFile.txt"
    path.write_bytes(
        b'"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\r\n'
        b'"00A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3","0123456789ABCDEF0123456789ABCDEF","1A2B3C4D","setup.dll",'
        b'40960,1234,"362",""\r\n'
        b'"0000001FFEF4BE312BAB534ECA7AEAA3E4684D85","344428FA4BA313712E4CA9B16D089AC4","7516A25F",'
        b'".text._ZNSt14overflow_errorC1ERKSs",33,219181,"362",""\r\n'
        b'"0000001FFEF4BE312BAB534ECA7AEAA3E4684D8","344428FA4BA313712E4CA9B16D089AC4","7516A25F","bad",1,1,"1",""\r\n'
        b'"1111111111111111111111111111111111111111","22222222222222222222222222222222","0","caf\xe9.txt",1,1,"1",""\r\n'
    )
    assert detect_format(path) == "rds2"
    report = import_hash_set(library, path, ImportOptions())
    assert report.set.kind == "known" and report.set.entry_count == 3
    assert report.malformed == 1 and report.problems[0]["record"] == 4
    assert "39 hex digits" in report.problems[0]["message"]
    names = {e.file_name for e in _entries(library, report.set.id)}
    assert "setup.dll" in names and any(n and n.startswith("caf") for n in names)
