"""The ingest contract: what the worker keeps, which tasks run, options."""

from __future__ import annotations

import random

import pytest

from forensics.analysis.api import ANALYSIS_TASKS, HEAD_SIZE, AnalysisOptions, analyze, wants_whole_content

from .conftest import EXIF_PY, IMAGEHASH, analyse_file


def test_contract_constants():
    assert set(ANALYSIS_TASKS) == {"type", "exif", "perceptual", "thumbnail", "video"}
    assert HEAD_SIZE >= 65536  # a JPEG APP1 (EXIF) segment fits in 64 KiB


def test_wants_whole_content_for_images_by_content_not_name():
    options = AnalysisOptions()
    jpeg = (EXIF_PY / "jpg/gps/DSCN0010.jpg").read_bytes()
    assert wants_whole_content("DSCN0010.jpg", len(jpeg), jpeg[:HEAD_SIZE], options)
    assert wants_whole_content("hidden.dat", len(jpeg), jpeg[:HEAD_SIZE], options)
    noise = random.Random(5).randbytes(HEAD_SIZE)
    assert not wants_whole_content("fake.jpg", 10_000_000, noise, options)
    assert not wants_whole_content("big.jpg", options.max_image_bytes + 1, jpeg[:HEAD_SIZE], options)
    type_only = AnalysisOptions(tasks=frozenset({"type"}))
    assert not wants_whole_content("x.jpg", len(jpeg), jpeg[:HEAD_SIZE], type_only)


def test_only_selected_tasks_run():
    data = (EXIF_PY / "jpg/gps/DSCN0010.jpg").read_bytes()
    head = data[:HEAD_SIZE]
    only_type = analyze("a.jpg", len(data), head, data, AnalysisOptions(tasks=frozenset({"type"})))
    assert only_type.filetype is not None
    assert only_type.exif is None and only_type.perceptual is None and only_type.thumbnail is None
    thumbs = analyze("a.jpg", len(data), head, data, AnalysisOptions(tasks=frozenset({"thumbnail"})))
    assert thumbs.filetype is None and thumbs.perceptual is None and thumbs.thumbnail is not None


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="unknown analysis task"):
        AnalysisOptions(tasks=frozenset({"type", "ocr"}))


def test_same_input_gives_the_same_result():
    assert analyse_file(IMAGEHASH / "imagehash.png") == analyse_file(IMAGEHASH / "imagehash.png")
