"""An honest log of 10,000 events verifies, quickly, in both verifiers."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from custody_helpers import new_case

from forensics.custody import actions
from forensics.custody.verify import verify_case

VERIFIER = Path(__file__).resolve().parents[2] / "resources" / "tools" / "verify_custody.py"
EVENTS = 10_000


@pytest.mark.slow
def test_ten_thousand_events_verify_quickly(tmp_path: Path, alice) -> None:
    case_dir = tmp_path / "big"
    db, log = new_case(case_dir, alice.name)
    locator = {
        "item": "EXH-1",
        "partition_offset": 1048576,
        "inode": 0,
        "attr_type": 128,
        "attr_id": 1,
        "path": "",
    }
    for n in range(EVENTS - 2):
        log.append(actions.FILE_VIEWED, item="EXH-1", target=dict(locator, inode=n, path=f"/Users/x/{n}.jpg"))
    db.close()

    started = time.perf_counter()
    report = verify_case(case_dir)
    seconds = time.perf_counter() - started
    assert report.ok and report.entries == EVENTS
    assert seconds < 20, f"verifying {EVENTS} entries took {seconds:.1f} s"

    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps([alice.public_record()]), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(case_dir), "--trusted-keys", str(keys)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and f"INTACT: {EVENTS} entries, head {report.head_hash}" in done.stdout
