"""Open a video from bytes or a seekable stream with PyAV (FFmpeg's libraries), read its facts, decode frames.

Nothing is written to disk: the container reads from the given bytes or file-like object. Every limit is an
option (:mod:`video_options`): the input size, the declared frame size (a header claiming 100,000 x 100,000
pixels is refused before any frame is decoded), the frames decoded, a wall-clock deadline and the corrupt
packets skipped. Bad data never raises out of :func:`VideoReader.frames`: decoding stops or skips and a
warning says why, and the frames decoded so far are kept. Opening a file that is not a media container at
all raises :class:`VideoError`.

Frames are numbered in output order from 0 (as vPDQ's ``frame_number``); their timestamps are presentation
times in seconds from the stream's start (falling back to ``number / frame rate`` when a stream has none).
Pixels are as stored (display rotation is reported, not applied), as for still images.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import av
import av.error
import numpy as np

from forensics.analysis.problems import describe
from forensics.analysis.video_metadata import creation_time, place
from forensics.analysis.video_options import FALLBACK_FRAME_RATE, VideoOptions
from forensics.core.errors import EvidenceError

# FFmpeg's probing reads at most this much of the input to find its streams (its default is 5 MB).
PROBE_BYTES = 5_000_000
# Fewer decoded frames than this share of the declared count is reported (a few may be dropped legitimately).
SHORTFALL_RATIO = 0.98
_DECODE_ERRORS = (av.error.FFmpegError, ValueError, OSError, EOFError)


class VideoError(EvidenceError):
    """The content cannot be opened as a video or audio container (or is over a limit)."""


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about one video (or audio-only) item."""

    kind: str  # "video" | "audio" | "none" (a container with neither)
    container: str | None  # FFmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration_s: float | None
    frame_rate: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    pixel_format: str | None
    audio_codecs: tuple[str, ...]
    declared_frames: int | None
    bit_rate: int | None
    creation_time_utc: str | None  # ISO 8601 UTC, only when the tag records a zone
    creation_time_written: str | None  # the tag as written
    creation_time_tag: str | None
    gps_lat: float | None
    gps_lon: float | None
    gps_alt: float | None
    gps_tag: str | None


@dataclass
class VideoFrame:
    """One decoded frame handed to a consumer: pixels as uint8 grey (H x W) or RGB (H x W x 3)."""

    number: int
    timestamp_s: float
    keyframe: bool
    pixels: np.ndarray
    rotation: int = 0  # display rotation in degrees (counter-clockwise), as the stream records it


def _size(source: bytes | BinaryIO) -> int | None:
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source)
    try:
        position = source.tell()
        end = source.seek(0, io.SEEK_END)
        source.seek(position)
        return int(end)
    except (OSError, AttributeError, ValueError):
        return None


def _rate(stream: av.video.stream.VideoStream) -> float | None:
    for value in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        if value and value.denominator and float(value) > 0 and math.isfinite(float(value)):
            return float(value)
    return None


def _codec(context: av.codec.context.CodecContext) -> str:
    """The codec's own name (``mp3``), not the decoder's (``mp3float``)."""
    codec = context.codec
    return getattr(codec, "canonical_name", None) or context.name


def _is_cover_art(stream: av.stream.Stream) -> bool:
    return bool(stream.disposition & av.stream.Disposition.attached_pic)


def fit_within(width: int, height: int, max_side: int | None, max_pixels: int) -> tuple[int, int]:
    """The size to scale a frame to: long side <= ``max_side`` (if given) and at most ``max_pixels``."""
    factor = 1.0
    if max_side is not None and max(width, height) > max_side:
        factor = max_side / max(width, height)
    if width * height * factor * factor > max_pixels:
        factor = math.sqrt(max_pixels / (width * height))
    if factor >= 1.0:
        return width, height
    return max(1, round(width * factor)), max(1, round(height * factor))


