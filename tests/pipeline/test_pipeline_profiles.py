"""A later ingest with a richer profile adds the missing tasks; the same profile redoes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forensics.case.db import CaseDatabase
from forensics.case.models import File
from forensics.case.models_analysis import FileAnalysis
from forensics.case.store import record_evidence
from forensics.core.errors import CustosError
from forensics.evidence.survey import survey_image
from forensics.pipeline.ingest import run_job, start_job
from forensics.pipeline.processing_profiles import load_profile
from forensics.pipeline.tasks import TASK_BITS, TaskOptions

DATA = Path(__file__).resolve().parents[1] / "data"
# Published by faustomorales/pdqhash-python (C++ reference bits), reproduced with Pillow (EXPECTED.md B).
IMAGE2_PDQ = "6d4da52c96e436e6c933db32364a648c4daddb6ce673c6669d6c4018f4d0a8cd"


def _analysed(db) -> dict[str, str | None]:
    with db.session() as s:
        rows = s.execute(
            select(File.name, FileAnalysis.pdq).join(
                FileAnalysis, FileAnalysis.file_id == File.id, isouter=True
            )
        ).all()
    return dict(rows)


def _ingest(db, profile_name: str) -> None:
    profile = load_profile(profile_name)
    job_id, _, _ = start_job(db, "EXH-1", profile, 1)
    outcome = run_job(db, job_id, profile, 1)
    assert outcome.status == "finished"


def test_hashes_then_triage_adds_perceptual_hashes(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copyfile(DATA / "pdqhash-python" / "images" / "image2.jpg", folder / "image2.jpg")
    db = CaseDatabase(tmp_path / "case", create=True)
    with db.session() as s:
        record_evidence(s, "EXH-1", survey_image(folder), {}, "Alice Example")
    _ingest(db, "hashes")
    assert _analysed(db)["image2.jpg"] is None
    _ingest(db, "triage")
    assert _analysed(db)["image2.jpg"] == IMAGE2_PDQ
    triage = load_profile("triage")
    triage_mask = TaskOptions(triage.analysis_tasks, True, video=triage.video).mask
    with db.session() as s:
        lacking = s.scalar(
            select(func.count()).where(
                File.status == "done", File.tasks_mask.op("&")(triage_mask) != triage_mask
            )
        )
    assert lacking == 0  # a rerun of triage has nothing to redo
    db.close()


def test_full_profile_counts_for_more_than_triage():
    triage = load_profile("triage")
    full = load_profile("full")
    triage_mask = TaskOptions(triage.analysis_tasks, triage.reduced_decode, video=triage.video).mask
    full_mask = TaskOptions(full.analysis_tasks, full.reduced_decode, video=full.video).mask
    assert full_mask & triage_mask == triage_mask and full_mask != triage_mask
    # videos: both sample at 1 fps; full adds keyframes and strips, so a triage case redone as full
    # decodes its videos again
    assert triage_mask & TASK_BITS["video"] and not triage_mask & TASK_BITS["video-full"]
    assert full_mask & TASK_BITS["video-full"]
    assert (triage.video.keyframes, triage.video.strip_frames) == (False, 8)
    assert (full.video.keyframes, full.video.strip_frames) == (True, 20)
    assert not load_profile("hashes").analysis_tasks
    assert TaskOptions(frozenset(), False).mask == 0


def test_a_profile_with_unknown_or_bad_video_options_is_refused(tmp_path, monkeypatch):
    resources = tmp_path / "resources"
    shutil.copytree(DATA.parents[1] / "resources" / "profiles", resources / "profiles")
    full = (resources / "profiles" / "full.toml").read_text(encoding="utf-8")
    (resources / "profiles" / "typo.toml").write_text(full.replace("keyframes = true", "key_frames = true"))
    (resources / "profiles" / "bad.toml").write_text(full.replace("sample_fps = 1.0", "sample_fps = -1.0"))
    monkeypatch.setenv("CUSTOS_RESOURCES", str(resources))
    with pytest.raises(CustosError, match=r"unknown \[video\] keys \['key_frames'\]"):
        load_profile("typo")
    with pytest.raises(CustosError, match="sample_fps must be 0"):
        load_profile("bad")
    assert load_profile("full").video.keyframes
