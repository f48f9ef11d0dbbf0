"""Processing profiles: which ingest tasks run, kept as data in ``resources/profiles/*.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields

from forensics.analysis.video_options import VideoOptions
from forensics.core.errors import CustosError
from forensics.core.resources import resource_path
from forensics.evidence.carving.signatures import FAMILIES
from forensics.evidence.nested.limits import NestedLimits
from forensics.pipeline.processing_order import ProcessingOrder, parse_order

ANALYSIS_TASK_NAMES = ("type", "exif", "perceptual", "thumbnail", "video")
# The profile an ingest runs unless told otherwise (the command line and the GUI alike).
DEFAULT_PROFILE = "triage"
# Keys of a profile's [video] section: the fields of VideoOptions (sampling, keyframes, strip, limits).
VIDEO_KEYS = frozenset(f.name for f in fields(VideoOptions))


@dataclass(frozen=True)
class ProcessingProfile:
    """A named set of switched-on tasks and their options."""

    name: str
    description: str
    tasks: frozenset[str]
    reduced_decode: bool
    item_timeout: float
    # What lies inside items and in unallocated space (see docs/engine.md, "Nested content"):
    nested: NestedLimits | None = None  # open containers with these defences; None: list no children
    embedded: bool = False  # also documents' embedded objects and files at an offset inside other files
    carve: frozenset[str] = frozenset()  # carving families run over unallocated space (empty: none)
    # The video task's sampling, strip and limits (used when ``video`` is among the tasks).
    video: VideoOptions = field(default_factory=VideoOptions)
    # The order items go to the workers (ranks); no ranks: walk order. Changes no result.
    order: ProcessingOrder = field(default_factory=ProcessingOrder)
    # Field triage: end the job (resumably) once matching has confirmed an alert.
    until_first_alert: bool = False

    @property
    def analysis_tasks(self) -> frozenset[str]:
        return frozenset(t for t in self.tasks if t in ANALYSIS_TASK_NAMES)

    @property
    def matches(self) -> bool:
        return "match" in self.tasks

    @property
    def reads_whatsapp(self) -> bool:
        """Read WhatsApp message databases at the end of the job and link their media to the case."""
        return "whatsapp" in self.tasks


def available_profiles() -> list[str]:
    return sorted(p.stem for p in resource_path("profiles").glob("*.toml"))


def load_profile(name: str) -> ProcessingProfile:
    """Load a profile by name; unknown names are refused with the list of known ones."""
    path = resource_path("profiles", f"{name}.toml")
    if not path.is_file():
        raise CustosError(f"unknown profile {name!r} (available: {', '.join(available_profiles())})")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    tasks = frozenset(k for k, v in data.get("tasks", {}).items() if v)
    options = data.get("options", {})
    inside = data.get("nested", {})
    carve = frozenset(inside.get("carve", []))
    unknown = carve - FAMILIES
    if unknown:
        raise CustosError(
            f"profile {name!r}: unknown carving families {sorted(unknown)} (known: {sorted(FAMILIES)})"
        )
    return ProcessingProfile(
        name=data.get("name", name),
        description=data.get("description", ""),
        tasks=tasks,
        reduced_decode=bool(options.get("reduced_decode", False)),
        item_timeout=float(options.get("item_timeout_seconds", 600)),
        nested=_limits(inside) if inside.get("open_containers", False) else None,
        embedded=bool(inside.get("embedded", False)),
        carve=carve,
        video=_video_options(name, data.get("video", {})),
        order=parse_order(name, data.get("order", {})),
        until_first_alert=bool(options.get("until_first_alert", False)),
    )


def _video_options(profile: str, section: dict) -> VideoOptions:
    """The profile's ``[video]`` section (every key optional: the named defaults apply)."""
    unknown = set(section) - VIDEO_KEYS
    if unknown:
        raise CustosError(f"profile {profile!r}: unknown [video] keys {sorted(unknown)}")
    try:
        return VideoOptions(**section)
    except (TypeError, ValueError) as exc:
        raise CustosError(f"profile {profile!r}: [video]: {exc}") from exc


def _limits(section: dict) -> NestedLimits:
    """The defences a profile sets (each one optional: the named defaults of the readers apply)."""
    defaults = NestedLimits()
    return NestedLimits(
        max_depth=int(section.get("max_depth", defaults.max_depth)),
        max_ratio=float(section.get("max_expansion_ratio", defaults.max_ratio)),
        max_expanded_bytes=int(section.get("max_expanded_bytes", defaults.max_expanded_bytes)),
        max_members=int(section.get("max_members", defaults.max_members)),
        max_seconds=float(section.get("max_seconds_per_container", defaults.max_seconds)),
    )


def describe_profile(profile: ProcessingProfile) -> tuple[list[str], list[str]]:
    """What a profile runs and what it skips, in words (progress output, the GUI's profile choice)."""
    tasks = profile.tasks
    runs: list[str] = ["hashes (MD5, SHA-1, SHA-256)"]
    skips: list[str] = []

    def either(on: bool, text: str) -> None:
        (runs if on else skips).append(text if on else text.split(" (")[0])

    either("type" in tasks, "content type")
    either("exif" in tasks, "EXIF and GPS")
    decode = "reduced" if profile.reduced_decode else "full"
    either("perceptual" in tasks, f"perceptual hashes (PDQ, pHash, dHash; {decode} decode)")
    either("thumbnail" in tasks, f"gallery thumbnails ({decode} decode)")
    video = profile.video
    if "video" in tasks:
        rate = "every frame" if not video.sample_fps else f"{video.sample_fps:g} frame/s"
        runs.append(f"video frame hashes ({rate})")
        either(video.keyframes, "video keyframes")
        either(bool(video.strip_frames), "video frame strips")
    else:
        skips.append("videos")
    either(profile.nested is not None, "archives and disk images inside the evidence")
    either(profile.embedded, "embedded objects")
    carved = sorted(profile.carve)
    either(bool(carved), f"carving ({', '.join(carved)})")
    if carved and set(carved) != FAMILIES:
        skips.append(f"carving of {', '.join(sorted(FAMILIES - set(carved)))}")
    either(profile.reads_whatsapp, "WhatsApp provenance")
    either(profile.matches, "hash-set matching during the ingest")
    if profile.until_first_alert:
        runs.append("stop at the first alert")
    return runs, skips
