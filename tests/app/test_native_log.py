"""Native libraries' writes to descriptor 2 go to the log; Custos's own messages stay on the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_native_writes_go_to_the_log_and_ours_to_the_terminal(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import os, sys, warnings
        from app.native_log import divert_native_stderr
        print(divert_native_stderr(), flush=True)
        os.write(2, b"tsk: some native warning\\n")
        warnings.warn("a library's warning")
        print("custos: our own message", file=sys.stderr)
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CUSTOS_HOME": str(tmp_path)},
    )
    log = Path(child.stdout.strip())
    assert child.returncode == 0 and log == tmp_path / "logs" / "native.log"
    assert "custos: our own message" in child.stderr
    assert "native warning" not in child.stderr and "library's warning" not in child.stderr
    text = log.read_text(encoding="utf-8")
    assert "tsk: some native warning" in text and "a library's warning" in text


def test_the_program_keeps_its_progress_lines_on_stderr(tmp_path: Path) -> None:
    """``custos`` run as a program (the GUI reads its stderr) still shows its errors there."""
    child = subprocess.run(
        [sys.executable, "-m", "app", "files", str(tmp_path / "no-case"), "--examiner", "X"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CUSTOS_HOME": str(tmp_path)},
    )
    assert child.returncode == 2 and "not a Custos case" in child.stderr
