"""Reports and exports: render from the case's report data, write the files, record their SHA-256.

Every file written is named with its SHA-256 in one ``report_generated`` custody entry per command.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from forensics.custody import actions
from forensics.reports.collect import ReportOptions, collect_report
from forensics.reports.outputs import (
    Output,
    export_builders,
    outputs_details,
    report_renderers,
    write_csv,
    write_output,
)
from forensics.services.context import CaseContext

EXPORT_FORMATS = ("vics", "case-uco", "dfxml", "csv", "kml", "geojson")


def write_report(
    ctx: CaseContext, targets: Mapping[str, Path | str], options: ReportOptions, now: str
) -> list[Output]:
    """The court report as ``targets`` says (``{"pdf": path, "html": path}``), dated ``now``; its custody
    section states whether the results are as sealed (an altered result is named there, not absorbed)."""
    report = collect_report(ctx.db, now=now, generated_by=ctx.examiner, options=options)
    report = replace(report, checkpoint=ctx.custody.checkpoint(report.report_id))
    renderers = report_renderers()
    outputs = [write_output(fmt, path, renderers[fmt](report)) for fmt, path in targets.items()]
    ctx.custody.append(actions.REPORT_GENERATED, details=outputs_details(report, outputs, kind="report"))
    return outputs


def write_export(ctx: CaseContext, fmt: str, target: Path | str, now: str) -> list[Output]:
    """One interchange export (``csv`` writes ``files.csv`` and ``findings.csv`` into a folder)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    report = collect_report(ctx.db, now=now, generated_by=ctx.examiner, options=ReportOptions())
    if fmt == "csv":
        outputs = write_csv(ctx.db, report, target)
    else:
        outputs = [write_output(fmt, target, export_builders(ctx.db)[fmt](report))]
    ctx.custody.append(actions.REPORT_GENERATED, details=outputs_details(report, outputs, kind="export"))
    return outputs
