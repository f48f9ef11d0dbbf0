"""The headless command line end to end: case, evidence add, verify, ingest, files --jsonl."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from forensics.case.models import IngestError, Verification
from forensics.case.store import get_evidence
from tests.app.cli_helpers import LISTING_FIELDS, case_db, cli, files_jsonl, new_case
from tests.data.expected import (
    DFVFS_BOGUS,
    DFVFS_EXT2_FAMILY,
    DFVFS_EXT2_MEDIA_MD5,
    DFVFS_IMYND,
    DFVFS_WINDOWS_VOLUME,
    PASSWORDS_MD5,
    PLASO_TSK_VOLUME_SYSTEM,
    PYTSK_BOGUS,
    SLEUTHKIT_BOGUS_E01,
    SLEUTHKIT_MMLS_1,
)
from tests.fixtures import FixtureImage, assert_unchanged

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def _by_item(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for record in records:
        out.setdefault(record["item"], []).append(record)
    return out


def _view(records: list[dict]) -> list[tuple]:
    keys = sorted(LISTING_FIELDS - {"item"})
    return sorted(tuple(str(r[k]) for k in keys) for r in records)


@pytest.mark.slow
def test_ext2_family_identical_listings_and_stored_md5(tmp_path: Path, capsys) -> None:
    case = new_case(capsys, tmp_path / "case")
    paths = [p for image in DFVFS_EXT2_FAMILY for p in image.paths]
    with assert_unchanged(paths):
        for image in DFVFS_EXT2_FAMILY:
            run = cli(capsys, "evidence", "add", case, image.path, "--item", image.key)
            assert run.code == 0, run.err
            assert "file system at 0: ext2" in run.out
        for image in DFVFS_EXT2_FAMILY:
            args = ["verify", case, "--item", image.key]
            if image.container != "ewf" and image.media_md5:
                args += ["--md5", image.media_md5]  # an examiner-given hash for containers that store none
            run = cli(capsys, *args)
            assert run.code == 0, run.err
            if image.stored_md5:
                assert re.search(
                    rf"^md5\s+MATCH\s+expected {DFVFS_EXT2_MEDIA_MD5} \(ewf-stored\)$", run.out, re.M
                )
            elif image.media_md5:
                assert re.search(r"^md5\s+MATCH .*\(examiner\)$", run.out, re.M)
            else:
                assert "no stored or given acquisition hash" in run.err
        run = cli(capsys, "ingest", case, "--workers", "2")
        assert run.code == 0, run.err
    records = files_jsonl(capsys, case)
    assert all(set(r) >= LISTING_FIELDS for r in records)
    per_item = _by_item(records)
    assert set(per_item) == {image.key for image in DFVFS_EXT2_FAMILY}
    views = {item: _view(rows) for item, rows in per_item.items()}
    first = views[DFVFS_EXT2_FAMILY[0].key]
    assert all(view == first for view in views.values())
    for rows in per_item.values():
        passwords = [r for r in rows if r["path"] == "/passwords.txt"]
        assert [(r["inode"], r["size"], r["md5"]) for r in passwords] == [(14, 116, PASSWORDS_MD5)]
        for row in rows:
            for field in ("mtime", "atime", "ctime", "crtime"):
                assert row[field] is None or ISO_UTC.match(row[field]), (field, row[field])
    with case_db(case) as db, db.session() as s:
        results = {v.result for v in s.scalars(select(Verification))}
    assert results == {"match", "no-reference"}


def test_bad_hash_e01_is_reported_loudly(tmp_path: Path, capsys, fixture_e01_bad_hash: FixtureImage) -> None:
    ewf = fixture_e01_bad_hash.facts["evidence"]["ewf"]
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged(fixture_e01_bad_hash.evidence_files):
        added = cli(capsys, "evidence", "add", case, fixture_e01_bad_hash.image, "--item", "BAD")
        run = cli(capsys, "verify", case, "--item", "BAD")
    # evidence add verifies by default: the item is registered, and the mismatch makes it fail
    assert added.code == 1 and "evidence item BAD added" in added.out
    assert "ACQUISITION HASH MISMATCH" in added.err
    assert run.code == 1
    assert "ACQUISITION HASH MISMATCH" in run.err and "BAD" in run.err
    assert re.search(rf"^md5\s+MISMATCH expected {ewf['stored_md5']} \(ewf-stored\)$", run.out, re.M)
    assert re.search(r"^sha1\s+MATCH ", run.out, re.M)
    assert fixture_e01_bad_hash.facts["evidence"]["media_md5"] in run.out
    with case_db(case) as db, db.session() as s:
        rows = s.scalars(select(Verification).order_by(Verification.id)).all()
        row = rows[-1]
        comparisons = json.loads(row.comparisons_json)["comparisons"]
    assert [r.result for r in rows] == ["mismatch", "mismatch"]
    assert row.result == "mismatch" and row.md5 == fixture_e01_bad_hash.facts["evidence"]["media_md5"]
    assert comparisons["md5"]["match"] is False and comparisons["sha1"]["match"] is True
    assert (
        row.started_at
        and row.finished_at
        and row.bytes_hashed == fixture_e01_bad_hash.facts["evidence"]["media_size"]
    )


def test_examiner_given_hash_for_raw_image(
    tmp_path: Path, capsys, fixture_ext4_deleted: FixtureImage
) -> None:
    evidence = fixture_ext4_deleted.facts["evidence"]
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged(fixture_ext4_deleted.evidence_files):
        run = cli(
            capsys,
            "evidence",
            "add",
            case,
            fixture_ext4_deleted.image,
            "--item",
            "R",
            "--acquisition-sha256",
            evidence["media_sha256"],
            "--seal",
            "SB-7",
            "--seized-at",
            "2026-11-01T09:30:00",
        )
        assert run.code == 0, run.err
        run = cli(capsys, "verify", case, "--item", "R")
        assert run.code == 0 and re.search(r"^sha256\s+MATCH .*\(examiner\)$", run.out, re.M)
        run = cli(capsys, "verify", case, "--item", "R", "--md5", "0" * 32)
        assert run.code == 1 and "MISMATCH" in run.err
    with case_db(case) as db, db.session() as s:
        row = get_evidence(s, "R")
        assert (row.seal_number, row.seized_at, row.acquisition_sha256) == (
            "SB-7",
            "2026-11-01T09:30:00Z",
            evidence["media_sha256"],
        )
        results = [v.result for v in s.scalars(select(Verification).order_by(Verification.id))]
    assert results == ["match", "match", "mismatch"]  # evidence add verified, then two verify runs


def test_bad_hash_argument_refused(tmp_path: Path, capsys, fixture_ext4_deleted: FixtureImage) -> None:
    case = new_case(capsys, tmp_path / "case")
    run = cli(
        capsys, "evidence", "add", case, fixture_ext4_deleted.image, "--item", "R", "--acquisition-md5", "xyz"
    )
    assert run.code == 2 and run.err.count("\n") == 1 and "--acquisition-md5" in run.err


@pytest.mark.parametrize(
    "image", [SLEUTHKIT_BOGUS_E01.path, Path("does/not/exist.E01")], ids=["empty", "missing"]
)
def test_unopenable_evidence_gives_one_line_and_exit_2(tmp_path: Path, capsys, image: Path) -> None:
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged([image] if image.exists() else [SLEUTHKIT_BOGUS_E01.path]):
        run = cli(capsys, "evidence", "add", case, image, "--item", "X")
    assert run.code == 2
    assert run.err.count("\n") == 1 and run.err.startswith("custos: error: ") and str(image) in run.err
    assert run.out == ""
    with case_db(case) as db, db.session() as s:
        assert s.scalars(select(Verification)).all() == []


@pytest.mark.parametrize("expected", [DFVFS_BOGUS, PYTSK_BOGUS], ids=lambda e: e.key)
def test_image_without_file_system_warns_and_ingest_survives(tmp_path: Path, capsys, expected) -> None:
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged(expected.paths):
        run = cli(capsys, "evidence", "add", case, expected.path, "--item", "B")
        # refused: nothing readable, nothing recorded; the examiner may register it for custody
        assert run.code == 2 and "--register-unreadable" in run.err and expected.error in run.err
        run = cli(capsys, "evidence", "add", case, expected.path, "--item", "B", "--register-unreadable")
        assert run.code == 1
        assert "registered for custody only" in run.err
        assert expected.error in run.out  # "Cannot determine file system type"
        run = cli(capsys, "ingest", case, "--workers", "1")
        assert run.code == 1 and "no volume or file system" in run.err, run.err
    assert files_jsonl(capsys, case) == []


def test_unknown_item_and_case(tmp_path: Path, capsys) -> None:
    case = new_case(capsys, tmp_path / "case")
    for args in (
        ("verify", case, "--item", "NOPE"),
        ("ingest", case, "--item", "NOPE"),
        ("files", tmp_path / "nocase", "--jsonl"),
    ):
        run = cli(capsys, *args)
        assert run.code == 2 and run.err.count("\n") == 1 and run.err.startswith("custos: error: "), args


@pytest.mark.slow
def test_partitions_ntfs_and_non_ascii_through_the_cli(tmp_path: Path, capsys) -> None:
    images = {
        "MMLS": SLEUTHKIT_MMLS_1,
        "VS": PLASO_TSK_VOLUME_SYSTEM,
        "WIN": DFVFS_WINDOWS_VOLUME,
        "ÍS": DFVFS_IMYND,
    }
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged([p for image in images.values() for p in image.paths]):
        for item, image in images.items():
            run = cli(capsys, "evidence", "add", case, image.path, "--item", item)
            assert run.code == 0, run.err
            if image.partitions:
                for p in image.partitions:
                    assert re.search(
                        rf"^\s+{p.addr} \w+\s+offset\s+{p.start * 512} length\s+{p.length * 512}\s+"
                        rf"{re.escape(p.description)}$",
                        run.out,
                        re.M,
                    ), p
        assert cli(capsys, "ingest", case, "--workers", "2").code == 0
    records = files_jsonl(capsys, case)
    per_item = _by_item(records)
    for item, image in images.items():
        rows = {(r["partition_offset"], r["path"]): r for r in per_item[item]}
        for fs in image.filesystems:
            for want in fs.files:
                got = rows[(fs.offset, want.path)]
                assert (got["inode"], got["size"], got["fs_type"]) == (want.inode, want.size, fs.fs_type), (
                    want.path
                )
                if want.md5:
                    assert got["md5"] == want.md5 and got["status"] == "done", want.path
    ntfs = [r for r in per_item["WIN"] if r["path"] == "/Windows/System32/config/syslog"][0]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", ntfs["crtime"]), ntfs["crtime"]


@pytest.mark.slow
def test_fixture_disks_through_the_cli(
    tmp_path: Path, capsys, fixture_e01_multiseg: FixtureImage, fixture_ntfs_ads: FixtureImage
) -> None:
    headers = fixture_e01_multiseg.facts["evidence"]["ewf"]["headers"]
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged(fixture_e01_multiseg.evidence_files + fixture_ntfs_ads.evidence_files):
        run = cli(capsys, "evidence", "add", case, fixture_e01_multiseg.image, "--item", "E")
        assert run.code == 0 and "5 segment(s)" in run.out
        for key, value in headers.items():
            assert f"header {key}: {value}" in run.out
        assert cli(capsys, "verify", case, "--item", "E").code == 0
        assert cli(capsys, "evidence", "add", case, fixture_ntfs_ads.image, "--item", "N").code == 0
        run = cli(capsys, "--quiet", "ingest", case, "--workers", "2")
        assert run.code == 0 and run.err == ""
    per_item = _by_item(files_jsonl(capsys, case))
    for item, fixture in (("E", fixture_e01_multiseg), ("N", fixture_ntfs_ads)):
        rows = {(r["partition_offset"], r["path"]): r for r in per_item[item]}
        for fact in fixture.files():
            path = fact["deleted_name"] if fact["deleted"] else fact["path"]
            got = rows[(fact["filesystem_offset"], path)]
            assert (got["deleted"], got["allocated"], got["orphan"]) == (
                fact["deleted"],
                not fact["deleted"],
                False,
            )
            if fact["kind"] == "file":
                assert (got["md5"], got["sha1"], got["sha256"]) == (
                    fact["md5"],
                    fact["sha1"],
                    fact["sha256"],
                ), path
            for stream in fact.get("streams", []):
                row = rows[(fact["filesystem_offset"], f"{path}:{stream['name']}")]
                assert (row["stream"], row["size"], row["sha256"]) == (
                    stream["name"],
                    stream["size"],
                    stream["sha256"],
                )
    with case_db(case) as db, db.session() as s:
        assert s.scalars(select(IngestError)).all() == []


def test_folder_of_extracted_files(tmp_path: Path, capsys) -> None:
    """A phone-extraction style folder is a logical source: listed, hashed, links not followed."""
    export = tmp_path / "export"
    (export / "DCIM").mkdir(parents=True)
    photo = export / "DCIM" / "ÍMG_0001.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (export / "empty.txt").write_bytes(b"")
    (export / "to_dcim").symlink_to("DCIM")
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged([photo, export / "empty.txt"]):
        run = cli(capsys, "evidence", "add", case, export, "--item", "PHONE")
        assert run.code == 0 and "container: folder" in run.out
        assert cli(capsys, "ingest", case, "--workers", "1").code == 0
    rows = {r["path"]: r for r in files_jsonl(capsys, case)}
    assert set(rows) == {"/DCIM", "/DCIM/ÍMG_0001.jpg", "/empty.txt", "/to_dcim"}
    import hashlib

    assert rows["/DCIM/ÍMG_0001.jpg"]["sha256"] == hashlib.sha256(photo.read_bytes()).hexdigest()
    assert rows["/empty.txt"]["md5"] == "d41d8cd98f00b204e9800998ecf8427e"
    assert rows["/to_dcim"]["kind"] == "link" and rows["/to_dcim"]["md5"] is None
    assert all(r["partition_offset"] is None and r["fs_type"] == "logical" for r in rows.values())


def test_files_table_output(tmp_path: Path, capsys) -> None:
    image = DFVFS_IMYND
    case = new_case(capsys, tmp_path / "case")
    with assert_unchanged(image.paths):
        assert cli(capsys, "evidence", "add", case, image.path, "--item", "I").code == 0
        assert cli(capsys, "ingest", case, "--workers", "1", "--quiet").code == 0
    run = cli(capsys, "files", case, "--item", "I")
    lines = [line.split("\t") for line in run.out.splitlines()]
    passwords = [line for line in lines if line[-1] == "/passwords.txt"]
    assert passwords == [["I", "0", "15", "A--", "116", PASSWORDS_MD5, "/passwords.txt"]]
    deleted = [line for line in lines if line[-1] == "/a_directory/another_file~"]
    assert deleted == [["I", "0", "None", "-D-", "None", "-", "/a_directory/another_file~"]]


@pytest.mark.parametrize("entry", ["script", "module"])
def test_the_program_ends_with_its_command_exit_code(tmp_path: Path, entry: str) -> None:
    """``custos`` and ``python -m app`` (``app.cli.run``) exit with the command's code, output complete."""
    import subprocess
    import sys

    from tests.app.cli_helpers import CUSTOS, REPO_ROOT

    if entry == "script" and not CUSTOS.exists():
        pytest.skip("the custos script is not installed in this environment")
    command = [str(CUSTOS)] if entry == "script" else [sys.executable, "-m", "app"]
    helped = subprocess.run([*command, "--help"], capture_output=True, text=True, cwd=REPO_ROOT)
    assert helped.returncode == 0 and "ingest" in helped.stdout and helped.stdout.endswith("\n")
    failed = subprocess.run(
        [*command, "files", str(tmp_path / "no-case"), "--jsonl"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith("custos: error:") and failed.stderr.endswith("\n")