class VideoReader:
    """One opened container: ``info`` at once, ``frames()`` decodes the first video stream once."""

    def __init__(self, source: bytes | BinaryIO, options: VideoOptions | None = None) -> None:
        self.options = options or VideoOptions()
        self.warnings: list[str] = []
        self.frames_decoded = 0
        self.corrupt_packets = 0
        self.stopped: str | None = None  # why decoding ended early, if it did
        self.short = False  # fewer frames decoded than the container declares
        size = _size(source)
        if size is not None and size > self.options.max_bytes:
            raise VideoError(
                f"video not decoded: {size} bytes is over the {self.options.max_bytes} byte limit"
            )
        stream = io.BytesIO(source) if isinstance(source, bytes | bytearray | memoryview) else source
        try:
            self._container = av.open(
                stream, mode="r", options={"probesize": str(PROBE_BYTES)}, metadata_errors="replace"
            )
        except _DECODE_ERRORS as exc:
            raise VideoError(describe("not a readable video or audio container", exc)) from exc
        except Exception as exc:  # anything else from a hostile header: one line, never a traceback
            raise VideoError(describe("not a readable video or audio container", exc)) from exc
        self._video = next((s for s in self._container.streams.video if not _is_cover_art(s)), None)
        self.info = self._read_info()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def _read_info(self) -> VideoInfo:
        container = self._container
        tags = {str(k): str(v) for k, v in (container.metadata or {}).items()}
        if self._video is not None:  # some muxers put the creation time on the stream only
            for key, value in (self._video.metadata or {}).items():
                tags.setdefault(str(key), str(value))
        audio = tuple(_codec(s.codec_context) for s in container.streams.audio if s.codec_context is not None)
        video = self._video
        kind = "video" if video is not None else ("audio" if audio else "none")
        duration = (
            container.duration / av.time_base if container.duration and container.duration > 0 else None
        )
        when, where = creation_time(tags), place(tags)
        context = video.codec_context if video is not None else None
        return VideoInfo(
            kind=kind,
            container=container.format.name if container.format else None,
            duration_s=duration,
            frame_rate=_rate(video) if video is not None else None,
            width=context.width or None if context is not None else None,
            height=context.height or None if context is not None else None,
            video_codec=_codec(context) if context is not None else None,
            pixel_format=context.pix_fmt if context is not None else None,
            audio_codecs=audio,
            declared_frames=(video.frames or None) if video is not None else None,
            bit_rate=container.bit_rate or None,
            creation_time_utc=when.utc if when else None,
            creation_time_written=when.as_written if when else None,
            creation_time_tag=when.source_tag if when else None,
            gps_lat=where.lat if where else None,
            gps_lon=where.lon if where else None,
            gps_alt=where.alt if where else None,
            gps_tag=where.source_tag if where else None,
        )

    def _check_declared_size(self) -> bool:
        width, height = self.info.width or 0, self.info.height or 0
        if width * height > self.options.max_frame_pixels:
            self._stop(
                f"video not decoded: its header declares {width}x{height} = {width * height / 1e6:.0f} MP "
                f"per frame, over the limit of {self.options.max_frame_pixels / 1e6:.0f} MP"
            )
            return False
        return True

    def _stop(self, reason: str) -> None:
        self.stopped = reason
        self.warnings.append(reason)

    def _stop_at_deadline(self) -> None:
        self._stop(
            f"video decode stopped after {self.options.max_decode_seconds:.0f} s "
            f"({self.frames_decoded} frames decoded)"
        )

    def _packets(self) -> Iterator[av.Packet]:
        """The video stream's packets; a demuxer error ends the stream (truncated or broken container)."""
        demux = self._container.demux(self._video)
        while True:
            try:
                packet = next(demux)
            except StopIteration:
                return
            except _DECODE_ERRORS as exc:
                self._stop(describe(f"video data unreadable after {self.frames_decoded} frames", exc))
                return
            yield packet

    def _decoded(self) -> Iterator[av.VideoFrame]:
        """Every decoded frame within the limits; corrupt packets are skipped up to the limit."""
        options = self.options
        ends = time.monotonic() + options.max_decode_seconds
        for packet in self._packets():
            if time.monotonic() > ends:  # also between packets that give no frame (a stream of garbage)
                self._stop_at_deadline()
                return
            try:
                frames = packet.decode()
            except _DECODE_ERRORS as exc:
                self.corrupt_packets += 1
                if self.corrupt_packets == 1:
                    self.warnings.append(
                        describe(f"corrupt video data near frame {self.frames_decoded}", exc)
                    )
                if self.corrupt_packets >= options.max_corrupt_packets:
                    self._stop(f"video decode given up: {self.corrupt_packets} corrupt packets")
                    return
                continue
            for frame in frames:
                if frame.width * frame.height > options.max_frame_pixels:
                    self._stop(
                        f"video decode stopped: frame {self.frames_decoded} is {frame.width}x{frame.height}, "
                        f"over the limit of {options.max_frame_pixels / 1e6:.0f} MP"
                    )
                    return
                yield frame
                self.frames_decoded += 1
                if self.frames_decoded >= options.max_decoded_frames:
                    self._stop(f"video decode stopped after {self.frames_decoded} frames (the frame limit)")
                    return
                if time.monotonic() > ends:
                    self._stop_at_deadline()
                    return

    def timed_frames(self) -> Iterator[tuple[int, float, av.VideoFrame]]:
        """``(number, timestamp_s, frame)`` of every decoded frame (FFmpeg's frame, valid until the next)."""
        if self._video is None or not self._check_declared_size():
            return
        stream = self._video
        if self.options.decoder_threads != 1:
            stream.thread_type = "AUTO"
            stream.codec_context.thread_count = self.options.decoder_threads
        rate = self.info.frame_rate or FALLBACK_FRAME_RATE
        known = stream.start_time is not None and stream.time_base is not None
        start = float(stream.start_time * stream.time_base) if known else None  # type: ignore[operator]
        for number, frame in enumerate(self._decoded()):
            stamp = frame.time
            if stamp is None or not math.isfinite(stamp):
                stamp = number / rate
            else:
                if start is None:
                    start = stamp
                stamp -= start
            yield number, max(0.0, float(stamp)), frame
        if self.corrupt_packets > 1:
            self.warnings.append(f"{self.corrupt_packets} corrupt video packets skipped")
        declared = self.info.declared_frames
        if self.stopped is None and declared and self.frames_decoded < declared * SHORTFALL_RATIO:
            self.short = True
            self.warnings.append(
                f"only {self.frames_decoded} of the {declared} frames the container declares were decoded "
                "(truncated or damaged data, or a false header)"
            )

    @property
    def complete(self) -> bool:
        """Whether the stream decoded to its end with no skipped data and no limit reached."""
        return self.stopped is None and self.corrupt_packets == 0 and not self.short

    def frames(self, sampler: FrameSampler, *, colour: bool = False) -> Iterator[VideoFrame]:
        """The frames ``sampler`` selects, converted to grey (or RGB) within the size options."""
        options = self.options
        kept = 0
        for number, stamp, frame in self.timed_frames():
            if not sampler.wants(stamp, frame.key_frame):
                continue
            yield VideoFrame(number, stamp, bool(frame.key_frame), to_pixels(frame, options, colour))
            kept += 1
            if kept >= options.max_sampled_frames:
                self._stop(f"video sampling stopped after {kept} frames (the sampled-frame limit)")
                return


