"""The whole command-line flow gives byte-identical outputs (golden files, fixed clock and key).

A refactoring must leave every output an examiner or a court sees unchanged; see ``golden_cli.py``.
"""

from __future__ import annotations

import shutil

import pytest

from tests.app.golden_cli import GOLDEN, default_work, run_flow

pytestmark = pytest.mark.skipif(
    shutil.which("mkfs.fat") is None or shutil.which("pdftotext") is None,
    reason="needs mkfs.fat, mtools and pdftotext (scripts/setup.sh installs them)",
)


def test_every_output_is_byte_identical_to_its_golden_file():
    outputs = run_flow(default_work())
    assert sorted(outputs) == sorted(
        p.name for p in GOLDEN.iterdir() if p.is_file() and p.name != "pdq_reference.json"
    )
    different = [name for name, data in outputs.items() if (GOLDEN / name).read_bytes() != data]
    assert not different, f"outputs changed: {different} (python -m tests.app.golden_cli shows the diff)"
