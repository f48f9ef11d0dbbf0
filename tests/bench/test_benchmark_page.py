"""BENCHMARKS.md is the render of bench/results/*.json (never hand-edited out of sync), every result is of
the one shape of bench/results.py, and every benchmark script takes ``--size`` and ``--json PATH``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench import render_page, results, run_all

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted((ROOT / "bench").glob("bench_*.py"))


def example(**changes: object) -> dict:
    run = results.Run("example", "An example", "smoke")
    result = run.result(
        parameters={"items": 1000, "folders": ["a", "b"]},
        baseline="a bare pass",
        columns=["way", "seconds", "x bare"],
        rows=[["bare", 1.5, 1.0], ["custos | fast", 3.0, 2.0], ["skipped", None, None]],
        notes=["a note"],
    )
    result.update(changes)
    return result


def test_the_page_is_the_render_of_the_committed_results() -> None:
    found = render_page.read_all(results.RESULTS_DIR)
    assert found, "bench/results/ holds no result: run bench/run_all.py"
    page = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert page == render_page.render(found), "BENCHMARKS.md is out of date: run bench/render_page.py"
    assert render_page.main(["--check"]) == 0


def test_every_benchmark_has_a_committed_result_under_its_own_name() -> None:
    names = {path.stem: results.read(path)["benchmark"] for path in results.RESULTS_DIR.glob("*.json")}
    assert all(stem == name for stem, name in names.items()), names
    assert set(names) == set(run_all.benchmarks())


def test_the_page_keeps_the_method_and_links_to_the_history() -> None:
    page = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    assert "## Method" in page and "docs/benchmark-history.md" in page
    assert (ROOT / "docs" / "benchmark-history.md").read_text(encoding="utf-8").startswith("> Dated earlier")
    for result in render_page.read_all(results.RESULTS_DIR):
        assert f"## {result['title']}\n" in page
        assert result["machine"]["load_start"] is None or "Load average" in page


@pytest.mark.parametrize("script", SCRIPTS, ids=[path.stem for path in SCRIPTS])
def test_every_benchmark_takes_size_and_json(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "HOME": str(Path.home())},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "--json PATH" in done.stdout and "--size" in done.stdout and "standard" in done.stdout


def test_a_result_round_trips_and_renders_deterministically(tmp_path: Path) -> None:
    first, second = example(), example(benchmark="another", title="Another")
    results.write(tmp_path / "b.json", first)
    results.write(tmp_path / "a.json", second)
    assert results.read(tmp_path / "b.json") == json.loads(json.dumps(first))
    text = render_page.render(render_page.read_all(tmp_path))
    assert text == render_page.render(list(reversed(render_page.read_all(tmp_path))))
    assert text.index("## Another") < text.index("## An example")
    assert "| custos \\| fast | 3.0 | 2.0 |" in text and "| skipped | - | - |" in text
    assert "items 1,000; folders a, b." in text and "- a note" in text


@pytest.mark.parametrize(
    "changes",
    [
        {"size": "huge"},
        {"rows": [["too", "few"]]},
        {"rows": [["bare", {"a": 1}, 1.0]]},
        {"notes": [1]},
        {"extra": "key"},
    ],
)
def test_a_result_of_another_shape_is_refused(tmp_path: Path, changes: dict) -> None:
    broken = example(**changes)
    with pytest.raises(ValueError):
        results.check(broken)
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    assert render_page.main(["--results", str(tmp_path), "--page", str(tmp_path / "page.md")]) == 2
    assert not (tmp_path / "page.md").exists()


def test_check_fails_when_the_page_was_edited(tmp_path: Path) -> None:
    results.write(tmp_path / "results" / "example.json", example())
    page = tmp_path / "page.md"
    arguments = ["--results", str(tmp_path / "results"), "--page", str(page)]
    assert render_page.main(arguments) == 0
    assert render_page.main([*arguments, "--check"]) == 0
    page.write_text(page.read_text(encoding="utf-8").replace("3.0", "2.9"), encoding="utf-8")
    assert render_page.main([*arguments, "--check"]) == 1


def test_run_all_runs_each_benchmark_with_size_and_json_then_renders(tmp_path: Path, monkeypatch) -> None:
    calls = []

    def fake_run_one(name: str, script: Path, size: str, out: Path) -> tuple[int, float]:
        calls.append((name, size))
        results.write(out, example(benchmark=name, title=f"Benchmark {name}"))
        return (1 if name == "custody" else 0), 0.1

    monkeypatch.setattr(run_all, "run_one", fake_run_one)
    page = tmp_path / "page.md"
    code = run_all.main(["--size", "standard", "--only", "custody,writer", "--results", str(tmp_path),
                         "--page", str(page)])  # fmt: skip
    assert code == 1  # a failed benchmark makes the run fail, the page is rendered all the same
    assert calls == [("custody", "standard"), ("writer", "standard")]
    assert "## Benchmark custody" in page.read_text(encoding="utf-8")
    assert run_all.main(["--only", "nonesuch"]) == 2
