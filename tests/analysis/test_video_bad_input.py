"""Bad video input: a per-item warning, frames decoded so far kept, bounded time and memory, never a crash.

The hostile inputs are built from the real sample clip by patching its bytes. Each is also decoded in a
spawned worker process under an address-space limit (where the OS has one), as the ingest's crash-isolated
workers would run it.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

import pytest

from forensics.analysis.video import VideoAnalysis, analyze_video
from forensics.analysis.video_options import FULL_VIDEO, VideoOptions
from tests.analysis.video_builders import PATTERN, patch_box_field, y4m_from_clip

CLIP = PATTERN.read_bytes()
DECLARED_FRAMES = 206
WORKER_MEMORY_LIMIT = 2 * 1024**3  # address space of the test's worker process (Python + FFmpeg + numpy)


def hostile_inputs() -> dict[str, bytes]:
    stts = CLIP.find(b"stts")
    billion_frames = bytearray(CLIP)
    billion_frames[stts + 12 : stts + 16] = (10**9).to_bytes(4, "big")  # first stts entry: 10^9 samples
    middle = len(CLIP) // 2
    y4m = y4m_from_clip(CLIP)
    return {
        "truncated": CLIP[: len(CLIP) // 2],
        "corrupt middle": CLIP[:middle]
        + bytes(b ^ 0x5A for b in CLIP[middle : middle + 60_000])
        + CLIP[middle + 60_000 :],
        "stts claims 10^9 frames": bytes(billion_frames),
        "stsz claims 10^9 frames": patch_box_field(CLIP, b"stsz", 8, 10**9),
        "header claims 100000x100000": y4m.replace(b"W96 H144", b"W100000 H100000", 1),
        "header claims 16000x16000": y4m.replace(b"W96 H144", b"W16000 H16000", 1),
        "random bytes": os.urandom(300_000),
        "empty": b"",
    }


def _worker(data: bytes, queue: multiprocessing.Queue) -> None:
    if sys.platform != "win32":
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))
    queue.put(analyze_video(data, FULL_VIDEO))


def in_worker(data: bytes) -> VideoAnalysis:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_worker, args=(data, queue))
    process.start()
    try:
        return queue.get(timeout=120)
    finally:
        process.join(timeout=30)
        assert process.exitcode == 0


@pytest.fixture(scope="module")
def results() -> dict[str, VideoAnalysis]:
    return {name: analyze_video(data, FULL_VIDEO) for name, data in hostile_inputs().items()}


def test_truncated_video_keeps_its_first_frames(results):
    result = results["truncated"]
    assert 0 < result.frames_decoded < DECLARED_FRAMES and result.frames and not result.complete
    assert any("of the 206 frames the container declares" in w or "corrupt" in w for w in result.warnings)


def test_corrupt_middle_goes_on_past_the_damage(results):
    result = results["corrupt middle"]
    assert not result.complete and result.warnings
    assert result.frames[-1].timestamp_s >= 5.0  # frames after the damage were decoded too


def test_a_header_claiming_a_billion_frames(results):
    result = results["stts claims 10^9 frames"]
    assert result.info.declared_frames == 10**9
    assert result.frames_decoded == DECLARED_FRAMES and len(result.frames) >= 7
    assert result.warnings == (
        "only 206 of the 1000000000 frames the container declares were decoded "
        "(truncated or damaged data, or a false header)",
    )
    refused = results["stsz claims 10^9 frames"]  # FFmpeg refuses the sample table itself
    assert refused.info is None and refused.warnings[0].startswith("not a readable video or audio container")


def test_a_header_claiming_huge_frames_is_refused_before_decoding(results):
    huge = results["header claims 100000x100000"]  # FFmpeg's own image-size check refuses it
    assert huge.info is None and huge.warnings[0].startswith("not a readable video or audio container")
    big = results["header claims 16000x16000"]  # within FFmpeg's check, over ours: nothing decoded
    assert (big.info.width, big.info.height) == (16000, 16000)
    assert big.frames_decoded == 0 and big.frames == () and not big.complete
    assert big.warnings == (
        "video not decoded: its header declares 16000x16000 = 256 MP per frame, over the limit of 40 MP",
    )


@pytest.mark.parametrize("name", ["random bytes", "empty"])
def test_not_a_video_is_one_line(results, name):
    result = results[name]
    assert result.info is None and len(result.warnings) == 1 and "\n" not in result.warnings[0]


def test_limits_stop_decoding_and_keep_what_was_done():
    few = analyze_video(CLIP, VideoOptions(max_decoded_frames=50))
    assert few.frames_decoded == 50 and len(few.frames) == 2 and not few.complete
    assert few.warnings == ("video decode stopped after 50 frames (the frame limit)",)
    started = time.monotonic()
    hurried = analyze_video(CLIP, VideoOptions(max_decode_seconds=0.0))
    assert time.monotonic() - started < 5.0
    assert hurried.frames_decoded <= 1 and len(hurried.frames) <= 1 and not hurried.complete
    assert hurried.warnings[0].startswith("video decode stopped after 0 s")
    sampled = analyze_video(CLIP, VideoOptions(max_sampled_frames=3))
    assert len(sampled.frames) == 3 and "sampled-frame limit" in sampled.warnings[0]
    too_big = analyze_video(CLIP, VideoOptions(max_bytes=1000))
    assert too_big.info is None and "byte limit" in too_big.warnings[0]


@pytest.mark.skipif(sys.platform == "win32", reason="address-space limits are POSIX only")
def test_hostile_inputs_in_a_memory_limited_worker_process():
    for name, data in hostile_inputs().items():
        result = in_worker(data)
        assert isinstance(result, VideoAnalysis), name
        assert result.warnings, name
    good = in_worker(CLIP)
    assert good.complete and len(good.frames) == 7 and len(good.strip) == 20
