"""Tampering with the case file directly is detected and located, by ``custos custody verify`` and by the
independent verifier alike (they must agree on the entry and on what is wrong)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from custody_helpers import new_case
from custody_tamper import (
    delete_entry,
    edit_column,
    edit_details,
    forge_entry,
    rehash_after_edit,
    replace_founder_key,
    replace_registered_key,
    swap_entries,
)

from app.cli import main
from forensics.custody import actions

VERIFIER = Path(__file__).resolve().parents[2] / "resources" / "tools" / "verify_custody.py"


def custos_verify(case_dir: Path, capsys: pytest.CaptureFixture, *extra: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["custody", "verify", str(case_dir), "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def custos_verify_text(case_dir: Path, capsys: pytest.CaptureFixture) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["custody", "verify", str(case_dir)])
    return code, capsys.readouterr().out


def independent_verify(case_dir: Path, *extra: str) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(case_dir), "--json", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=case_dir.parent,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_intact_case_verifies_in_both(
    two_examiner_case: Path, alice, bob, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code, report = custos_verify(two_examiner_case, capsys)
    assert (code, report["ok"], report["entries"], report["break"]) == (0, True, 12, None)
    keyfile = tmp_path / "keys.json"
    keyfile.write_text(json.dumps([alice.public_record(), bob.public_record()]))
    code2, report2 = independent_verify(two_examiner_case, "--trusted-keys", str(keyfile))
    assert (code2, report2["ok"], report2["entries"]) == (0, True, 12)
    # without trusted keys the independent verifier never calls a log intact: nothing anchors it
    code3, report3 = independent_verify(two_examiner_case)
    assert (code3, report3["ok"], sorted(report3["unanchored"])) == (1, False, [alice.name, bob.name])
    assert report2["head_hash"] == report["head_hash"]


SCENARIOS = {
    "change one detail": (lambda d: edit_details(d, 6, text="nothing found"), 6, "edited"),
    "change the examiner": (lambda d: edit_column(d, 7, "examiner", "Alice Example"), 7, "edited"),
    "change the time": (lambda d: edit_column(d, 4, "ts", "2020-01-01T00:00:00.000000Z"), 4, "edited"),
    "change the item": (lambda d: edit_column(d, 11, "item", "EXH-2"), 11, "edited"),
    "delete an entry": (lambda d: delete_entry(d, 6), 6, "deleted"),
    "delete and renumber": (lambda d: delete_entry(d, 6, renumber=True), 6, "deleted"),
    "delete the first entry": (lambda d: delete_entry(d, 1), 1, "deleted"),
    "insert a forged entry": (lambda d: forge_entry(d, 6), 6, "inserted"),
    "append a forged entry": (lambda d: forge_entry(d, 13), 13, "bad_signature"),
    "append an entry with an own key": (lambda d: forge_entry(d, 13, own_key_id=True), 13, "unknown_key"),
    "swap two entries": (lambda d: swap_entries(d, 6, 7), 6, "reordered"),
    "re-hash after an edit": (lambda d: rehash_after_edit(d, 6), 6, "bad_signature"),
    "replace a registered public key": (lambda d: replace_registered_key(d, 3), 3, "edited"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_tampering_is_detected_and_located(
    name: str, two_examiner_case: Path, capsys: pytest.CaptureFixture
) -> None:
    tamper, seq, kind = SCENARIOS[name]
    tamper(two_examiner_case)
    code, report = custos_verify(two_examiner_case, capsys)
    assert code == 1 and not report["ok"]
    assert (report["break"]["seq"], report["break"]["kind"]) == (seq, kind), report["break"]["message"]
    code2, report2 = independent_verify(two_examiner_case)
    assert code2 == 1
    assert (report2["break"]["seq"], report2["break"]["kind"]) == (seq, kind), report2["break"]["message"]
    code3, text = custos_verify_text(two_examiner_case, capsys)
    assert code3 == 1 and f"BROKEN at entry {seq} ({kind})" in text


def test_whole_log_resigned_with_a_new_founder_key(
    tmp_path: Path, alice, capsys: pytest.CaptureFixture
) -> None:
    """A rewrite with fresh keys is consistent in itself; trusted keys and a known head expose it."""
    case_dir = tmp_path / "solo"
    db, log = new_case(case_dir, alice.name)
    for n in range(3):
        log.append(actions.NOTE, details={"text": f"note {n}"})
    db.close()
    _, before = custos_verify(case_dir, capsys)
    replace_founder_key(case_dir)

    code, report = custos_verify(case_dir, capsys)  # Alice's profile on this workstation is the anchor
    assert (code, report["break"]["seq"], report["break"]["kind"]) == (1, 1, "unknown_key")

    keyfile = tmp_path / "alice.json"
    keyfile.write_text(json.dumps(alice.public_record()))
    code2, report2 = independent_verify(case_dir, "--trusted-keys", str(keyfile))
    assert (code2, report2["break"]["seq"], report2["break"]["kind"]) == (1, 1, "unknown_key")

    # Without any anchor the rewritten chain is self-consistent; the head printed earlier still exposes it.
    code3, report3 = custos_verify(case_dir, capsys, "--no-local-keys", "--head", before["head_hash"])
    code4, report4 = independent_verify(case_dir, "--head", before["head_hash"])
    assert (code3, report3["break"]["kind"]) == (code4, report4["break"]["kind"]) == (1, "truncated")


def test_removed_tail_is_caught_by_a_known_head(
    two_examiner_case: Path, capsys: pytest.CaptureFixture
) -> None:
    _, before = custos_verify(two_examiner_case, capsys)
    delete_entry(two_examiner_case, 12)
    code, report = custos_verify(two_examiner_case, capsys, "--head", before["head_hash"])
    code2, report2 = independent_verify(two_examiner_case, "--head", before["head_hash"])
    assert (code, report["break"]["seq"], report["break"]["kind"]) == (1, 12, "truncated")
    assert (code2, report2["break"]["seq"], report2["break"]["kind"]) == (1, 12, "truncated")


def test_independent_verifier_imports_only_stdlib_and_cryptography_and_psycopg_for_a_server_case() -> None:
    import ast

    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    roots = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    roots |= {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert roots - set(sys.stdlib_module_names) == {"cryptography", "psycopg"}
    # psycopg only where a case on a PostgreSQL server is opened: a SQLite case needs no more than before.
    top_level = {
        alias.name.split(".")[0]
        for node in tree.body
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in ([ast.alias(node.module)] if isinstance(node, ast.ImportFrom) else node.names)
    }
    assert top_level - set(sys.stdlib_module_names) == {"cryptography"}
