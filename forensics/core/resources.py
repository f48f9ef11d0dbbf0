"""Locate the bundled ``resources/`` folder (source tree, installed package or frozen bundle)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    """The resources folder: ``$CUSTOS_RESOURCES``, the frozen bundle's, or the source tree's."""
    env = os.environ.get("CUSTOS_RESOURCES")
    if env:
        return Path(env)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
