"""Tool validation: run Custos' engine on bundled reference files and compare with published answers.

``run_selftest()`` returns a :class:`ValidationRun`; ``write_validation_report(run, out_dir)`` writes it
as HTML and PDF. No Qt here: the CLI (``custos selftest``) and the GUI's Help menu both call these.
"""

from forensics.selftest.model import Check, Component, ValidationRun
from forensics.selftest.render import render_html, render_pdf, write_validation_report
from forensics.selftest.runner import run_selftest

__all__ = [
    "Check",
    "Component",
    "ValidationRun",
    "render_html",
    "render_pdf",
    "run_selftest",
    "write_validation_report",
]
