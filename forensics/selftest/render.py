"""Write a validation run as a self-contained HTML page and a PDF (built-in fonts, nothing fetched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from forensics.reports.pdf_layout import GRID, LIGHT, styles
from forensics.selftest.model import Check, ValidationRun
from forensics.selftest.reference import reference_dir

TEMPLATE = "validation.html.j2"
INTRO = (
    "Each check compares a value published by a third party (the authors of the reference image or of the "
    "library's test suite) with the value Custos' own engine observed on the same bundled file, read-only."
)
PAGE = landscape(A4)
MARGIN = 14 * mm
PASS_COLOUR = colors.HexColor("#155724")
FAIL_COLOUR = colors.HexColor("#8b0000")


def grouped(run: ValidationRun) -> list[tuple[str, list[Check]]]:
    """Checks grouped by area, in the order the areas first appear."""
    groups: dict[str, list[Check]] = {}
    for check in run.checks:
        groups.setdefault(check.area, []).append(check)
    return list(groups.items())


def sources(run: ValidationRun) -> list[tuple[str, str]]:
    """Each reference file once, with who published its expected values."""
    seen: dict[str, str] = {}
    for check in run.checks:
        seen.setdefault(check.subject, check.source)
    return list(seen.items())


def render_html(run: ValidationRun) -> str:
    env = Environment(
        loader=FileSystemLoader(str(reference_dir())),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
    )
    return env.get_template(TEMPLATE).render(run=run, groups=grouped(run), sources=sources(run), INTRO=INTRO)


def _p(text: object, style) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(rows: list[list], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), LIGHT))
    table.setStyle(TableStyle(commands))
    return table


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(MARGIN, 7 * mm, "Custos tool validation report")
    canvas.drawRightString(PAGE[0] - MARGIN, 7 * mm, f"Page {doc.page}")
    canvas.restoreState()


def render_pdf(run: ValidationRun, target: Path) -> None:
    s = styles()
    width = PAGE[0] - 2 * MARGIN
    verdict_style = s["h1"].clone("verdict", textColor=PASS_COLOUR if run.passed else FAIL_COLOUR)
    passed = len(run.checks) - len(run.failed)
    story: list = [
        _p(f"{run.tool} {run.tool_version}: tool validation report", s["title"]),
        _p(f"{run.verdict}: {passed} of {len(run.checks)} checks passed", verdict_style),
        _p(INTRO, s["body"]),
        Spacer(1, 4),
    ]
    facts = [("Started (UTC)", run.started_utc), ("Finished (UTC)", run.finished_utc), *run.machine.items()]
    story.append(
        _table(
            [[_p(k, s["key"]), _p(v, s["cell"])] for k, v in facts],
            [0.25 * width, 0.75 * width],
            header=False,
        )
    )
    story += [_p("Components", s["h1"])]
    rows = [[_p(h, s["head"]) for h in ("Component", "Version", "Role")]]
    rows += [[_p(c.name, s["cell"]), _p(c.version, s["hash"]), _p(c.role, s["cell"])] for c in run.components]
    story.append(_table(rows, [0.25 * width, 0.35 * width, 0.4 * width]))
    for area, checks in grouped(run):
        story.append(_p(area.capitalize(), s["h1"]))
        rows = [
            [
                _p(h, s["head"])
                for h in ("Reference", "Check", "Expected (published)", "Observed (Custos)", "Result")
            ]
        ]
        for check in checks:
            result = Paragraph(
                f'<font color="{"#155724" if check.passed else "#8b0000"}"><b>'
                f"{'pass' if check.passed else 'FAIL'}</b></font>",
                s["cell"],
            )
            rows.append(
                [
                    _p(check.subject, s["cell"]),
                    _p(check.what, s["cell"]),
                    _p(check.expected, s["hash"]),
                    _p(check.observed, s["hash"]),
                    result,
                ]
            )
        story.append(_table(rows, [0.15 * width, 0.22 * width, 0.28 * width, 0.28 * width, 0.07 * width]))
    story.append(_p("Sources of the expected values", s["h1"]))
    story += [_p(f"{subject}: {source}", s["small"]) for subject, source in sources(run)]
    doc = SimpleDocTemplate(
        str(target),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{run.tool} tool validation",
        author=run.tool,
        invariant=1,
    )
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)


def write_validation_report(run: ValidationRun, out_dir: Path) -> tuple[Path, Path]:
    """Write ``validation-<UTC time>.html`` and ``.pdf`` into ``out_dir``; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = run.started_utc.replace(":", "").replace("-", "").split(".")[0].rstrip("Z") + "Z"
    html_path = out_dir / f"validation-{stamp}.html"
    pdf_path = out_dir / f"validation-{stamp}.pdf"
    html_path.write_text(render_html(run), encoding="utf-8")
    render_pdf(run, pdf_path)
    return html_path, pdf_path


__all__ = ["render_html", "render_pdf", "write_validation_report"]
