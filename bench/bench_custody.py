"""Custody log benchmark: append and verify N honest events; ratios against the cryptographic floor.

The floor, measured in the same run, is SHA-256 plus Ed25519 verification of N 32-byte digests: what any
verifier must pay. Run: ``.venv/bin/python bench/bench_custody.py [N]`` (default 10,000).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forensics.case.db import CaseDatabase  # noqa: E402
from forensics.custody import actions  # noqa: E402
from forensics.custody.examiners import create_examiner  # noqa: E402
from forensics.custody.keys import generate_private_key  # noqa: E402
from forensics.custody.verify import verify_case  # noqa: E402
from forensics.services.cases import begin_custody  # noqa: E402

PASSPHRASE = "benchmark passphrase"


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


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CUSTOS_HOME"] = str(Path(tmp) / "home")
        create_examiner("Bench Examiner", "Lab", "B-1", PASSPHRASE)
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
            [sys.executable, str(ROOT / "resources/tools/verify_custody.py"), str(case_dir)],
            check=True,
            capture_output=True,
        )
        independent_s = time.perf_counter() - started
    floor_s = crypto_floor(n)
    print(f"events: {n}")
    print(f"append (one transaction each): {append_s:.2f} s  ({n / append_s:.0f} events/s)")
    print(f"custody verify:        {verify_s:.2f} s  ({verify_s / floor_s:.1f}x crypto floor)")
    print(f"independent verifier:  {independent_s:.2f} s  ({independent_s / floor_s:.1f}x crypto floor)")
    print(f"crypto floor (SHA-256 + Ed25519 verify): {floor_s:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
