"""``custos demo``: triage the bundled demo image end to end in a throw-away case folder."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from forensics.core.resources import resource_path

DEMO_EXAMINER = "Demo Examiner"
DEMO_PASSPHRASE = "demo passphrase"


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="triage the bundled demo image in a temporary case")
    demo.add_argument("--out", help="case folder to create (default: a new temporary folder)")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from app.cli import main

    work = Path(tempfile.mkdtemp(prefix="custos-demo-"))
    case_dir = Path(args.out) if args.out else work / "case"
    # A private examiner profile for the demo, so the user's own profiles are untouched.
    os.environ["CUSTOS_HOME"] = str(work / "home")
    os.environ["CUSTOS_PASSPHRASE"] = DEMO_PASSPHRASE
    image = resource_path("demo", "ext2.E01")
    steps = [
        ["examiner", "create", DEMO_EXAMINER, "--agency", "Demo Lab", "--badge", "D-1"],
        [
            "case",
            "create",
            str(case_dir),
            "--number",
            "DEMO-1",
            "--title",
            "Demo triage",
            "--examiner",
            DEMO_EXAMINER,
        ],
        [
            "evidence",
            "add",
            str(case_dir),
            str(image),
            "--item",
            "DEMO-1",
            "--description",
            "dfvfs ext2 test image",
            "--examiner",
            DEMO_EXAMINER,
        ],
        ["verify", str(case_dir), "--item", "DEMO-1", "--examiner", DEMO_EXAMINER],
        ["ingest", str(case_dir), "--examiner", DEMO_EXAMINER],
        ["files", str(case_dir), "--examiner", DEMO_EXAMINER],
        ["custody", "verify", str(case_dir), "--examiner", DEMO_EXAMINER],
    ]
    for step in steps:
        print(f"\n$ custos {' '.join(step)}", flush=True)
        status = main(step)
        if status not in (0, None):
            return status
    print(f"\nDemo case left in {case_dir}. Run `custos --help` for every command.")
    return 0
