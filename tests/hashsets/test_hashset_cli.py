"""The command line: hashset import/list/remove, match (custody events per set) and findings --jsonl.

``open_case`` is replaced by a fake that keeps its contract (``db``, ``examiner``, ``custody.append``), so
these tests do not depend on examiner keys and passphrases of the custody work.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hashset_case import DATA, CaseBuilder

from app.commands import hashset as hashset_commands
from forensics.case.db import CaseDatabase
from forensics.core.errors import CustosError

CAID_MOV = DATA / "NSRL-CAID-to-UCO-Converter" / "NSRL-CAID-MOV.json"
TESTMD5 = DATA / "sleuthkit" / "hashsets" / "testmd5.dat"
BLKCALC_MD5 = "866823fb29c0bf5d8dbc35e1cf14c2d9"  # first line of TSK's testmd5.dat


@dataclass
class FakeCustody:
    events: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    writable: bool = False  # signs nothing: the results seals need a real log (tests/services)

    def append(self, action: str, *, item: Any = None, target: Any = None, details: Any = None) -> None:
        self.events.append((action, details))


@dataclass
class FakeContext:
    db: CaseDatabase
    examiner: str
    custody: FakeCustody

    def __enter__(self) -> FakeContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()


@pytest.fixture
def custody(monkeypatch: pytest.MonkeyPatch) -> FakeCustody:
    log = FakeCustody()

    def fake_open_case(args: argparse.Namespace, case_dir: Path | str, *, write: bool) -> FakeContext:
        return FakeContext(CaseDatabase(case_dir), args.examiner or "nobody", log)

    monkeypatch.setattr(hashset_commands, "open_case", fake_open_case)
    return log


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="custos")
    parser.add_argument("--examiner")
    parser.add_argument("-q", "--quiet", action="store_true")
    sub = parser.add_subparsers(dest="command")
    hashset_commands.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_import_list_remove_with_library_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOS_HASHSET_LIBRARY", str(tmp_path / "env-library.db"))
    assert run("--examiner", "Ann", "-q", "hashset", "import", str(CAID_MOV), "--name", "CAID MOV") == 0
    assert (
        "imported 'CAID MOV': 9 entries (md5, sha1), format nist-caid, kind known" in capsys.readouterr().out
    )
    assert (tmp_path / "env-library.db").exists()
    run("hashset", "list", "--json")
    (listed,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed["name"] == "CAID MOV" and listed["imported_by"] == "Ann"
    assert listed["source_sha256"] == hashlib.sha256(CAID_MOV.read_bytes()).hexdigest()
    run("hashset", "remove", "CAID MOV")
    run("hashset", "list")
    assert capsys.readouterr().out.startswith("removed 'CAID MOV'")
    with pytest.raises(CustosError, match="no hash set named"):
        run("hashset", "remove", "CAID MOV")


def test_match_records_custody_and_findings_export(
    tmp_path: Path, custody: FakeCustody, capsys: pytest.CaptureFixture[str]
) -> None:
    library = str(tmp_path / "lib.db")
    run(
        "-q",
        "hashset",
        "import",
        str(TESTMD5),
        "--library",
        library,
        "--name",
        "TSK tools",
        "--kind",
        "alert",
    )
    run("-q", "hashset", "import", str(CAID_MOV), "--library", library)
    case = CaseBuilder(tmp_path / "case")
    case.add_file("/Tools/blkcalc.exe", md5=BLKCALC_MD5)
    case.close()
    capsys.readouterr()
    assert run("--examiner", "Ann", "match", str(tmp_path / "case"), "--library", library) == 0
    assert "1 new findings" in capsys.readouterr().out
    actions = [(action, details["name"]) for action, details in custody.events]
    assert actions == [("hashset_used", "NSRL-CAID-MOV"), ("hashset_used", "TSK tools")]
    details = custody.events[1][1]
    assert set(details) == {"name", "version", "source_sha256", "kind", "entries", "algorithms", "thresholds"}
    assert details["entries"] == 28 and details["algorithms"] == ["md5"]
    run("findings", str(tmp_path / "case"), "--jsonl")
    (finding,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert finding["path"] == "/Tools/blkcalc.exe" and finding["md5"] == BLKCALC_MD5
    assert finding["set"]["name"] == "TSK tools" and finding["set"]["source_name"] == "testmd5.dat"
    assert finding["entry"]["record_no"] == 1 and finding["algorithm"] == "md5"
    # Again: nothing new, and the same sets recorded as used.
    run("match", str(tmp_path / "case"), "--library", library, "--sets", "TSK tools")
    assert "0 new findings" in capsys.readouterr().out and len(custody.events) == 3


def test_bad_format_name_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(CustosError, match="unknown format 'foo'"):
        run("hashset", "import", str(TESTMD5), "--format", "foo", "--library", str(tmp_path / "l.db"))
