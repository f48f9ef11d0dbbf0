"""Random tampering: ``custody verify`` and the independent verifier always give the same verdict."""

from __future__ import annotations

import importlib.util
import random
import shutil
from pathlib import Path

from custody_tamper import delete_entry, edit_column, forge_entry, rehash_after_edit, swap_entries

from forensics.custody.verify import verify_case

VERIFIER = Path(__file__).resolve().parents[2] / "resources" / "tools" / "verify_custody.py"


def independent_module():
    spec = importlib.util.spec_from_file_location("verify_custody_under_test", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def independent_verdict(module, case_dir: Path) -> tuple:
    try:
        module.verify(module.read_rows(case_dir))
    except module.Break as brk:
        return (brk.seq, brk.kind)
    return ("ok",)


def custos_verdict(case_dir: Path) -> tuple:
    """The chain's verdict alone: the key anchors and the witness store have tests of their own."""
    report = verify_case(case_dir, witness=False)
    return ("ok",) if report.failure is None else (report.failure.seq, report.failure.kind)


def random_tamper(rng: random.Random, case_dir: Path) -> str:
    seq = rng.randint(1, 12)
    choice = rng.randrange(6)
    if choice == 0:
        column, value = rng.choice(
            [
                ("ts", "2030-01-01T00:00:00.000000Z"),
                ("examiner", "Mallory"),
                ("action", "file_exported"),
                ("item", "EXH-9"),
                ("details_json", '{"text":"x"}'),
                ("key_id", "0" * 64),
                ("signature", "00" * 64),
                ("prev_hash", "1" * 64),
            ]
        )
        edit_column(case_dir, seq, column, value)
        return f"edit {column} of {seq}"
    if choice == 1:
        delete_entry(case_dir, seq, renumber=rng.random() < 0.5)
        return f"delete {seq}"
    if choice == 2:
        other = rng.choice([n for n in range(1, 13) if n != seq])
        swap_entries(case_dir, seq, other)
        return f"swap {seq} {other}"
    if choice == 3:
        forge_entry(case_dir, max(seq, 2), own_key_id=rng.random() < 0.5)
        return f"forge at {max(seq, 2)}"
    if choice == 4:
        rehash_after_edit(case_dir, seq)
        return f"rehash from {seq}"
    return "untouched"


def test_both_verifiers_agree_on_random_tampering(two_examiner_case: Path, tmp_path: Path) -> None:
    module = independent_module()
    rng = random.Random(20261122)
    for n in range(40):
        copy = tmp_path / f"copy-{n}"
        shutil.copytree(two_examiner_case, copy)
        what = random_tamper(rng, copy)
        mine, theirs = custos_verdict(copy), independent_verdict(module, copy)
        assert mine == theirs, what
        assert (mine == ("ok",)) == (what == "untouched"), what
