"""Text and CSV list formats: ICSE, HashKeeper, X-Ways, plain, sha*sum (GNU/BSD), hashdeep, PDQ, imagehash."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from forensics.hashsets.errors import HashSetError
from forensics.hashsets.formats.detect import detect_format
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry

MD5_A = "0123456789abcdef0123456789abcdef"
SHA1_A = "00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3"
SHA256_A = "ab" * 32
PDQ_A = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"  # ThreatExchange signal.py example


def _entries(library: HashSetLibrary, set_id: int) -> list[HashEntry]:
    with library.session() as session:
        return list(
            session.scalars(select(HashEntry).where(HashEntry.set_id == set_id).order_by(HashEntry.id))
        )


CASES = {
    "icse": (
        "MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;"
        "Number of submissions;File Available;Media Type;Baseline\n"
        f"{MD5_A.upper()};{SHA1_A};;IMG-1;true;false;false;Series X;3;yes;image;true\n",
        {"md5": MD5_A, "sha1": SHA1_A, "media_id": "IMG-1", "series": "Series X"},
    ),
    "hashkeeper": (
        '"file_id","hashset_id","file_name","directory","hash","file_size","date_modified","time_modified",'
        '"time_zone","comments","date_accessed","time_accessed"\n'
        f'1,7,"a.jpg","C:\\\\pics","{MD5_A}",1234,"","","","","",""\n',
        {"md5": MD5_A, "file_name": "a.jpg", "size": 1234},
    ),
    "xways": ("SHA-1\n" + SHA1_A.upper() + "\n", {"sha1": SHA1_A}),
    "plain": (f"# comment\n{MD5_A}\n{SHA1_A}\n{SHA256_A}\n", {"md5": MD5_A}),
    "md5sum": (f"{SHA256_A}  ./dir/a file.jpg\n", {"sha256": SHA256_A, "file_name": "./dir/a file.jpg"}),
    "hashdeep": (
        "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## Invoked from: /evidence\n"
        "## $ hashdeep -r -c md5,sha256 .\n##\n"
        f"1024,{MD5_A},{SHA256_A},./a,b.jpg\n",
        {"md5": MD5_A, "sha256": SHA256_A, "size": 1024, "file_name": "./a,b.jpg"},
    ),
    "pdq": (f"{PDQ_A},100,bridge.jpg\n", {"pdq": PDQ_A, "pdq_quality": 100, "file_name": "bridge.jpg"}),
    "te-csv": (
        "signal_type,signal_str,collab,category,tags\n"
        f"pdq,{PDQ_A},Collab A,POSITIVE_CLASS,tag1 tag2\nvideo_md5,{MD5_A},Collab A,POSITIVE_CLASS,\n",
        {"pdq": PDQ_A, "series": "Collab A", "tags": "tag1 tag2"},
    ),
}


@pytest.mark.parametrize("format_name", sorted(CASES))
def test_each_format_is_detected_and_imported(
    library: HashSetLibrary, tmp_path: Path, format_name: str
) -> None:
    content, expected = CASES[format_name]
    path = tmp_path / f"{format_name}.txt"
    path.write_text(content, encoding="utf-8")
    assert detect_format(path) == format_name
    report = import_hash_set(library, path, ImportOptions())
    assert report.malformed == 0
    first = _entries(library, report.set.id)[0]
    for field, value in expected.items():
        actual = getattr(first, field)
        assert (actual.hex() if isinstance(actual, bytes) else actual) == value, field


def test_plain_list_infers_each_algorithm_from_length(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text(CASES["plain"][0])
    info = import_hash_set(library, path, ImportOptions()).set
    assert (info.md5_count, info.sha1_count, info.sha256_count) == (1, 1, 1)


def test_bsd_sum_lines(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "bsd.txt"
    path.write_text(f"MD5 (a.jpg) = {MD5_A}\nSHA256 (b.jpg) = {SHA256_A}\n")
    assert detect_format(path) == "md5sum"
    a, b = _entries(library, import_hash_set(library, path, ImportOptions()).set.id)
    assert (a.md5.hex(), a.file_name, b.sha256.hex(), b.file_name) == (MD5_A, "a.jpg", SHA256_A, "b.jpg")


def test_bare_pdq_list_needs_the_format_named(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "pdq.txt"
    path.write_text(f"{PDQ_A}\npdq {PDQ_A[::-1]}\n")
    info = import_hash_set(library, path, ImportOptions(format="pdq")).set
    assert info.pdq_count == 2 and info.sha256_count == 0


def test_imagehash_lists(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "phash.txt"
    path.write_text("ba8c84536bd3c366 imagehash.png\n92a71cdc79d980e3\n")
    with pytest.raises(HashSetError, match="--format phash or dhash"):
        import_hash_set(library, path, ImportOptions())
    info = import_hash_set(library, path, ImportOptions(format="phash")).set
    assert info.phash_count == 2
    assert _entries(library, info.id)[0].phash.hex() == "ba8c84536bd3c366"


def test_unknown_content_is_refused(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("dear diary\n")
    with pytest.raises(HashSetError, match="format not recognised"):
        import_hash_set(library, path, ImportOptions())
