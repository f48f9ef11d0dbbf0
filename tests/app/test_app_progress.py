"""Progress on stderr: items, bytes, rate, time left on a terminal; nothing with --quiet or without a TTY."""

from __future__ import annotations

import io
import json
from pathlib import Path

from app.progress_display import JsonProgress, TerminalProgress
from forensics.core.progress import Progress, format_progress
from tests.app.cli_helpers import cli, examiner_env, new_case


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _halfway() -> Progress:
    progress = Progress(
        phase="processing", items_done=50, items_total=100, bytes_done=5_000_000, bytes_total=10_000_000
    )
    progress.started -= 10  # ten seconds in
    return progress


def test_format_shows_items_bytes_rate_and_time_left() -> None:
    line = format_progress(_halfway())
    assert line.startswith("processing: 50/100 items, 5.0/10.0 MB, 0.5 MB/s, 00:10 left")


def test_terminal_progress_only_on_a_tty_and_not_quiet() -> None:
    terminal = FakeTerminal()
    TerminalProgress(stream=terminal)(_halfway())
    assert "50/100 items" in terminal.getvalue()
    quiet = FakeTerminal()
    TerminalProgress(quiet=True, stream=quiet)(_halfway())
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    TerminalProgress(stream=piped)(_halfway())
    assert piped.getvalue() == ""


def test_json_progress_lines() -> None:
    stream = io.StringIO()
    JsonProgress("EXH-1", stream=stream).emit(_halfway())
    record = json.loads(stream.getvalue())
    assert record["item"] == "EXH-1" and record["items_done"] == 50 and 9 < record["eta_seconds"] < 11


def test_verify_writes_machine_readable_byte_progress(tmp_path, capsys, monkeypatch):
    examiner_env(monkeypatch)
    case = new_case(capsys, tmp_path / "case")
    image = Path(__file__).resolve().parents[1] / "data" / "dfvfs" / "ext2.E01"
    assert cli(capsys, "evidence", "add", case, image, "--item", "EXH-1").code == 0
    run = cli(capsys, "verify", case, "--item", "EXH-1", "--progress-jsonl")
    assert run.code == 0
    records = [json.loads(line) for line in run.err.splitlines() if line.startswith("{")]
    assert records and all(r["phase"] == "verifying" for r in records)
    assert records[0]["bytes_total"] == 4194304  # dfvfs: the ext2 volume is 4 MiB


def test_the_first_pass_shows_how_many_items_were_hashed_ahead() -> None:
    """While the first rank is hashed ahead of its analysis, its items are not done yet: the line and the
    JSON record say how many were hashed meanwhile, and a front end reads the count back."""
    from forensics.core.progress import ProgressRecord

    progress = _halfway()
    progress.hashed_ahead = 1234
    assert "50/100 items (1,234 hashed ahead)," in format_progress(progress)
    stream = io.StringIO()
    JsonProgress("EXH-1", stream=stream).emit(progress)
    record = ProgressRecord.parse(stream.getvalue())
    assert record is not None and record.hashed_ahead == 1234
    assert "hashed ahead" not in format_progress(_halfway())
