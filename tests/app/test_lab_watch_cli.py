"""``custos lab watch``: two watcher processes on one backlog folder take each manifest exactly once."""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from forensics.case.models import Evidence, IngestJob
from forensics.case.models_lab import LabClaim
from tests.app.cli_helpers import EXAMINER, case_db, cli, custos_process, new_case
from tests.data.expected import DFVFS_EXT2_E01
from tests.fixtures import assert_unchanged

TIMEOUT = 300
ITEMS = {"C-1": ["EXH-1", "EXH-2", "EXH-3"], "C-2": ["EXH-4", "EXH-5"]}


def test_two_watchers_on_one_folder_take_each_manifest_once(tmp_path: Path, capsys) -> None:
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    for case_name, items in ITEMS.items():
        new_case(capsys, tmp_path / case_name)
        for item in items:
            manifest = {
                "custos_manifest": 1,
                "case": f"../{case_name}",
                "item": item,
                "evidence": str(DFVFS_EXT2_E01.path),
                "examiner": EXAMINER,
                "profile": "hashes",
            }
            (backlog / f"{item}.json").write_text(json.dumps(manifest), encoding="utf-8")
    command = ("lab", "watch", backlog, "--until-idle", "--interval", "0.3", "--workers", "1", "--jsonl")
    with assert_unchanged([DFVFS_EXT2_E01.path]):
        # items slowed down a little: each watcher is still on a job when the other looks at the folder
        slow = {"CUSTOS_TEST_ITEM_DELAY": "0.05"}
        watchers = [custos_process(*command, env=slow, text=True) for _ in range(2)]
        outputs = [watcher.communicate(timeout=TIMEOUT) for watcher in watchers]
    for watcher, (_out, err) in zip(watchers, outputs, strict=True):
        assert watcher.returncode == 0, err
    per_watcher = [[json.loads(line) for line in out.splitlines()] for out, _err in outputs]
    assert all(any(e["state"] == "claimed" for e in events) for events in per_watcher)  # both took jobs
    events = [event for events in per_watcher for event in events]
    every_item = [item for items in ITEMS.values() for item in items]
    assert Counter(e["item"] for e in events if e["state"] == "claimed") == Counter(every_item)
    assert Counter(e["item"] for e in events if e["state"] == "finished") == Counter(every_item)
    assert not [e for e in events if e["state"] in ("failed", "invalid", "lost")]
    for case_name, items in ITEMS.items():
        with case_db(tmp_path / case_name) as db, db.session() as s:
            assert sorted(s.scalars(select(Evidence.item))) == items
            assert list(s.scalars(select(IngestJob.status))) == ["finished"] * len(items)
            claims = s.execute(select(LabClaim.item, LabClaim.status, LabClaim.takeovers)).all()
            assert sorted(claims) == [(item, "finished", 0) for item in items]
        assert cli(capsys, "custody", "verify", tmp_path / case_name).code == 0


def test_a_stopped_watcher_leaves_its_job_to_the_next_which_resumes_it(tmp_path: Path, capsys) -> None:
    backlog = tmp_path / "backlog"
    backlog.mkdir()
    case = new_case(capsys, tmp_path / "C-1")
    manifest = {
        "custos_manifest": 1,
        "case": str(case),
        "item": "EXH-1",
        "evidence": str(DFVFS_EXT2_E01.path),
        "examiner": EXAMINER,
        "profile": "hashes",
    }
    (backlog / "EXH-1.json").write_text(json.dumps(manifest), encoding="utf-8")
    command = ("lab", "watch", backlog, "--interval", "0.3", "--workers", "1", "--jsonl")
    first = custos_process(*command, env={"CUSTOS_TEST_ITEM_DELAY": "0.5"}, text=True)
    assert first.stdout is not None
    for line in first.stdout:  # stopped once its job is under way
        if json.loads(line)["state"] == "progress":
            first.send_signal(signal.SIGTERM)
            break
    out, err = first.communicate(timeout=TIMEOUT)
    assert first.returncode == 3, err
    assert [json.loads(line)["state"] for line in out.splitlines()] == ["cancelled"]
    second = custos_process(*command, "--until-idle", text=True)
    out, err = second.communicate(timeout=TIMEOUT)
    assert second.returncode == 0, err
    states = [json.loads(line) for line in out.splitlines()]
    assert [e["state"] for e in states if e["state"] != "progress"] == ["claimed", "ingest", "finished"]
    assert "taken over from " in states[0]["message"] and "(cancelled)" in states[0]["message"]
    with case_db(case) as db, db.session() as s:
        assert list(s.scalars(select(IngestJob.status).order_by(IngestJob.id))) == ["cancelled", "finished"]
        assert s.execute(select(LabClaim.status, LabClaim.takeovers)).all() == [("finished", 1)]
    run = cli(capsys, "custody", "log", case, "--jsonl")
    actions = [json.loads(line)["action"] for line in run.out.splitlines()]
    assert actions.count("evidence_intake") == 1 and "ingest_resumed" in actions
