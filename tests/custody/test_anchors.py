"""The log's tail cannot be cut and the whole log cannot be replaced unseen: the witness store, the
checkpoints reports carry, and keys trusted only from outside the case (the lab roster) catch both,
in ``custody verify`` and in the independent verifier."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from custody_helpers import PASSPHRASE
from custody_tamper import delete_entry

from forensics.custody.examiners import create_examiner, load_examiner
from forensics.custody.trust import ENV_ROSTER
from forensics.custody.verify import verify_case
from forensics.custody.witness import witness_dir
from forensics.reports.collect import ReportOptions
from forensics.services import cases, custody, reports

VERIFIER = Path(__file__).resolve().parents[2] / "resources" / "tools" / "verify_custody.py"
NOW = "2026-04-05T06:07:08Z"


def _records(path: Path, *names: str) -> Path:
    path.write_text(json.dumps([load_examiner(n).public_record() for n in names]), encoding="utf-8")
    return path


def independent(case_dir: Path, *args: str | Path) -> tuple[int, dict]:
    run = subprocess.run(
        [sys.executable, str(VERIFIER), str(case_dir), "--json", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode, json.loads(run.stdout)


@pytest.fixture
def reported(tmp_path: Path, alice):
    """A case with notes and an HTML and a PDF report; returns (case folder, report files)."""
    ctx = cases.create_case(
        tmp_path / "case",
        number="A-1",
        title="anchors",
        agency=None,
        examiner=alice.name,
        passphrase=PASSPHRASE,
    )
    try:
        for n in range(3):
            custody.add_note(ctx, f"note {n}")
        html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
        reports.write_report(ctx, {"html": html, "pdf": pdf}, ReportOptions(), NOW)
        custody.add_note(ctx, "after the report")
    finally:
        ctx.close()
    return tmp_path / "case", [html, pdf]


def _entries(case_dir: Path) -> int:
    with sqlite3.connect(case_dir / "case.db") as conn:
        return int(conn.execute("SELECT MAX(seq) FROM custody_log").fetchone()[0])


def test_an_intact_case_verifies_against_every_anchor(reported, tmp_path, alice):
    case_dir, files = reported
    report = verify_case(case_dir, trusted_keys={alice.name: alice.public_key}, reports=files)
    assert report.ok, (report.anchor_problems, report.unanchored)
    assert any("witness store" in a for a in report.anchors) and len(report.anchors) == 3
    code, result = independent(
        case_dir,
        "--trusted-keys",
        _records(tmp_path / "keys.json", alice.name),
        "--report",
        files[0],
        "--report",
        files[1],
        "--witness",
        next(witness_dir().glob("*.jsonl")),
    )
    assert code == 0 and result["ok"], result


@pytest.mark.parametrize("cut", [1, 2, 5])
def test_cutting_the_tail_is_caught_by_the_witness_store(reported, alice, cut):
    case_dir, _files = reported
    last = _entries(case_dir)
    for seq in range(last, last - cut, -1):
        delete_entry(case_dir, seq)
    report = verify_case(case_dir, trusted_keys={alice.name: alice.public_key})
    assert report.failure is None  # the shorter chain is consistent in itself ...
    assert not report.ok and any(f"witnessed entry {last}" in p for p in report.anchor_problems)
    code, result = independent(case_dir, "--witness", next(witness_dir().glob("*.jsonl")))
    assert code == 1 and any(str(last) in p for p in result["anchor_problems"])


def test_removing_the_reports_own_entry_and_more_is_caught_by_its_checkpoint(reported, alice):
    case_dir, files = reported
    last = _entries(case_dir)
    # the note after the report, the report's own report_generated entry, and one more before it
    for seq in range(last, last - 3, -1):
        delete_entry(case_dir, seq)
    for report_file in files:
        report = verify_case(
            case_dir, trusted_keys={alice.name: alice.public_key}, reports=[report_file], witness=False
        )
        assert not report.ok and any("checkpoint" in p or "missing" in p for p in report.anchor_problems), (
            report.anchor_problems
        )
        code, result = independent(case_dir, "--report", report_file)
        assert code == 1 and result["anchor_problems"]


def test_a_whole_log_signed_with_fresh_keys_is_caught(reported, tmp_path, alice, monkeypatch):
    case_dir, _files = reported
    # Elsewhere, someone makes an examiner of the same name and a case of their own ...
    monkeypatch.setenv("CUSTOS_HOME", str(tmp_path / "forger-home"))
    forger = create_examiner(alice.name, alice.agency, alice.badge, PASSPHRASE)
    assert forger.public_key != alice.public_key
    fake = cases.create_case(
        tmp_path / "fake",
        number="A-1",
        title="anchors",
        agency=None,
        examiner=forger.name,
        passphrase=PASSPHRASE,
    )
    custody.add_note(fake, "nothing to see")
    fake.close()
    # ... and puts its database in place of the case's.
    shutil.copyfile(tmp_path / "fake" / "case.db", case_dir / "case.db")
    monkeypatch.setenv("CUSTOS_HOME", str(tmp_path / "custos-home"))
    roster = _records(tmp_path / "roster.json", alice.name)
    monkeypatch.setenv(ENV_ROSTER, str(roster))
    from forensics.custody.trust import workstation_trust

    report = verify_case(case_dir, trusted_keys=workstation_trust(local_profiles=False))
    assert not report.ok
    assert report.failure is not None and report.failure.kind == "unknown_key"  # not the roster's key
    assert any("another first entry" in p for p in report.anchor_problems)  # the witness saw the real one
    # Without any trusted key, the independent verifier calls the log unanchored, never intact.
    code, result = independent(case_dir)
    assert code == 1 and result["unanchored"] == [alice.name]


def test_a_swapped_roster_entry_does_not_vouch_for_the_case(reported, tmp_path, alice, bob):
    case_dir, _files = reported
    wrong = tmp_path / "roster.json"
    record = load_examiner(bob.name).public_record()
    record["name"] = alice.name  # a roster whose entry for Alice holds another key
    wrong.write_text(json.dumps([record]), encoding="utf-8")
    code, result = independent(case_dir, "--trusted-keys", wrong)
    assert code == 1 and result["break"]["kind"] == "unknown_key", result
    swapped = verify_case(case_dir, trusted_keys={alice.name: record["public_key"]})
    assert swapped.failure is not None and swapped.failure.kind == "unknown_key"
