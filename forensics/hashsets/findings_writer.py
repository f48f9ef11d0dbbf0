"""Turn hits into findings (with their full provenance) and known marks, never twice."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.models_findings import FileKnown, Finding
from forensics.case.models_regions import FindingRegion
from forensics.case.models_video import FindingVideo
from forensics.core.categories import scheme_for
from forensics.core.errors import CategoryError
from forensics.core.timeutil import utc_now_iso
from forensics.hashsets.hits import Hit, MatchSettings
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry
from forensics.hashsets.set_info import SetInfo

WRITE_BATCH = 2000


def category_label(region: str, category: int | None) -> str:
    """The label of a category in the set's region; still a clear text if that scheme is gone."""
    try:
        return scheme_for(region).label(category)
    except CategoryError:
        return f"category {category} (scheme {region!r} not in the category table)"


def _finding_region(finding_id: int, hit: Hit) -> FindingRegion:
    """Which region of the file and which extra code of the entry a perceptual finding matched."""
    kind, x, y, w, h = hit.region or (None, None, None, None, None)
    return FindingRegion(
        finding_id=finding_id, region_kind=kind, x=x, y=y, w=w, h=h, list_variant=hit.list_variant
    )


def _matched_hash(hit: Hit, entry: Any) -> str:
    """The listed hash that matched: a video's listed frame, a list crop's code, or the entry's own hash."""
    listed_frame = getattr(hit, "matched_hash", "")
    if listed_frame:
        return listed_frame
    return (hit.matched_code or bytes(entry[hit.algorithm])).hex()


class FindingsWriter:
    """Turns hits into findings and known marks, skipping what the case already has."""

    def __init__(
        self,
        case_db: CaseDatabase,
        library: HashSetLibrary,
        usage: dict[int, Any],
        run_id: int,
        settings: MatchSettings,
    ) -> None:
        self.case_db = case_db
        self.library = library
        self.usage = usage
        self.run_id = run_id
        self.settings = settings
        self.findings_added = 0
        self.known_added = 0
        # With ``keep_added``: the findings this writer added, as stored (for live alerts), until taken.
        self.keep_added = False
        self.added: list[Finding] = []

    def take_added(self) -> list[Finding]:
        """The findings added since the last call (detached rows: read their columns only)."""
        added, self.added = self.added, []
        return added

    def write(self, hits: Iterable[Hit]) -> None:
        batch: list[Hit] = []
        for hit in hits:
            batch.append(hit)
            if len(batch) >= WRITE_BATCH:
                self._write_batch(batch)
                batch = []
        if batch:
            self._write_batch(batch)

    def _entries(self, entry_ids: set[int]) -> dict[int, Any]:
        with self.library.engine.connect() as connection:
            rows = connection.execute(select(HashEntry).where(HashEntry.id.in_(entry_ids))).mappings().all()
        return {row["id"]: row for row in rows}

    def _write_batch(self, hits: list[Hit]) -> None:
        entries = self._entries({hit.entry_id for hit in hits})
        file_ids = sorted({hit.file_id for hit in hits})
        now = utc_now_iso()
        with self.case_db.session() as session:
            have_findings = {
                tuple(row)
                for row in session.execute(
                    select(Finding.file_id, Finding.set_uid, Finding.entry_id, Finding.algorithm).where(
                        Finding.file_id.in_(file_ids)
                    )
                )
            }
            have_known = {
                tuple(row)
                for row in session.execute(
                    select(FileKnown.file_id, FileKnown.set_uid).where(FileKnown.file_id.in_(file_ids))
                )
            }
            regions: list[tuple[Finding, Hit]] = []
            videos: list[tuple[Finding, dict[str, Any]]] = []
            for hit in hits:
                entry = entries[hit.entry_id]
                usage = self.usage[entry["set_id"]]
                info = usage.info
                kind = entry["kind"] or info.kind
                if kind == "known":
                    if (hit.file_id, info.uid) in have_known:
                        continue
                    have_known.add((hit.file_id, info.uid))
                    session.add(
                        FileKnown(
                            run_id=self.run_id,
                            file_id=hit.file_id,
                            set_uid=info.uid,
                            set_name=info.name,
                            set_version=info.version,
                            set_source_sha256=info.source_sha256,
                            algorithm=hit.algorithm,
                            entry_id=hit.entry_id,
                            created_at=now,
                        )
                    )
                    usage.known += 1
                    self.known_added += 1
                    continue
                key = (hit.file_id, info.uid, hit.entry_id, hit.algorithm)
                if key in have_findings:
                    continue
                have_findings.add(key)
                finding = self._finding(hit, entry, info, kind, now)
                session.add(finding)
                if hit.region is not None or hit.list_variant is not None:
                    regions.append((finding, hit))
                detail = getattr(hit, "detail", None)  # a video finding's basis (frames, shares, where)
                if detail:
                    videos.append((finding, detail))
                usage.findings += 1
                self.findings_added += 1
                if self.keep_added:
                    self.added.append(finding)
            if regions or videos:
                session.flush()
                session.add_all(_finding_region(finding.id, hit) for finding, hit in regions)
                session.add_all(FindingVideo(finding_id=finding.id, **detail) for finding, detail in videos)
            if self.keep_added:
                session.flush()  # the new findings' ids

    def _finding(self, hit: Hit, entry: Any, info: SetInfo, kind: str, now: str) -> Finding:
        is_vics = info.format.startswith(("vics", "nist-caid"))
        label = category_label(info.region, entry["category"]) if is_vics else None
        return Finding(
            run_id=self.run_id,
            file_id=hit.file_id,
            set_uid=info.uid,
            set_name=info.name,
            set_version=info.version,
            set_kind=info.kind,
            set_format=info.format,
            set_source_name=info.source_name,
            set_source_sha256=info.source_sha256,
            set_region=info.region,
            kind=kind,
            entry_id=hit.entry_id,
            entry_record_no=entry["record_no"],
            media_id=entry["media_id"],
            category=entry["category"],
            category_label=label,
            series=entry["series"],
            tags=entry["tags"],
            entry_json=entry["raw_json"],
            algorithm=hit.algorithm,
            matched_hash=_matched_hash(hit, entry),
            distance=hit.distance,
            threshold=self.settings.threshold(hit.algorithm),
            variant=hit.variant,
            created_at=now,
        )
