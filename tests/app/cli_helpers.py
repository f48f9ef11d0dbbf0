"""Helpers of the CLI tests: an examiner and a case in a temporary home; the CLI in-process or spawned."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from forensics.case.db import CaseDatabase

PASSPHRASE = "correct horse battery"
EXAMINER = "Alice Example"
REPO_ROOT = Path(__file__).resolve().parents[2]
CUSTOS = REPO_ROOT / ".venv" / "bin" / "custos"
# Fields every `custos files --jsonl` object carries (issue 2).
LISTING_FIELDS = {
    "item",
    "partition_offset",
    "fs_type",
    "path",
    "name",
    "inode",
    "stream",
    "size",
    "kind",
    "allocated",
    "deleted",
    "orphan",
    "mtime",
    "atime",
    "ctime",
    "crtime",
    "md5",
    "sha1",
    "sha256",
}
# Fields that differ between two runs over the same evidence.
VOLATILE_FIELDS = {"id"}


@dataclass
class Run:
    """The outcome of one CLI call."""

    code: int
    out: str
    err: str


def examiner_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Act as the test examiner through the environment (CUSTOS_HOME is already a temporary folder)."""
    monkeypatch.setenv("CUSTOS_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("CUSTOS_EXAMINER", EXAMINER)


def cli(capsys: pytest.CaptureFixture, *args: str | Path) -> Run:
    """Run ``custos ARGS`` in this process."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def new_case(capsys: pytest.CaptureFixture, case_dir: Path) -> Path:
    """Create the examiner profile (once per home) and a case."""
    home = Path(os.environ["CUSTOS_HOME"])
    if not (home / ".alice-created").exists():
        assert (
            cli(capsys, "examiner", "create", EXAMINER, "--agency", "Metro Police", "--badge", "MP-1").code
            == 0
        )
        (home / ".alice-created").touch()
    run = cli(capsys, "case", "create", case_dir, "--number", "2026/0042", "--title", "Test case")
    assert run.code == 0, run.err
    return case_dir


def files_jsonl(capsys: pytest.CaptureFixture, case_dir: Path) -> list[dict]:
    run = cli(capsys, "files", case_dir, "--jsonl")
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.out.splitlines()]


def stable(records: list[dict]) -> list[dict]:
    """Listing records without run-dependent fields, in a stable order."""
    cleaned = [{k: v for k, v in r.items() if k not in VOLATILE_FIELDS} for r in records]
    return sorted(cleaned, key=lambda r: (r["item"], r["partition_offset"] or 0, r["path"]))


def custos_process(*args: str | Path, env: dict | None = None, **kwargs) -> subprocess.Popen:
    """Start ``custos ARGS`` as its own process (for kill/interrupt tests)."""
    full_env = {**os.environ, "CUSTOS_PASSPHRASE": PASSPHRASE, "CUSTOS_EXAMINER": EXAMINER, **(env or {})}
    command = [str(CUSTOS)] if CUSTOS.exists() else [sys.executable, "-m", "app"]
    return subprocess.Popen(
        [*command, *map(str, args)],
        env=full_env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


@contextlib.contextmanager
def case_db(case_dir: Path) -> Iterator[CaseDatabase]:
    """The case database, opened directly for checks and closed afterwards."""
    db = CaseDatabase(case_dir)
    try:
        yield db
    finally:
        db.close()
