"""Run a Python command under the network guard (``netguard/sitecustomize.py``) and read what it saw."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
GUARD_DIR = Path(__file__).resolve().parent / "netguard"


@dataclass
class GuardedRun:
    """Exit code and output of the command, with the guard's log lines."""

    code: int
    out: str
    err: str
    log: list[str]

    @property
    def violations(self) -> list[str]:
        return [line for line in self.log if line.startswith("VIOLATION")]

    @property
    def armed_processes(self) -> set[str]:
        return {line.split()[1] for line in self.log if line.startswith("ARMED")}


def guarded_env(log: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment with the guard armed and the repository importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(GUARD_DIR), str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    env["CUSTOS_NETGUARD_LOG"] = str(log)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(extra or {})
    return env


def run_guarded(args: list[str], log: Path, timeout: float = 300, **env: str) -> GuardedRun:
    """``python ARGS`` in a fresh process under the guard (its children inherit the guard)."""
    proc = subprocess.run(
        [sys.executable, *args],
        env=guarded_env(log, env),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return GuardedRun(proc.returncode, proc.stdout, proc.stderr, lines)


def run_custos(log: Path, *args: str | Path, **env: str) -> GuardedRun:
    """``custos ARGS`` (the source tree's CLI) under the guard."""
    return run_guarded(["-m", "app", *[str(a) for a in args]], log, **env)
