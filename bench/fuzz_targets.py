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
    from forensics.hashsets.importer import ImportOptions, import_hash_set
    from forensics.hashsets.library import HashSetLibrary

    options = ImportOptions(format=format_name)
    if limits:
        from forensics.hashsets.formats.limits import ImportLimits

        options.limits = ImportLimits(**limits)
    with HashSetLibrary(library) as lib:
        report = import_hash_set(lib, Path(path), options)
    return {
        "entries": report.set.entry_count,
        "malformed": report.malformed,
        "item_errors": report.malformed,
    }


def open_image(path: str, walk_seconds: float | None = None) -> dict:
    """Add an image to a fresh case (survey, intake rows), enumerate it, read the first bytes of its items.

    The same path as ``custos evidence add`` and the enumeration of ``custos ingest`` (every value the walk
    produces goes into the case database), then up to :data:`READ_ITEMS` items read as the workers do.
    """
    import tempfile

    from sqlalchemy import func, select

    from forensics.case.db import CaseDatabase
    from forensics.case.models import File, FileSystem, IngestError
    from forensics.case.store import record_evidence
    from forensics.core.errors import EvidenceError
    from forensics.evidence.locator import FileLocator
    from forensics.evidence.source import EvidenceSource
    from forensics.evidence.survey import survey_image
    from forensics.pipeline.enumerate import enumerate_evidence

    if walk_seconds is not None:
        _shorten_entry_limit(walk_seconds)
    before = _sha256(Path(path))
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="fuzz-case-") as folder:
        db = CaseDatabase(Path(folder) / "case", create=True)
        try:
            survey = survey_image(path)
            with db.session() as s:
                record_evidence(s, "FUZZ", survey, {}, "Fuzz Examiner")
            enumerate_evidence(db, 1)
            with db.session() as s:
                rows = s.execute(
                    select(File, FileSystem.offset, FileSystem.fs_type)
                    .join(FileSystem, FileSystem.id == File.filesystem_id)
                    .where(File.status == "pending")
                    .order_by(File.id)
                    .limit(READ_ITEMS)
                ).all()
                notes.extend(s.scalars(select(IngestError.message)))
                items = s.scalar(select(func.count(File.id)))
                systems = s.scalar(select(func.count(FileSystem.id)).where(FileSystem.status == "ok"))
            typed = "fs_type" in FileLocator.__dataclass_fields__  # (older engines have no such field)
            with EvidenceSource(path) as source:
                for f, offset, fs_type in rows:
                    if getattr(f, "link_json", None) is not None:  # unallocated space, carved: not an entry
                        continue
                    folder_source = fs_type == "logical"
                    located = {} if folder_source or not typed else {"fs_type": fs_type}
                    locator = FileLocator(
                        "FUZZ", None if folder_source else offset, f.inode, f.attr_type, f.attr_id, f.stream,
                        f.path, **located,
                    )  # fmt: skip
                    try:
                        source.read_all(locator, READ_BYTES)
                    except EvidenceError as exc:
                        notes.append(str(exc))
        finally:
            db.close()
    if _sha256(Path(path)) != before:
        raise AssertionError(f"{path}: the evidence file changed")
    return {"filesystems": systems, "items": items, "item_errors": len(notes), "notes": notes[:5]}


def _shorten_entry_limit(seconds: float) -> None:
    """Walk with a shorter per-entry time limit (engines before the limits have none to shorten)."""
    try:
        from forensics.evidence import source, walk_limits
    except ImportError:
        return
    original = source.EvidenceSource.walker

    def walker(self, offset: int, fs_type: str, limits=None):  # noqa: ANN001, ANN202
        chosen = limits or walk_limits.WalkLimits(media_size=self.media_size)
        return original(self, offset, fs_type, chosen.with_entry_seconds(seconds))

    source.EvidenceSource.walker = walker


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
