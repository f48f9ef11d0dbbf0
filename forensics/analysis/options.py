"""Which analysis tasks run, and the limits that bound time and memory per file."""

from __future__ import annotations

from dataclasses import dataclass, field

from forensics.analysis.video_options import VideoOptions

ANALYSIS_TASKS = frozenset({"type", "exif", "perceptual", "thumbnail", "video"})


@dataclass(frozen=True)
class AnalysisOptions:
    """Options of one ingest job's analysis (picklable; the same for every worker)."""

    tasks: frozenset[str] = ANALYSIS_TASKS
    # JPEG draft-mode (DCT-scaled) decode for perceptual hashes and thumbnail (triage profile).
    reduced_decode: bool = False
    # Draft decode keeps at least this many pixels on the short side (see docs/analysis.md).
    draft_min_side: int = 512
    # Whole content is kept for images up to this size; bigger files get type/entropy from the head only.
    max_image_bytes: int = 64 * 1024 * 1024
    # Pixels hashed at most: bigger pictures are scaled 1/n first (JPEG by DCT scaling while decoding,
    # others by a box reduce after decoding). Bounds hashing memory (pdqhash needs ~25 bytes/pixel).
    max_pixels: int = 24_000_000
    # Non-JPEG pictures declaring more pixels are not decoded at all (decompression-bomb guard).
    max_decode_pixels: int = 100_000_000
    # Cooperative wall-clock budget per image, checked between decode, hashes and thumbnail.
    time_budget_s: float = 30.0
    thumbnail_size: int = 256
    thumbnail_quality: int = 80
    # Flags: images under this side are "too small"; PDQ quality under this is "low quality" (Meta: 50).
    min_hash_side: int = 32
    pdq_quality_threshold: int = 50
    # Luminance standard deviation (0-255) at or under which an image counts as blank.
    blank_stddev: float = 2.0
    # Hash the content regions inside each picture too (trimmed borders, photo in a screenshot, tiles).
    regions: bool = True
    # The video task (``video`` in ``tasks``): sampling, strip and limits per video (see video_options.py).
    video: VideoOptions = field(default_factory=VideoOptions)

    def __post_init__(self) -> None:
        unknown = set(self.tasks) - ANALYSIS_TASKS
        if unknown:
            raise ValueError(f"unknown analysis task(s): {', '.join(sorted(unknown))}")
        object.__setattr__(self, "tasks", frozenset(self.tasks))
