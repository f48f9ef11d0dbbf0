"""Black bars are found on real and synthetic frames, dark pictures are not taken for bars, copies stack."""

from __future__ import annotations

import numpy as np

from forensics.analysis.letterbox import content_box, without_bars
from forensics.analysis.video import analyze_video
from forensics.analysis.video_decode import FrameSampler, VideoReader
from forensics.analysis.video_options import TRIAGE_VIDEO
from forensics.hashsets.video_index import group_copies
from tests.analysis.video_builders import CHAIR, PATTERN, ffmpeg


def _picture(height: int, width: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(40, 255, size=(height, width), dtype=np.uint8)


def test_pillarbox_and_letterbox_are_cropped():
    frame = np.zeros((720, 480), dtype=np.uint8)
    frame[:, 60:420] = _picture(720, 360)
    assert content_box(frame) == (0, 720, 60, 420)
    wide = np.full((360, 640), 16, dtype=np.uint8)
    wide[45:315, :] = _picture(270, 640)
    assert content_box(wide) == (45, 315, 0, 640)
    assert without_bars(wide).shape == (270, 640) and without_bars(wide).flags.c_contiguous


def test_no_bars_thin_edges_and_dark_pictures_are_left_alone():
    assert content_box(_picture(200, 300)) is None
    edge = _picture(200, 300)
    edge[:, :2] = 0  # a 2-pixel column: an encoder artefact, not a bar
    assert content_box(edge) is None
    assert content_box(np.zeros((200, 300), dtype=np.uint8)) is None  # a black frame (fade)
    night = np.random.default_rng(3).integers(0, 60, size=(200, 300), dtype=np.uint8)  # dark but textured
    assert content_box(night) is None


def test_bars_of_the_sample_clips():
    for clip, has_bars in ((PATTERN, True), (CHAIR, True)):
        with VideoReader(clip.read_bytes()) as reader:
            frame = next(reader.frames(FrameSampler(1.0)))
        box = content_box(frame.pixels)
        assert (box is not None) == has_bars
        top, bottom, left, right = box
        assert (top, bottom) == (0, 720) and 0 < left < 120 and 360 < right < 480


def test_a_copy_without_bars_is_stacked_with_the_letterboxed_clip(tmp_path):
    """The sample clip with its bars cut off by ffmpeg, scaled and re-encoded: one clip, two copies."""
    unbarred = tmp_path / "unbarred.mp4"
    ffmpeg(
        "-i", str(PATTERN), "-vf", "crop=416:720:32:0,scale=312:540", "-c:v", "libx264", "-crf", "30",
        "-an", str(unbarred),
        cwd=tmp_path,
    )  # fmt: skip
    barred = analyze_video(PATTERN.read_bytes(), TRIAGE_VIDEO)
    copy = analyze_video(unbarred.read_bytes(), TRIAGE_VIDEO)
    chair = analyze_video(CHAIR.read_bytes(), TRIAGE_VIDEO)
    assert len(barred.unletterboxed) == len(barred.frames) and copy.unletterboxed == ()
    videos = [("barred", barred.frames), ("copy", copy.frames), ("chair", chair.frames)]
    assert group_copies(videos) == []  # whole frames only: the bars hide the copy
    inside = {"barred": barred.unletterboxed, "chair": chair.unletterboxed}
    assert group_copies(videos, inside_bars=inside) == [["barred", "copy"]]
