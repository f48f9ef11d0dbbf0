"""``custos archive unlock``: the password from the environment (never an argument), a wrong one refused
with exit 1, the right one opening the members, the custody log verifying."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.commands.archive import ENVIRONMENT
from tests.app.cli_helpers import cli, files_jsonl, new_case
from tests.archive_fixtures import PASSWORD, WRONG, build_seized_folder
from tests.fixtures import assert_unchanged


def test_archive_unlock_from_the_environment(capsys, monkeypatch, tmp_path: Path) -> None:
    photos = build_seized_folder(tmp_path / "seized", tmp_path / "work")
    case = new_case(capsys, tmp_path / "case")
    assert cli(capsys, "evidence", "add", case, tmp_path / "seized", "--item", "F").code == 0
    assert cli(capsys, "ingest", case, "--profile", "hashes", "--workers", "1").code == 0
    listed = files_jsonl(capsys, case)
    archive = next(r["id"] for r in listed if r["path"] == "/photos.zip")
    evidence = sorted((tmp_path / "seized").iterdir())

    monkeypatch.delenv(ENVIRONMENT, raising=False)
    run = cli(capsys, "archive", "unlock", case, str(archive))
    assert run.code == 2 and f"${ENVIRONMENT}" in run.err  # no terminal, no variable: refused, nothing run

    monkeypatch.setenv(ENVIRONMENT, WRONG)
    with assert_unchanged(evidence):
        run = cli(capsys, "archive", "unlock", case, str(archive))
    assert run.code == 1 and "wrong password" in run.err
    assert run.out.count("encrypted, not opened: wrong password") == 3

    monkeypatch.setenv(ENVIRONMENT, PASSWORD)
    with assert_unchanged(evidence):
        run = cli(capsys, "archive", "unlock", case, str(archive))
    assert run.code == 0, run.err
    assert "3 members opened, 0 still closed, 1 items found inside them" in run.out
    assert PASSWORD not in run.out + run.err
    before = {r["md5"] for r in listed}
    after = {r["md5"] for r in files_jsonl(capsys, case)}
    # the photos in the zip, and the one in the plain zip inside it (whose own MD5 is new too)
    assert not before & set(photos.values()) and set(photos.values()) < after - before

    run = cli(
        capsys, "archive", "unlock", case, str(next(r["id"] for r in listed if r["path"] == "/album.7z"))
    )
    assert run.code == 1 and "encryption method not supported" in run.err
    verified = cli(capsys, "custody", "verify", case)
    assert verified.code == 0 and "INTACT" in verified.out


def test_the_password_is_no_command_line_argument(capsys, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        cli(capsys, "archive", "unlock", tmp_path, "1", "--password", "x")
