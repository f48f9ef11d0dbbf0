"""The direct-read pitfall images of ``scripts/fixtures/direct_read_pitfalls.py``, built once per session."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scripts.fixtures.direct_read_pitfalls import FACTS_FILE, build

NEEDED_TOOLS = ("mke2fs", "debugfs", "mkfs.fat", "mmd", "mcopy", "mdel", "mkntfs", "ntfscp", "ntfsfallocate")


@dataclass(frozen=True)
class PitfallImages:
    """The built folder and its facts: image name -> {path: MD5 of the bytes the script wrote}."""

    directory: Path
    facts: dict[str, dict[str, Any]]

    def image(self, name: str) -> Path:
        return self.directory / name

    @property
    def images(self) -> tuple[Path, ...]:
        return tuple(sorted(self.directory.glob("*.raw")))


def build_pitfall_images(directory: Path) -> PitfallImages:
    """Build the images into ``directory``; skips when e2fsprogs, dosfstools, mtools or ntfs-3g is missing."""
    missing = [tool for tool in NEEDED_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (scripts/setup.sh installs them)")
    build(directory)
    facts = json.loads((directory / FACTS_FILE).read_text(encoding="utf-8"))
    return PitfallImages(directory, facts)
