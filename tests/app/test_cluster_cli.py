"""``custos ingest --cluster`` against a real Dask scheduler and two workers (``tests/dask_cluster.py``).

The same evidence ingested on this machine and on the cluster gives the same ``custos files --jsonl`` and
``custos findings --jsonl`` (row numbers, run ids and times aside), and the custody log of the cluster job
names the scheduler and the machines whose workers processed items.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.app.cli_helpers import cli, files_jsonl, new_case, stable
from tests.pipeline.first_alert_image import first_alert_image  # noqa: F401 - a fixture

pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install distributed)")

pytestmark = pytest.mark.slow

# Fields of a finding that name a row, a match run or a time: they differ between two ingests.
FINDING_VOLATILE = {"id", "run_id", "match_run_id", "created_at", "matched_at", "found_at", "reviewed_at"}


def _case(capsys, root: Path, image: Path) -> Path:
    case = new_case(capsys, root)
    assert cli(capsys, "evidence", "add", case, image, "--item", "PHONE").code == 0
    return case


def _library(capsys, library: Path, vics: Path, pdq: Path) -> Path:
    """One library for both cases: the lab's shared lists (a finding names its set by the set's uid)."""
    for path, name, fmt in ((vics, "stand-ins", "vics"), (pdq, "stand-ins-pdq", "pdq")):
        run = cli(capsys, "hashset", "import", path, "--name", name, "--format", fmt, "--library", library)
        assert run.code == 0, run.err
    return library


def _stable_findings(capsys, case: Path) -> list[dict]:
    run = cli(capsys, "findings", case, "--jsonl")
    assert run.code == 0, run.err
    return sorted(
        (_without(json.loads(line)) for line in run.out.splitlines()),
        key=lambda f: json.dumps(f, sort_keys=True),
    )


def _without(value: object) -> object:
    """``value`` with the volatile fields left out, at every depth."""
    if isinstance(value, dict):
        return {k: _without(v) for k, v in value.items() if k not in FINDING_VOLATILE}
    if isinstance(value, list):
        return [_without(v) for v in value]
    return value


def _custody(capsys, case: Path) -> list[dict]:
    run = cli(capsys, "custody", "log", case, "--jsonl")
    assert run.code == 0, run.err
    return [json.loads(line) for line in run.out.splitlines()]


def test_cluster_ingest_lists_and_finds_what_a_local_ingest_does(
    tmp_path,
    capsys,
    dask,
    first_alert_image,  # noqa: F811
) -> None:
    image, vics, pdq, _facts = first_alert_image
    library = _library(capsys, tmp_path / "library.db", vics, pdq)
    local, remote = _case(capsys, tmp_path / "local", image), _case(capsys, tmp_path / "remote", image)
    run = cli(capsys, "ingest", local, "--workers", "2", "--library", library)
    assert run.code == 0, run.err
    run = cli(capsys, "ingest", remote, "--cluster", dask.address, "--library", library)
    assert run.code == 0, run.err
    assert "PHONE: processed on " in run.out and "tcp://127.0.0.1:" in run.out

    listed = stable(files_jsonl(capsys, remote))
    assert listed == stable(files_jsonl(capsys, local))
    assert listed and all(r["md5"] for r in listed if r["kind"] == "file" and r["size"])
    found = _stable_findings(capsys, remote)
    assert found == _stable_findings(capsys, local)
    assert len(found) >= 9  # the stand-in lists name nine (file, algorithm) pairs

    entries = _custody(capsys, remote)
    started = [e for e in entries if e["action"] == "ingest_started"]
    finished = [e for e in entries if e["action"] == "ingest_finished"]
    assert [e["details"]["cluster"] for e in started + finished] == [dask.address, dask.address]
    machines = finished[0]["details"]["machines"]
    assert machines and all("tcp://127.0.0.1:" in machine for machine in machines)
    assert not any("cluster" in e["details"] for e in _custody(capsys, local) if e.get("details"))
    assert cli(capsys, "custody", "verify", remote).code == 0
