"""The ``custos examiner`` and ``custos custody`` commands, through ``app.cli.main``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from custody_helpers import INTAKE, new_case

from app.cli import main
from forensics.custody import actions

# The engine on both case stores (tests/backends.py).
pytestmark = pytest.mark.usefixtures("case_backend")


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_examiner_create_list_export(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "examiner", "create", "Carol Case", "--agency", "NCA", "--badge", "N-7")
    assert code == 0 and "created" in out
    code, _, err = run(capsys, "examiner", "create", "carol case", "--agency", "NCA", "--badge", "N-8")
    assert code == 2 and "already exists" in err
    code, out, _ = run(capsys, "examiner", "list", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Carol Case"]
    code, out, _ = run(capsys, "examiner", "export", "Carol Case")
    record = json.loads(out)
    assert set(record) == {"name", "agency", "badge", "public_key", "key_id"} and record["badge"] == "N-7"


def test_short_passphrase_is_refused(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CUSTOS_PASSPHRASE", "short")
    code, _, err = run(capsys, "examiner", "create", "Dan", "--agency", "A", "--badge", "B")
    assert code == 2 and "at least 8 characters" in err


def test_case_work_through_the_cli(
    tmp_path: Path, alice, bob, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_dir = tmp_path / "case"
    db, log = new_case(case_dir, alice.name)
    log.append(actions.EVIDENCE_INTAKE, item="EXH-1", details=INTAKE)
    db.close()
    d = str(case_dir)

    monkeypatch.setenv("CUSTOS_EXAMINER", bob.name)
    code, _, err = run(capsys, "custody", "note", d, "let me in")
    assert code == 2 and "not on this case" in err

    assert run(capsys, "--examiner", alice.name, "examiner", "add", d, bob.name, "--reason", "review")[0] == 0
    assert run(capsys, "custody", "note", d, "reviewed", "--item", "EXH-1")[0] == 0
    code, out, _ = run(
        capsys,
        "custody",
        "transfer",
        d,
        "--item",
        "EXH-1",
        "--from",
        "Bob Sample",
        "--to",
        "Evidence store",
        "--reason",
        "review done",
        "--seal-checked",
        "--seal",
        "SB-0001",
    )
    assert code == 0 and "recorded" in out
    code, out, _ = run(
        capsys,
        "custody",
        "correct",
        d,
        "--item",
        "EXH-1",
        "--field",
        "device_serial",
        "--value",
        "ZDE1235",
        "--reason",
        "misread label",
    )
    assert code == 0 and "'ZDE1234' -> 'ZDE1235'" in out
    code, out, _ = run(capsys, "custody", "intake", d, "EXH-1", "--json")
    assert json.loads(out)["current"]["device_serial"] == "ZDE1235"

    monkeypatch.setenv("CUSTOS_PASSPHRASE", "not the passphrase")
    code, _, err = run(capsys, "custody", "note", d, "forged?")
    assert code == 2 and "wrong passphrase" in err
    monkeypatch.delenv("CUSTOS_PASSPHRASE")
    code, _, err = run(capsys, "examiner", "members", d, "--examiner", alice.name)  # reading needs it too
    assert code == 2 and "passphrase" in err
    monkeypatch.setenv("CUSTOS_PASSPHRASE", "correct horse battery")
    code, out, _ = run(capsys, "examiner", "members", d, "--examiner", alice.name)
    assert code == 0 and "Bob Sample" in out
    monkeypatch.delenv("CUSTOS_PASSPHRASE")

    code, out, _ = run(capsys, "custody", "log", d, "--jsonl")
    entries = [json.loads(line) for line in out.splitlines()]
    assert [e["action"] for e in entries] == [
        "examiner_added",
        "case_created",
        "evidence_intake",
        "case_key_created",  # the first open for writing of a case made without one
        "examiner_added",
        "note",
        "custody_transfer",
        "intake_corrected",
    ]
    assert entries[6]["details"]["seal_checked"] is True and entries[6]["examiner"] == "Bob Sample"
    assert entries[7]["details"] == {
        "field": "device_serial",
        "old": "ZDE1234",
        "new": "ZDE1235",
        "reason": "misread label",
    }
    code, out, _ = run(capsys, "custody", "log", d)
    assert code == 0 and len(out.splitlines()) == 8 and "custody_transfer" in out

    monkeypatch.delenv("CUSTOS_EXAMINER")
    code, out, _ = run(capsys, "custody", "verify", d)  # anyone may verify
    assert code == 0 and "INTACT" in out and "entries: 8" in out

    monkeypatch.setenv("CUSTOS_PASSPHRASE", "correct horse battery")
    code, _, err = run(
        capsys, "--examiner", bob.name, "examiner", "remove", d, alice.name, "--reason", "moved"
    )
    assert code == 0
    code, _, err = run(capsys, "--examiner", alice.name, "custody", "note", d, "still here?")
    assert code == 2 and "not on this case" in err


def test_verify_of_a_folder_that_is_not_a_case(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    code, _, err = run(capsys, "custody", "verify", str(tmp_path))
    assert code == 2 and "not a Custos case" in err


def test_case_create_starts_a_verifiable_log(
    tmp_path: Path, alice, bob, capsys: pytest.CaptureFixture
) -> None:
    d = str(tmp_path / "new-case")
    code, _, err = run(
        capsys, "case", "create", d, "--number", "2026/7", "--title", "T", "--examiner", alice.name
    )
    assert code == 0, err
    code, out, _ = run(capsys, "custody", "log", d, "--jsonl")
    entries = [json.loads(line) for line in out.splitlines()]
    assert [(e["seq"], e["action"], e["examiner"]) for e in entries] == [
        (1, "examiner_added", alice.name),
        (2, "case_key_created", alice.name),
        (3, "case_created", alice.name),
    ]
    assert entries[0]["details"]["public_key"] == alice.public_key
    code, _, err = run(capsys, "custody", "note", d, "hello", "--examiner", bob.name)
    assert code == 2 and "not on this case" in err
    assert run(capsys, "custody", "verify", d)[0] == 0
