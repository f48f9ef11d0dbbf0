"""The custody log: signed, chained appends; the database refuses edits; writers share one chain."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from custody_helpers import PASSPHRASE, new_case

from forensics.case.db import CaseDatabase
from forensics.core.errors import AccessDenied
from forensics.custody import actions
from forensics.custody.canonical import GENESIS_HASH, entry_hash
from forensics.custody.keys import load_public_key, signature_valid
from forensics.custody.log import head_hash, read_entries
from forensics.custody.session import open_custody
from forensics.custody.verify import verify_case


@pytest.mark.usefixtures("case_backend")
def test_entries_are_chained_hashed_and_signed(tmp_path: Path, alice) -> None:
    db, log = new_case(tmp_path / "case", alice.name)
    log.append(actions.NOTE, item="EXH-1", details={"text": "hello", "count": 3, "tags": ("a", "b")})
    entries = list(read_entries(db))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert [e.action for e in entries] == ["examiner_added", "case_created", "note"]
    assert entries[0].prev_hash == GENESIS_HASH
    public = load_public_key(alice.public_key)
    for before, entry in zip([None, *entries], entries, strict=False):
        assert entry.prev_hash == (before.entry_hash if before else GENESIS_HASH)
        assert entry.entry_hash == entry_hash(entry.record())
        assert signature_valid(public, entry.entry_hash, entry.signature)
        assert entry.examiner == "Alice Example" and entry.key_id == alice.key_id
    assert entries[2].details["tags"] == ["a", "b"]
    assert head_hash(db) == entries[-1].entry_hash
    db.close()


def test_database_refuses_update_delete_and_off_chain_insert(tmp_path: Path, alice) -> None:
    db, _log = new_case(tmp_path / "case", alice.name)
    db.close()
    conn = sqlite3.connect(tmp_path / "case" / "case.db")
    for sql, message in [
        ("UPDATE custody_log SET ts = 'x' WHERE seq = 2", "UPDATE refused"),
        ("DELETE FROM custody_log WHERE seq = 2", "DELETE refused"),
        (
            "INSERT INTO custody_log VALUES (7, 1, 't', 'e', 'k', 'note', NULL, NULL, '{}', 'p', 'h', 's')",
            "does not extend the chain",
        ),
    ]:
        with pytest.raises(sqlite3.DatabaseError, match=message):
            conn.execute(sql)
    conn.close()
    assert verify_case(tmp_path / "case").ok


@pytest.mark.usefixtures("case_backend")
def test_append_refuses_unknown_actions_membership_and_non_json(tmp_path: Path, alice) -> None:
    db, log = new_case(tmp_path / "case", alice.name)
    with pytest.raises(ValueError, match="unknown custody action"):
        log.append("file_deleted")
    with pytest.raises(ValueError, match="membership"):
        log.append(actions.EXAMINER_ADDED, details={"name": "Mallory"})
    with pytest.raises(ValueError, match="plain JSON"):
        log.append(actions.NOTE, details={"ratio": float("nan")})
    with pytest.raises(ValueError, match="file locator"):
        log.append(actions.FILE_VIEWED, target="/etc/passwd")  # type: ignore[arg-type]
    assert len(list(read_entries(db))) == 2
    db.close()


@pytest.mark.usefixtures("case_backend")
def test_read_only_log_cannot_append(tmp_path: Path, alice) -> None:
    db, _ = new_case(tmp_path / "case", alice.name)
    reader = open_custody(db, alice.name, write=False, passphrase=None)
    with pytest.raises(AccessDenied, match="read-only"):
        reader.append(actions.NOTE, details={"text": "x"})
    db.close()


VERIFIER = Path(__file__).resolve().parents[2] / "resources" / "tools" / "verify_custody.py"
WRITER = """
import sys
from forensics.case.db import CaseDatabase
from forensics.custody.session import open_custody
db = CaseDatabase(sys.argv[1])
log = open_custody(db, sys.argv[2], write=True, passphrase=sys.argv[3])
for n in range(int(sys.argv[4])):
    log.append("note", details={"writer": sys.argv[5], "n": n})
db.close()
"""


@pytest.mark.usefixtures("case_backend")
def test_two_processes_appending_at_once_make_one_valid_chain(tmp_path: Path, alice, bob) -> None:
    from forensics.services.custody import add_examiner
    from tests.services_helpers import context

    case_dir = tmp_path / "case"
    db, log = new_case(case_dir, alice.name)
    add_examiner(context(db, log), bob.public_record(), "second writer")
    db.close()
    count = 60
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(case_dir), name, PASSPHRASE, str(count), tag],
            env=dict(os.environ),
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, tag in ((alice.name, "A"), (bob.name, "B"))
    ]
    for proc in writers:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    report = verify_case(case_dir)
    assert report.ok, report.failure
    assert report.entries == 3 + 2 * count
    # The independent verifier (its own process, no Custos import) accepts the same chain.
    keys = tmp_path / "trusted.json"
    keys.write_text(json.dumps([alice.public_record(), bob.public_record()]), encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, str(VERIFIER), str(case_dir), "--trusted-keys", str(keys), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["entries"] == 3 + 2 * count
    db = CaseDatabase(case_dir)
    notes = [e for e in read_entries(db, action=actions.NOTE)]
    db.close()
    for tag, name in (("A", alice.name), ("B", bob.name)):
        mine = [e for e in notes if e.details["writer"] == tag]
        assert [e.details["n"] for e in mine] == list(range(count))
        assert {e.examiner for e in mine} == {name}
    # Both really ran at once: their entries interleave somewhere in the chain.
    tags = [e.details["writer"] for e in notes]
    assert any(a != b for a, b in zip(tags, tags[1:], strict=False))
