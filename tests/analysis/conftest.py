"""Shared helpers of the analysis tests: data paths, running ``analyze``, a migrated case database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from forensics.analysis.api import HEAD_SIZE, AnalysisOptions, analyze, wants_whole_content
from forensics.analysis.results import AnalysisResult
from forensics.case.db import make_engine, migrate
from forensics.case.models import Evidence, File, FileSystem

DATA = Path(__file__).resolve().parents[1] / "data"
EXIF_PY = DATA / "exif-py"
THREATEXCHANGE = DATA / "ThreatExchange"
IMAGEHASH = DATA / "imagehash"
PDQHASH_PYTHON = DATA / "pdqhash-python" / "images"
LIBMAGIC = DATA / "file"


def hamming(hex_a: str, hex_b: str) -> int:
    """Differing bits between two equal-length hex hashes."""
    return (int(hex_a, 16) ^ int(hex_b, 16)).bit_count()


def analyse_bytes(
    data: bytes, name: str = "file.bin", options: AnalysisOptions | None = None
) -> AnalysisResult:
    """Run ``analyze`` the way the ingest worker does: head always, whole content when wanted."""
    options = options or AnalysisOptions()
    head = data[:HEAD_SIZE]
    content = data if wants_whole_content(name, len(data), head, options) else None
    return analyze(name, len(data), head, content, options)


def analyse_file(
    path: Path, options: AnalysisOptions | None = None, name: str | None = None
) -> AnalysisResult:
    return analyse_bytes(path.read_bytes(), name or path.name, options)


def add_evidence(session: Session) -> None:
    """One evidence item and one file system; their ids go into ``session.info``."""
    evidence = Evidence(
        item="1", path="/dev/null", segments_json="[]", container="raw", added_at="2026-01-01T00:00:00Z"
    )
    session.add(evidence)
    session.flush()
    filesystem = FileSystem(evidence_id=evidence.id, offset=0, status="ok")
    session.add(filesystem)
    session.flush()
    session.info["evidence_id"], session.info["filesystem_id"] = evidence.id, filesystem.id


@pytest.fixture
def case_session(tmp_path: Path):
    """A session on a freshly migrated case database with one evidence item and file system."""
    engine = make_engine(f"sqlite:///{tmp_path / 'case.db'}")
    migrate(engine)
    with Session(engine) as session:
        add_evidence(session)
        yield session
    engine.dispose()


def add_file(session: Session, name: str, seq: int) -> int:
    """Insert one ``files`` row (the lead's table) and return its id."""
    row = File(
        evidence_id=session.info["evidence_id"],
        filesystem_id=session.info["filesystem_id"],
        seq=seq,
        path=f"/{name}",
        name=name,
        kind="file",
        allocated=True,
        deleted=False,
        orphan=False,
        status="done",
    )
    session.add(row)
    session.flush()
    return row.id
