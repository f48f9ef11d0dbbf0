"""What the video task samples and hashes, and the limits that bound its time and memory per video."""

from __future__ import annotations

from dataclasses import dataclass

# A stream whose header declares more pixels per frame than this is refused before anything is decoded
# (8K UHD is 33.2 MP; a hostile header claiming 100,000 x 100,000 is 10,000 MP).
MAX_FRAME_PIXELS = 40_000_000
# Frames with more pixels than this are reduced (swscale, area filter) before hashing: 4K UHD. PDQ needs
# about 9 bytes per hashed pixel here (grey plane + two float32 planes): at most ~75 MB per frame.
MAX_HASH_PIXELS = 3840 * 2160
# Decoded frames (all of them, sampled or not) after which decoding stops with a warning: 2 h at 30 fps.
MAX_DECODED_FRAMES = 216_000
# Sampled frames kept per video (hashes and their timestamps): 3 h at 1 frame per second, plus keyframes.
MAX_SAMPLED_FRAMES = 12_000
# Wall-clock budget of one video's decode; past it, what was decoded so far is kept (with a warning).
MAX_DECODE_SECONDS = 300.0
# Videos bigger than this are not decoded (their bytes are still hashed by the ingest).
MAX_VIDEO_BYTES = 16 * 1024**3
# Corrupt packets skipped before the decode of a video is given up (frames so far are kept).
MAX_CORRUPT_PACKETS = 200
# Frame rate assumed only to number frames when a stream gives no timestamps at all.
FALLBACK_FRAME_RATE = 25.0
# Videos up to this size are decoded from the bytes the ingest worker already read; bigger ones from a
# stream of the item reopened read-only (never a temporary file). The same bound as whole images kept.
MAX_VIDEO_IN_MEMORY = 64 * 1024 * 1024


@dataclass(frozen=True)
class VideoOptions:
    """Options of the video task (picklable; the same for every worker).

    ``sample_fps``: frames hashed per second of presentation time (vPDQ's usual rate is 1); 0 hashes
    every frame, as Meta's reference sample hashes do. ``keyframes`` adds every keyframe.
    ``max_side``: the longer side of a hashed frame at most this many pixels (None: native size, the
    measured decision, see docs/analysis.md "Videos"). ``unletterbox``: frames with black bars get a second
    hash of the picture inside them (kept apart from the vPDQ-compatible hashes).
    """

    sample_fps: float = 1.0
    keyframes: bool = False
    max_side: int | None = None
    # Also hash the picture inside black bars, when a frame has them (letterboxed copies; see letterbox.py).
    unletterbox: bool = True
    strip_frames: int = 20
    strip_side: int = 160
    strip_quality: int = 75
    decoder_threads: int = 1
    pdq_quality_threshold: int = 50
    max_frame_pixels: int = MAX_FRAME_PIXELS
    max_hash_pixels: int = MAX_HASH_PIXELS
    max_decoded_frames: int = MAX_DECODED_FRAMES
    max_sampled_frames: int = MAX_SAMPLED_FRAMES
    max_decode_seconds: float = MAX_DECODE_SECONDS
    max_bytes: int = MAX_VIDEO_BYTES
    max_corrupt_packets: int = MAX_CORRUPT_PACKETS
    max_in_memory: int = MAX_VIDEO_IN_MEMORY

    def __post_init__(self) -> None:
        if self.sample_fps < 0:
            raise ValueError(f"sample_fps must be 0 (every frame) or positive, not {self.sample_fps}")
        if self.max_side is not None and self.max_side < 32:
            raise ValueError(f"max_side must be at least 32 pixels, not {self.max_side}")
        if self.strip_frames < 0 or self.decoder_threads < 0:
            raise ValueError("strip_frames and decoder_threads must not be negative")


# Strip frames of the full profile: as many as IPED shows, at the size and quality of picture thumbnails.
STRIP_FRAMES = 20
STRIP_SIDE = 256
STRIP_QUALITY = 80

# The processing profiles (issue #24): triage samples at 1 fps; full adds keyframes and the strip.
TRIAGE_VIDEO = VideoOptions(sample_fps=1.0, keyframes=False, strip_frames=0)
FULL_VIDEO = VideoOptions(
    sample_fps=1.0,
    keyframes=True,
    strip_frames=STRIP_FRAMES,
    strip_side=STRIP_SIDE,
    strip_quality=STRIP_QUALITY,
)
