"""What a fuzzing run does with one input, in a child process (see ``bench/sandbox.py``).

Each target takes JSON-able arguments and returns a small JSON-able summary; ``item_errors`` counts the
per-item problems the engine recorded (walk notes, unreadable items, malformed records), so that the
sandbox can tell a clean run from one that noted problems and went on.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

# Bytes of each item read by the image target (enough to reach content through every reader path).
READ_BYTES = 1 << 20
# Items whose content the image target reads (the listing itself covers every item).
READ_ITEMS = 200


def import_list(path: str, library: str, format_name: str | None, limits: dict[str, int] | None) -> dict:
    """Import a hash list into a fresh library; entries, malformed records."""
    from forensics.hashsets.formats.limits import ImportLimits
    from forensics.hashsets.importer import ImportOptions, import_hash_set
    from forensics.hashsets.library import HashSetLibrary

    options = ImportOptions(format=format_name, limits=ImportLimits(**(limits or {})))
    with HashSetLibrary(library) as lib:
        report = import_hash_set(lib, Path(path), options)
    return {
        "entries": report.set.entry_count,
        "malformed": report.malformed,
        "item_errors": report.malformed,
    }


def open_image(path: str, walk_seconds: float | None = None) -> dict:
    """Survey an image, walk every file system found and read the first bytes of its first items."""
    from forensics.errors import EvidenceError
    from forensics.evidence.locator import FileLocator
    from forensics.evidence.source import EvidenceSource
    from forensics.evidence.survey import survey_image

    before = _sha256(Path(path))
    survey = survey_image(path)
    items = read = 0
    notes: list[str] = []
    with EvidenceSource(path) as source:
        for fs in survey.usable_filesystems:
            if source.is_folder:
                continue
            walker = source.walker(fs.offset, fs.fs_type or "")
            if walk_seconds is not None:
                walker.limits = walker.limits.with_entry_seconds(walk_seconds)
            try:
                for entry in walker.walk():
                    items += 1
                    if read >= READ_ITEMS or not entry.has_content:
                        continue
                    read += 1
                    locator = FileLocator(
                        "fuzz",
                        fs.offset,
                        entry.inode,
                        entry.attr_type,
                        entry.attr_id,
                        entry.stream,
                        entry.path,
                    )
                    try:
                        source.read_all(locator, READ_BYTES)
                    except EvidenceError as exc:
                        notes.append(str(exc))
            except EvidenceError as exc:
                notes.append(str(exc))
            notes.extend(walker.errors)
    if _sha256(Path(path)) != before:
        raise AssertionError(f"{path}: the evidence file changed")
    return {
        "filesystems": len(survey.usable_filesystems),
        "items": items,
        "item_errors": len(notes),
        "notes": notes[:5],
    }


def analyze_picture(path: str) -> dict:
    """Run every analysis task (type, EXIF, perceptual hashes, thumbnail) on a picture's bytes."""
    from forensics.analysis.api import HEAD_SIZE, analyze
    from forensics.analysis.options import AnalysisOptions

    data = Path(path).read_bytes()
    result = analyze(Path(path).name, len(data), data[:HEAD_SIZE], data, AnalysisOptions())
    warnings = list(getattr(result, "warnings", []) or [])
    return {"item_errors": len(warnings), "warnings": warnings[:3]}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def describe(value: Any) -> str:
    """A one-line description of a target's result, for the campaign's log."""
    return (
        ", ".join(f"{key}={value[key]}" for key in sorted(value)) if isinstance(value, dict) else str(value)
    )
