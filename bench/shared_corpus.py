"""Where the shared third-party corpus is: ``$CUSTOS_CORPUS``, else ``shared/corpus`` beside the repository
(or beside one of its parents), else None."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_root() -> Path | None:
    """The corpus folder, or None when there is none (benchmarks then use the repository's test data)."""
    override = os.environ.get("CUSTOS_CORPUS")
    if override:
        return Path(override) if Path(override).is_dir() else None
    for parent in REPO_ROOT.parents[:3]:
        candidate = parent / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return None
