"""Custody log benchmark: append and verify N honest events; ratios against the cryptographic floor.

The floor, measured in the same run, is SHA-256 plus Ed25519 verification of N 32-byte digests: what any
verifier must pay. Run: ``.venv/bin/python bench/bench_custody.py [N] [--size S] [--json PATH]``
(N overrides the size's event count; without either, 10,000 events).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402
from forensics.case.db import CaseDatabase  # noqa: E402
from forensics.custody import actions  # noqa: E402
from forensics.custody.examiners import create_examiner  # noqa: E402
from forensics.custody.keys import generate_private_key  # noqa: E402
from forensics.custody.verify import verify_case  # noqa: E402
from forensics.services.cases import begin_custody  # noqa: E402

PASSPHRASE = "benchmark passphrase"
EVENTS = {"smoke": 500, "standard": 10_000, "full": 100_000}


def crypto_floor(n: int) -> float:
    key = generate_private_key()
    public = key.public_key()
    digests = [hashlib.sha256(str(i).encode()).digest() for i in range(n)]
    signatures = [key.sign(d) for d in digests]
    started = time.perf_counter()
    for i, (d, s) in enumerate(zip(digests, signatures, strict=True)):
        hashlib.sha256(str(i).encode()).digest()
        public.verify(s, d)
    return time.perf_counter() - started


def measure(n: int) -> dict[str, float]:
    """Seconds to append ``n`` events, to verify them (in process, independently) and of the floor."""
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CUSTOS_HOME"] = str(Path(tmp) / "home")
        examiner = create_examiner("Bench Examiner", "Lab", "B-1", PASSPHRASE)
        keys = Path(tmp) / "trusted_keys.json"
        keys.write_text(json.dumps([examiner.public_record()]), encoding="utf-8")
        case_dir = Path(tmp) / "case"
        case_dir.mkdir()
        db = CaseDatabase(case_dir, create=True)
        log = begin_custody(db, "Bench Examiner", PASSPHRASE)
        started = time.perf_counter()
        for i in range(n - 1):
            log.append(
                actions.FILE_VIEWED,
                item="EXH-1",
                target={
                    "item": "EXH-1",
                    "partition_offset": 0,
                    "inode": i,
                    "attr_type": 128,
                    "attr_id": 1,
                    "path": f"/Users/x/{i}.jpg",
                },
            )
        append_s = time.perf_counter() - started
        db.close()
        started = time.perf_counter()
        report = verify_case(case_dir)
        verify_s = time.perf_counter() - started
        assert report.ok and report.entries == n
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "resources/tools/verify_custody.py"),
                str(case_dir),
                "--trusted-keys",
                str(keys),
            ],
            check=True,
            capture_output=True,
        )
        independent_s = time.perf_counter() - started
    floor_s = crypto_floor(n)
    return {"append_s": append_s, "verify_s": verify_s, "independent_s": independent_s, "floor_s": floor_s}


def page_result(run: results.Run, n: int, measured: dict[str, float]) -> dict:
    """The measurements in the page's shape: seconds, events/s and the ratio to the crypto floor."""
    floor_s = measured["floor_s"]
    rows = [
        [label, round(seconds, 3), round(n / seconds), results.ratio(seconds, floor_s)]
        for label, seconds in (
            ("append (one signed write transaction each)", measured["append_s"]),
            ("custos custody verify", measured["verify_s"]),
            (
                "independent verifier (resources/tools/verify_custody.py, own process)",
                measured["independent_s"],
            ),
            ("crypto floor (SHA-256 + Ed25519 verify)", floor_s),
        )
    ]
    return run.result(
        parameters={"events": n, "event": "file_viewed with a file locator", "examiners": 1},
        baseline="crypto floor: SHA-256 plus Ed25519 verification of the same number of digests",
        columns=["step", "wall s", "events/s", "x crypto floor"],
        rows=rows,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=int, nargs="?", help="events to append (overrides --size)")
    results.add_arguments(parser)
    args = parser.parse_args(argv)
    n = args.events or EVENTS[args.size]
    run = results.Run("custody", "Custody log: append and verify", args.size)
    measured = measure(n)
    append_s, verify_s, independent_s, floor_s = (
        measured[k] for k in ("append_s", "verify_s", "independent_s", "floor_s")
    )
    print(f"events: {n}")
    print(f"append (one transaction each): {append_s:.2f} s  ({n / append_s:.0f} events/s)")
    print(f"custody verify:        {verify_s:.2f} s  ({verify_s / floor_s:.1f}x crypto floor)")
    print(f"independent verifier:  {independent_s:.2f} s  ({independent_s / floor_s:.1f}x crypto floor)")
    print(f"crypto floor (SHA-256 + Ed25519 verify): {floor_s:.2f} s")
    if args.json:
        results.write(args.json, page_result(run, n, measured))
    return 0


if __name__ == "__main__":
    sys.exit(main())
