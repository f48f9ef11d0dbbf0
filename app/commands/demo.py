"""``custos demo``: triage the bundled demo image end to end in a throw-away case folder.

The image is a small phone-like volume of real (public-domain) photos, one of them deleted, one inside a
zip, one renamed, one re-encoded; the "known-material" lists name some of them as stand-ins for listed
material (``resources/demo/NOTICE.md``). The ingest alerts as it finds them, and the report shows the
findings with their provenance.
"""

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
    os.environ["CUSTOS_HASHSET_LIBRARY"] = str(work / "hashsets.db")  # the demo's own library
    image = resource_path("demo", "phone.E01")
    vics, pdq = resource_path("demo", "known-material.json"), resource_path("demo", "known-material.pdq")
    report = case_dir.parent / "demo-report.html"
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
            "demo phone volume (public-domain photos)",
            "--examiner",
            DEMO_EXAMINER,
        ],
        ["verify", str(case_dir), "--item", "DEMO-1", "--examiner", DEMO_EXAMINER],
        ["hashset", "import", str(vics), "--name", "demo-known", "--kind", "alert", "--format", "vics"],
        ["hashset", "import", str(pdq), "--name", "demo-known-pdq", "--kind", "alert", "--format", "pdq"],
        ["ingest", str(case_dir), "--examiner", DEMO_EXAMINER],
        ["findings", str(case_dir), "--examiner", DEMO_EXAMINER],
        ["report", str(case_dir), "--html", str(report), "--examiner", DEMO_EXAMINER],
        ["custody", "verify", str(case_dir), "--examiner", DEMO_EXAMINER],
    ]
    for step in steps:
        print(f"\n$ custos {' '.join(step)}", flush=True)
        status = main(step)
        if status not in (0, None):
            return status
    print(f"\nDemo case left in {case_dir}, its report in {report}. Run `custos --help` for every command.")
    return 0
