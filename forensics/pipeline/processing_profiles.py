"""Processing profiles: which ingest tasks run, kept as data in ``resources/profiles/*.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from forensics.core.errors import CustosError
from forensics.core.resources import resource_path

ANALYSIS_TASK_NAMES = ("type", "exif", "perceptual", "thumbnail")


@dataclass(frozen=True)
class ProcessingProfile:
    """A named set of switched-on tasks and their options."""

    name: str
    description: str
    tasks: frozenset[str]
    reduced_decode: bool
    item_timeout: float

    @property
    def analysis_tasks(self) -> frozenset[str]:
        return frozenset(t for t in self.tasks if t in ANALYSIS_TASK_NAMES)

    @property
    def matches(self) -> bool:
        return "match" in self.tasks


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
    return ProcessingProfile(
        name=data.get("name", name),
        description=data.get("description", ""),
        tasks=tasks,
        reduced_decode=bool(options.get("reduced_decode", False)),
        item_timeout=float(options.get("item_timeout_seconds", 600)),
    )
