"""The layering rules a tool can check: no SQL in the GUI, custody entries only from the service layer,
no command-line flag spelled in a widget, and no cycle between the engine's packages."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def test_the_gui_holds_no_sql() -> None:
    sql = re.compile(r"\b(select|text|execute|exec_driver_sql)\(|\bSELECT\b|\bINSERT\b|\bUPDATE\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources("ui")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if sql.search(re.sub(r"\.(text|select)\(", ".x(", line))  # Qt's widget.text(), model.select()
    ]
    assert offenders == []


def test_custody_entries_are_appended_only_by_the_service_layer() -> None:
    append = re.compile(r"\b(custody|log)\.(append|record)\(|\.append\(actions\.")
    allowed = {ROOT / "forensics" / "custody" / "log.py"}
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("forensics", "app", "ui")
        for path in _sources(folder)
        if path not in allowed and "services" not in path.relative_to(ROOT).parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if append.search(line)
    ]
    assert offenders == []


def test_no_widget_spells_a_command_line_flag() -> None:
    flag = re.compile(r"""["']--[a-z]""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources("ui")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if flag.search(line)
    ]
    assert offenders == []


def test_engine_packages_form_no_cycle() -> None:
    import grimp

    graph = grimp.build_graph("forensics")
    packages = sorted({m.split(".")[1] for m in graph.modules if m.count(".") >= 1})
    cycles = [
        (a, b)
        for a in packages
        for b in packages
        if a < b
        and graph.chain_exists(importer=f"forensics.{a}", imported=f"forensics.{b}", as_packages=True)
        and graph.chain_exists(importer=f"forensics.{b}", imported=f"forensics.{a}", as_packages=True)
    ]
    assert cycles == []
