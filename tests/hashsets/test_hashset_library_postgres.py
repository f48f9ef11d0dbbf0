"""The lab's hash-set library on PostgreSQL gives the same sets and the same findings as the library file.

The same lists (a VICS export, the NSRL CAID sample, a PDQ list of pdqhash-python's published reference
hashes, a plain MD5 list) are imported into a SQLite library and into one on a real PostgreSQL server;
the same case is matched against each. Needs a test server (tests/backends.py); skipped without.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from hashset_case import CaseBuilder
from PIL import Image
from sqlalchemy import select, text
from test_hashset_perceptual import IMAGES, REFERENCE_PDQ, pdq_of, recompressed

from forensics.case import credentials
from forensics.case.models import File
from forensics.case.models_findings import FileKnown, Finding
from forensics.core.errors import AccessDenied
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.index_cache import default_cache_root
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import match_case
from tests.backends import CaseBackend, postgres_library_database

DATA = Path(__file__).resolve().parents[1] / "data"
CAID_MOV = DATA / "NSRL-CAID-to-UCO-Converter" / "NSRL-CAID-MOV.json"
CAID_MOV_MD5 = "17ade15fb16ab1613091e2f2e85dd0dc"  # its first record (corpus EXPECTED.md)
ALERT, OTHER = b"alert image", b"ordinary file"
# What a finding says, without what differs from run to run (ids, times, the set's random uid).
COMPARED = (
    "set_name", "set_version", "set_kind", "set_format", "set_source_name", "set_source_sha256",
    "set_region", "kind", "entry_record_no", "media_id", "category", "category_label", "series", "tags",
    "entry_json", "algorithm", "matched_hash", "distance", "threshold", "variant",
)  # fmt: skip


def _lists(folder: Path) -> list[tuple[Path, ImportOptions]]:
    folder.mkdir()
    vics = folder / "agency_vics.json"
    record = {"MediaID": 7, "Category": 1, "MD5": hashlib.md5(ALERT).hexdigest(), "Series": "S"}
    vics.write_text(json.dumps({"@odata.context": "x/$metadata#Media", "value": [record]}), encoding="utf-8")
    pdq = folder / "reference.pdq.txt"
    pdq.write_text("".join(f"{code},100,{name}\n" for name, code in sorted(REFERENCE_PDQ.items())))
    md5 = folder / "plain.md5.txt"
    md5.write_text(f"{hashlib.md5(OTHER).hexdigest()}\n", encoding="utf-8")
    return [
        (vics, ImportOptions(name="Agency VICS", version="2026.1")),
        (CAID_MOV, ImportOptions(name="NSRL CAID")),
        (pdq, ImportOptions(name="Reference PDQ", version="1")),
        (md5, ImportOptions(name="Plain MD5")),
    ]


def _case(folder: Path) -> CaseBuilder:
    case = CaseBuilder(folder)
    case.add_file("/a/alert.jpg", ALERT)
    case.add_file("/a/copy-of-alert.jpg", ALERT)
    case.add_file("/b/other.bin", OTHER)
    case.add_file("/c/clip.mov", md5=CAID_MOV_MD5)
    for name in sorted(REFERENCE_PDQ):  # recompressed copies of the listed pictures
        code, quality, dihedral = pdq_of(recompressed(Image.open(IMAGES / name)))
        file_id = case.add_file(f"/d/{name}", (IMAGES / name).read_bytes())
        case.add_analysis(file_id, pdq=code, pdq_quality=quality, pdq_dihedral=dihedral)
    return case


def _match(library: HashSetLibrary, lists: list[tuple[Path, ImportOptions]], folder: Path) -> dict[str, Any]:
    for path, options in lists:
        import_hash_set(library, path, options)
    sets = [
        (s.name, s.version, s.format, s.entry_count, s.md5_count, s.sha1_count, s.pdq_count)
        for s in library.sets()
    ]
    case = _case(folder)
    try:
        match_case(case.db, library, examiner="Examiner One")
        with case.db.session() as session:
            rows = session.execute(select(Finding, Finding.file_id)).all()
            paths = {fid: path for fid, path in session.execute(select(File.id, File.path))}
            known = sorted(
                (paths[k.file_id], k.set_name, k.set_version, k.set_source_sha256, k.algorithm)
                for k in session.scalars(select(FileKnown))
            )
        findings = sorted(
            (paths[file_id], *(getattr(finding, c) for c in COMPARED)) for finding, file_id in rows
        )
    finally:
        case.close()
    return {"sets": sets, "findings": findings, "known": known}


def test_a_postgresql_library_matches_as_the_library_file(
    tmp_path: Path, postgres_admin_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    if postgres_admin_url is None:
        pytest.skip("PostgreSQL hash-set library: CUSTOS_TEST_POSTGRES_URL is unset (scripts/test.sh)")
    lists = _lists(tmp_path / "lists")
    with HashSetLibrary(tmp_path / "hashsets.db") as library:
        on_file = _match(library, lists, tmp_path / "case-file")

    monkeypatch.setenv("CUSTOS_DB_USER", str(postgres_admin_url.username))
    monkeypatch.setenv("CUSTOS_DB_PASSWORD", str(postgres_admin_url.password or ""))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    server = CaseBackend("postgresql", postgres_admin_url)
    with postgres_library_database(server) as url, HashSetLibrary(url) as library:
        on_server = _match(library, lists, tmp_path / "case-server")
        # The perceptual index built from the server's codes is kept on this workstation only.
        assert default_cache_root(library.location).is_relative_to(tmp_path / "xdg-cache")

    assert on_server == on_file
    found = {(f[0], f[1], f[16]) for f in on_file["findings"]}
    assert ("/a/alert.jpg", "Agency VICS", "md5") in found and ("/b/other.bin", "Plain MD5", "md5") in found
    assert [k[:2] for k in on_file["known"]] == [("/c/clip.mov", "NSRL CAID")]  # a known (NSRL) file
    assert {f[0] for f in on_file["findings"] if f[16] == "pdq"} == {f"/d/{n}" for n in REFERENCE_PDQ}


def test_the_lab_setting_names_the_shared_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from forensics.hashsets.library import default_library_path, resolve_library_location

    assert resolve_library_location() == str(default_library_path())
    settings = tmp_path / "lab.toml"
    shared = "postgresql://pg.lab.example:5432/custos_hashsets"
    settings.write_text(f'[database]\nhashset_library = "{shared}"\n', encoding="utf-8")
    monkeypatch.setenv("CUSTOS_LAB_SETTINGS", str(settings))
    assert resolve_library_location() == shared
    monkeypatch.setenv("CUSTOS_HASHSET_LIBRARY", str(tmp_path / "own.db"))  # the workstation's own wins
    assert resolve_library_location() == str(tmp_path / "own.db")


def test_examiners_share_the_library_through_its_role(
    tmp_path: Path, postgres_admin_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lab admin's setup of docs/lab.md: the library database owned by a role the examiners are
    members of; what one examiner imports the other uses; a role outside the group may not connect."""
    if postgres_admin_url is None:
        pytest.skip("PostgreSQL hash-set library: CUSTOS_TEST_POSTGRES_URL is unset (scripts/test.sh)")
    server = CaseBackend("postgresql", postgres_admin_url)
    tag = secrets.token_hex(4)
    database, group = f"custos_hashsets_{tag}", f"custos_library_{tag}"
    logins = {name: (f"ex_{name}_{tag}", secrets.token_hex(12)) for name in ("one", "two", "outsider")}
    admin = server.admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{group}" NOLOGIN'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{group}"'))
        conn.execute(text(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC'))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO "{group}"'))
        for name, (role, password) in logins.items():
            conn.execute(text(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"))
            if name != "outsider":
                conn.execute(text(f'GRANT "{group}" TO "{role}"'))
    url = f"{server.server}/{database}"
    monkeypatch.setattr(credentials, "_given", {})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    try:
        for name in ("one", "two"):
            monkeypatch.setenv("CUSTOS_DB_USER", logins[name][0])
            monkeypatch.setenv("CUSTOS_DB_PASSWORD", logins[name][1])
            with HashSetLibrary(url) as library:
                path = tmp_path / f"{name}.md5.txt"
                path.write_text(hashlib.md5(name.encode()).hexdigest() + "\n", encoding="utf-8")
                import_hash_set(library, path, ImportOptions(name=f"List of {name}"))
                assert [s.name for s in library.sets()][-1] == f"List of {name}"
        assert [s.name for s in HashSetLibrary(url).sets()] == ["List of one", "List of two"]
        monkeypatch.setenv("CUSTOS_DB_USER", logins["outsider"][0])
        monkeypatch.setenv("CUSTOS_DB_PASSWORD", logins["outsider"][1])
        with pytest.raises(AccessDenied):
            HashSetLibrary(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role, _password in logins.values():
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{group}"'))
        admin.dispose()