def to_pixels(frame: av.VideoFrame, options: VideoOptions, colour: bool = False) -> np.ndarray:
    """The frame as uint8 grey (or RGB) at the hashing size (swscale, area filter, as vPDQ resizes)."""
    width, height = fit_within(frame.width, frame.height, options.max_side, options.max_hash_pixels)
    image = frame.reformat(width, height, "rgb24" if colour else "gray", interpolation="AREA")
    return image.to_ndarray()


class FrameSampler:
    """Selects frames by presentation time: the first at or after each 1/``fps`` step, and keyframes.

    ``fps`` 0 selects every frame. A frame whose timestamp does not advance (e.g. a GIF with zero delays)
    is never selected twice for the same step.
    """

    _EPSILON = 1e-6

    def __init__(self, fps: float, keyframes: bool = False) -> None:
        self.step = 1.0 / fps if fps > 0 else 0.0
        self.keyframes = keyframes
        self.next_time = 0.0

    def wants(self, timestamp: float, keyframe: bool) -> bool:
        if self.step == 0.0:
            return True
        if timestamp + self._EPSILON >= self.next_time:
            self.next_time = (math.floor((timestamp + self._EPSILON) / self.step) + 1) * self.step
            return True
        return self.keyframes and keyframe


def open_video(source: bytes | BinaryIO, options: VideoOptions | None = None) -> VideoReader:
    """A :class:`VideoReader` over ``source``; raises :class:`VideoError` when it is not a container."""
    return VideoReader(source, options)
