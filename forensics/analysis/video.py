"""The video task a worker runs on one item: facts, vPDQ frame hashes and the frame strip in one decode.

:func:`analyze_video` never raises for bad input: content that is not a container, a refused header,
truncated or corrupt data all become lines in ``warnings``, and whatever was decoded before a problem is
kept. The result is plain and picklable, for the single writer to store (see docs/analysis.md "Videos").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from forensics.analysis.frame_strip import StripFrame, StripPicker, strip_frame
from forensics.analysis.letterbox import without_bars
from forensics.analysis.memory_gate import heavy_section
from forensics.analysis.problems import describe
from forensics.analysis.video_decode import (
    FrameSampler,
    VideoError,
    VideoFrame,
    VideoInfo,
    VideoReader,
    fit_within,
    to_pixels,
)
from forensics.analysis.video_options import VideoOptions
from forensics.analysis.vpdq import FrameHash, hash_frame

# What PDQ of one frame needs per hashed pixel (uint8 plane, float32 luma and its float32 scratch copy).
FRAME_HASH_BYTES_PER_PIXEL = 9


def _hash(frame: VideoFrame) -> FrameHash:
    """PDQ of one frame; a frame large enough to matter holds the workers' shared memory slot meanwhile."""
    with heavy_section(frame.pixels.size, FRAME_HASH_BYTES_PER_PIXEL):
        return hash_frame(frame)


@dataclass(frozen=True)
class VideoAnalysis:
    """Everything the video task found for one item."""

    info: VideoInfo | None
    frames: tuple[FrameHash, ...] = ()  # vPDQ-compatible: the whole frame, as Meta hashes it
    # The picture inside black bars, for the frames that have them (same number and timestamp).
    unletterboxed: tuple[FrameHash, ...] = ()
    strip: tuple[StripFrame, ...] = ()
    frames_decoded: int = 0
    # The size frames were hashed at (after ``max_side`` / ``max_hash_pixels``), and how they were sampled.
    hash_width: int | None = None
    hash_height: int | None = None
    sample_fps: float = 1.0
    keyframes: bool = False
    complete: bool = True  # False when decoding stopped early (limit, deadline, broken data)
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _duration(info: VideoInfo) -> float | None:
    if info.duration_s:
        return info.duration_s
    if info.declared_frames and info.frame_rate:
        return info.declared_frames / info.frame_rate
    return None


def analyze_video(source: bytes | BinaryIO, options: VideoOptions | None = None) -> VideoAnalysis:
    """Decode once: metadata, PDQ of the sampled frames, and the strip (when ``options.strip_frames``)."""
    options = options or VideoOptions()
    try:
        reader = VideoReader(source, options)
    except VideoError as exc:
        return VideoAnalysis(None, complete=False, warnings=(str(exc),))
    hashes: list[FrameHash] = []
    inside_bars: list[FrameHash] = []
    strip: list[StripFrame] = []
    warnings: list[str] = []
    hashed_size: tuple[int, int] | None = None
    with reader:
        info = reader.info
        sampler = FrameSampler(options.sample_fps, options.keyframes)
        picker = StripPicker(_duration(info), options.strip_frames)
        try:
            for number, stamp, frame in reader.timed_frames():
                if sampler.wants(stamp, frame.key_frame):
                    pixels = to_pixels(frame, options)
                    hashed_size = hashed_size or (pixels.shape[1], pixels.shape[0])
                    hashes.append(_hash(VideoFrame(number, stamp, bool(frame.key_frame), pixels)))
                    cropped = without_bars(pixels) if options.unletterbox else None
                    if cropped is not None:
                        inside_bars.append(_hash(VideoFrame(number, stamp, bool(frame.key_frame), cropped)))
                    if len(hashes) >= options.max_sampled_frames:
                        reader.stopped = (
                            f"video sampling stopped after {len(hashes)} frames (the sampled-frame limit)"
                        )
                        warnings.append(reader.stopped)
                        break
                if picker.wants(stamp):
                    strip.append(strip_frame(frame, number, stamp, options.strip_side, options.strip_quality))
        except Exception as exc:  # a native or conversion error on one frame: keep what was done
            reader.stopped = describe(f"video analysis stopped at frame {reader.frames_decoded}", exc)
            warnings.append(reader.stopped)
        if info.kind == "video" and reader.frames_decoded == 0 and reader.stopped is None:
            warnings.append("video stream has no decodable frame")
        if hashed_size is None and info.width and info.height:
            hashed_size = fit_within(info.width, info.height, options.max_side, options.max_hash_pixels)
        return VideoAnalysis(
            info=info,
            frames=tuple(hashes),
            unletterboxed=tuple(inside_bars),
            strip=tuple(strip),
            frames_decoded=reader.frames_decoded,
            hash_width=hashed_size[0] if hashed_size else None,
            hash_height=hashed_size[1] if hashed_size else None,
            sample_fps=options.sample_fps,
            keyframes=options.keyframes,
            complete=reader.complete and not warnings,
            warnings=tuple(reader.warnings + warnings),
        )
