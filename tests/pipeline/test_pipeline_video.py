"""The video task in the ingest worker: decoded from the bytes read, or from a reopened stream of the item
when it is too big to keep (a file of the evidence, an archive member at any depth, a carved file), with
the same frame hashes either way and the evidence unchanged."""

from __future__ import annotations

import zipfile
from pathlib import Path

from forensics.analysis.video_options import VideoOptions
from forensics.evidence.carving.model import CarvedFile
from forensics.evidence.locator import FileLocator
from forensics.evidence.nested.limits import NestedLimits
from forensics.evidence.source import EvidenceSource
from forensics.pipeline.nested_items import _carved_result
from forensics.pipeline.tasks import TASK_BITS, ChildResult, TaskOptions, WorkItem, process_item
from tests.analysis.video_builders import CHAIR, PATTERN
from tests.fixtures import assert_unchanged

TASKS = frozenset({"type", "video"})
KEPT = VideoOptions(strip_frames=0)  # the default cap: these clips are decoded from the bytes read
STREAMED = VideoOptions(strip_frames=0, max_in_memory=4096)  # every clip is reopened as a stream


def _item(file_id: int, path: Path) -> WorkItem:
    locator = FileLocator("EXH", None, None, None, None, None, f"/{path.name}")
    return WorkItem(file_id, locator.to_dict(), path.name, path.stat().st_size)


def _evidence(folder: Path) -> list[Path]:
    folder.mkdir()
    clip = folder / "chair.mp4"
    clip.write_bytes(CHAIR.read_bytes())
    inner = folder / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(PATTERN, "deep/pattern.mp4")
    outer = folder / "archive.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(CHAIR, "videos/chair.mp4")
        archive.write(inner, "inner.zip")
    inner.unlink()
    return [clip, outer]


def _run(folder: Path, files: list[Path], video: VideoOptions) -> dict[str, object]:
    """Each item's and each child's analysis, by name (children: their path inside the archive)."""
    options = TaskOptions(TASKS, nested=NestedLimits(), video=video)
    found: dict[str, object] = {}
    children: list[ChildResult] = []
    with EvidenceSource(folder) as source:
        for number, path in enumerate(files, start=1):
            result = process_item(source, _item(number, path), options, emit_children=children.extend)
            assert result.status == "done" and result.tasks_mask & TASK_BITS["video"]
            found[path.name] = result.analysis
    for child in children:
        assert child.status == "done", child.error
        found[child.path] = child.analysis
    return found


def _hashes(analysis) -> list[tuple[int, float, int, bytes]]:  # noqa: ANN001 - an AnalysisResult
    video = analysis.video
    assert video is not None and video.complete and not video.warnings, analysis.warnings
    return [(f.number, f.timestamp_s, f.quality, f.pdq) for f in video.frames]


def test_big_videos_are_decoded_from_a_reopened_stream_at_any_depth(tmp_path):
    folder = tmp_path / "evidence"
    files = _evidence(folder)
    with assert_unchanged(files):
        kept = _run(folder, files, KEPT)
        streamed = _run(folder, files, STREAMED)
    for name in ("chair.mp4", "videos/chair.mp4", "deep/pattern.mp4"):
        assert len(_hashes(kept[name])) >= 7, name
        assert _hashes(streamed[name]) == _hashes(kept[name]), name
    assert _hashes(kept["chair.mp4"]) == _hashes(kept["videos/chair.mp4"])
    assert kept["archive.zip"].video is None  # an archive is no video


def test_a_carved_video_too_big_to_keep_is_read_again_from_the_media():
    clip = PATTERN.read_bytes()
    media = b"\0" * 4096 + clip + b"\0" * 4096
    carved = CarvedFile("mp4", 4096, len(clip), "valid")

    def read_at(offset: int, size: int) -> bytes:
        return media[offset : offset + size]

    results = []
    for video in (KEPT, STREAMED):
        child, found = _carved_result((0,), carved, read_at, TaskOptions(TASKS, video=video))
        assert child.status == "done" and found is not None
        results.append(_hashes(child.analysis))
    assert results[0] == results[1] and len(results[0]) >= 7
