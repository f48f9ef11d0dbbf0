"""Run one function in a child process with a time and a memory limit, and say how it ended.

The child imports ``module:function``, calls it with the JSON arguments it reads from stdin and writes
one JSON line back: what the function returned, or the examiner-facing error (a ``CustosError``: a
clear refusal), or the traceback of anything else, with the child's peak memory. The parent classifies:

* ``clean``      the function returned and reported no per-item problem
* ``item-errors`` it returned and reported per-item problems (``{"item_errors": n}`` in its result)
* ``refused``    it raised a ``CustosError`` (one clear line for the examiner)
* ``traceback``  it raised anything else
* ``crash``      the child died of a signal or exited without a result (a native crash)
* ``hang``       it ran past the time limit and was killed
* ``memory``     it ran out of the memory limit (``MemoryError``, or killed past the limit)

Memory: the parent polls the child's resident size with psutil (every 50 ms) and kills it past the
limit; on POSIX the child's address space is also capped with ``resource.setrlimit(RLIMIT_AS)`` (the
limit plus room for mappings never touched), so that a burst between two polls fails with MemoryError.
The peak is the child's own high-water mark (``VmHWM`` on Linux, ``getrusage`` elsewhere, psutil's
``peak_wset`` on Windows) or the largest size seen, whichever is larger.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
# Address space a child may map beyond the resident limit (shared libraries, thread stacks, arenas):
# RLIMIT_AS counts reservations that are never touched, so it is set this much above the memory limit.
ADDRESS_SPACE_SLACK = 1 << 30
POLL_SECONDS = 0.05
OUTCOMES = ("clean", "item-errors", "refused", "traceback", "crash", "hang", "memory")

CHILD_CODE = r"""
import importlib, json, sys, traceback
limits = json.loads(sys.argv[1])
if limits["address_space"]:
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (limits["address_space"], limits["address_space"]))
    except (ImportError, ValueError, OSError):
        pass
def peak_bytes():
    try:  # Linux: this process's own high-water mark (ru_maxrss carries the parent's over fork and exec)
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    except ImportError:
        import psutil
        info = psutil.Process().memory_info()
        return getattr(info, "peak_wset", info.rss)
request = json.loads(sys.stdin.read())
out = {}
try:
    from forensics.core.errors import CustosError
    module, _, name = request["target"].partition(":")
    function = getattr(importlib.import_module(module), name)
    out["result"] = function(*request["args"])
    out["status"] = "returned"
except MemoryError:
    out["status"] = "memory"
except BaseException as exc:
    if "CustosError" in globals() and isinstance(exc, CustosError):
        out["status"] = "refused"
        out["message"] = str(exc)
    else:
        out["status"] = "traceback"
        out["message"] = "".join(traceback.format_exception(exc))[-4000:]
out["peak_bytes"] = peak_bytes()
sys.stdout.write("\n" + json.dumps(out, default=str) + "\n")
sys.stdout.flush()
"""


@dataclass
class ChildOutcome:
    """How one call in a child process ended."""

    outcome: str  # one of OUTCOMES
    seconds: float
    peak_bytes: int
    message: str = ""
    result: Any = None
    returncode: int | None = None
    stderr_tail: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH", "")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def run_limited(
    target: str, args: list[Any], *, time_limit: float = 60.0, memory_limit: int = 1 << 30
) -> ChildOutcome:
    """Call ``target`` (``"module:function"``) with ``args`` in a child process under the limits."""
    posix_limit = os.name == "posix"
    limits = {"address_space": memory_limit + ADDRESS_SPACE_SLACK if posix_limit else 0}
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD_CODE, json.dumps(limits)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
        cwd=REPO_ROOT,
    )
    payload: bytes | None = json.dumps({"target": target, "args": args}).encode()
    watched = psutil.Process(child.pid)
    seen_peak = 0
    killed: str | None = None
    while True:
        try:  # drains both pipes while waiting, so a chatty child never blocks on a full pipe
            stdout, stderr = child.communicate(payload, timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            payload = None
        try:
            seen_peak = max(seen_peak, watched.memory_info().rss)
        except psutil.Error:
            pass
        if time.monotonic() - started > time_limit:
            killed = "hang"
        elif seen_peak > memory_limit:
            killed = "memory"
        if killed:
            child.kill()
            stdout, stderr = child.communicate()
            break
    seconds = time.monotonic() - started
    stderr_tail = stderr.decode("utf-8", "replace")[-2000:]
    if killed:
        return ChildOutcome(
            killed, seconds, seen_peak, f"killed past the {killed} limit", None, None, stderr_tail
        )
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict) or "status" not in report:
        return ChildOutcome("crash", seconds, seen_peak, "no result", None, child.returncode, stderr_tail)
    peak = max(int(report.get("peak_bytes") or 0), seen_peak)
    status = report["status"]
    if status == "returned":
        result = report.get("result")
        errors = result.get("item_errors", 0) if isinstance(result, dict) else 0
        outcome = "item-errors" if errors else "clean"
        return ChildOutcome(outcome, seconds, peak, "", result, child.returncode, stderr_tail)
    if status == "memory" or (status == "traceback" and peak > memory_limit):
        return ChildOutcome("memory", seconds, peak, report.get("message", ""), None, child.returncode)
    return ChildOutcome(status, seconds, peak, report.get("message", ""), None, child.returncode, stderr_tail)
