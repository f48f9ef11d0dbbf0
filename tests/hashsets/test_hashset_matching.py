"""Exact matching: findings with provenance for alert sets, known marks for known sets, idempotent re-runs,
new sets picked up without re-ingest, findings readable after their set is removed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hashset_case import CaseBuilder
from sqlalchemy import select

from forensics.case.models_findings import FileKnown, Finding, MatchRun
from forensics.hashsets.exact import lookup_exact
from forensics.hashsets.findings import iter_findings, known_file_ids
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.matching import MatchSettings, match_case

# The engine on both case stores (tests/backends.py).
pytestmark = pytest.mark.usefixtures("case_backend")

DATA = Path(__file__).resolve().parents[1] / "data"
ALERT_DATA, NONPERTINENT_DATA, OTHER_DATA, NEW_DATA = (
    b"alert image",
    b"boring image",
    b"unlisted",
    b"listed later",
)
# Published in the corpus EXPECTED.md for NSRL-CAID-MOV.json (first record).
CAID_MOV_MD5 = "17ade15fb16ab1613091e2f2e85dd0dc"


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _vics_set(tmp_path: Path) -> Path:
    records = [
        {
            "MediaID": 501,
            "Category": 1,
            "MD5": _md5(ALERT_DATA).upper(),
            "SHA1": hashlib.sha1(ALERT_DATA).hexdigest().upper(),
            "Series": "Series S",
            "Tags": "t1",
            "VictimIdentified": "true",
        },
        {"MediaID": 502, "Category": 0, "MD5": _md5(NONPERTINENT_DATA)},
    ]
    path = tmp_path / "agency_vics_2024.json"
    path.write_text(
        json.dumps(
            {
                "@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/"
                "Default/$metadata#Media",
                "value": records,
            }
        )
    )
    return path


def _findings(case: CaseBuilder) -> list[Finding]:
    with case.db.session() as session:
        return list(session.scalars(select(Finding).order_by(Finding.id)))


def test_exact_matching_with_provenance(library: HashSetLibrary, case: CaseBuilder, tmp_path: Path) -> None:
    vics_path = _vics_set(tmp_path)
    vics = import_hash_set(library, vics_path, ImportOptions(name="Agency VICS", version="2024-06")).set
    caid = import_hash_set(
        library, DATA / "NSRL-CAID-to-UCO-Converter" / "NSRL-CAID-MOV.json", ImportOptions()
    ).set
    alert_id = case.add_file("/Users/x/Pictures/a.jpg", ALERT_DATA)
    copy_id = case.add_file("/Users/x/Downloads/copy.jpg", ALERT_DATA)
    boring_id = case.add_file("/Users/x/Pictures/b.jpg", NONPERTINENT_DATA)
    caid_id = case.add_file("/Apps/black-video-480-360.mov", md5=CAID_MOV_MD5)
    case.add_file("/Users/x/other.txt", OTHER_DATA)

    summary = match_case(case.db, library, examiner="Examiner One")
    findings = _findings(case)
    # The alert file and its copy, each by MD5 and by SHA-1.
    assert sorted((f.file_id, f.algorithm) for f in findings) == sorted(
        [(alert_id, "md5"), (alert_id, "sha1"), (copy_id, "md5"), (copy_id, "sha1")]
    )
    finding = next(f for f in findings if f.file_id == alert_id and f.algorithm == "md5")
    assert (finding.set_name, finding.set_version, finding.set_kind, finding.kind) == (
        "Agency VICS",
        "2024-06",
        "alert",
        "alert",
    )
    assert finding.set_source_name == vics_path.name
    assert finding.set_source_sha256 == hashlib.sha256(vics_path.read_bytes()).hexdigest()
    assert (finding.media_id, finding.category, finding.category_label, finding.series, finding.tags) == (
        "501",
        1,
        "Child Abuse Material (CAM)",
        "Series S",
        "t1",
    )
    assert json.loads(finding.entry_json)["VictimIdentified"] == "true"
    assert (finding.matched_hash, finding.distance, finding.threshold) == (_md5(ALERT_DATA), 0, None)
    # US category 0 and the NIST CAID (known) set mark files known instead.
    assert known_file_ids(case.db) == {boring_id, caid_id}
    with case.db.session() as session:
        caid_mark = session.scalars(select(FileKnown).where(FileKnown.file_id == caid_id)).one()
        run = session.get(MatchRun, summary.run_id)
    assert caid_mark.set_name == "NSRL-CAID-MOV" and caid_mark.set_source_sha256 == caid.source_sha256
    assert run.status == "finished" and run.examiner == "Examiner One" and run.findings_added == 4
    usage = {u.info.name: u for u in summary.sets}
    assert (usage["Agency VICS"].findings, usage["Agency VICS"].known, usage["NSRL-CAID-MOV"].known) == (
        4,
        1,
        1,
    )
    details = usage["Agency VICS"].custody_details(MatchSettings())
    assert details == {
        "name": "Agency VICS",
        "version": "2024-06",
        "source_sha256": vics.source_sha256,
        "kind": "alert",
        "entries": 2,
        "algorithms": ["md5", "sha1"],
        "thresholds": {},
    }


def test_rerun_is_idempotent_and_picks_up_new_sets(
    library: HashSetLibrary, case: CaseBuilder, tmp_path: Path
) -> None:
    import_hash_set(library, _vics_set(tmp_path), ImportOptions(name="Agency VICS"))
    case.add_file("/a.jpg", ALERT_DATA)
    new_id = case.add_file("/new.jpg", NEW_DATA)
    first = match_case(case.db, library)
    second = match_case(case.db, library)
    assert first.findings_added == 2 and second.findings_added == 0 and second.known_added == 0
    later = tmp_path / "later.txt"
    later.write_text(_md5(NEW_DATA) + "\n")
    import_hash_set(library, later, ImportOptions(name="Later list"))
    third = match_case(case.db, library)
    assert third.findings_added == 1
    assert [f.file_id for f in _findings(case) if f.set_name == "Later list"] == [new_id]
    only_named = match_case(case.db, library, set_names=["Later list"])
    assert [u.info.name for u in only_named.sets] == ["Later list"] and only_named.findings_added == 0


def test_findings_survive_set_removal_and_export_in_order(
    library: HashSetLibrary, case: CaseBuilder, tmp_path: Path
) -> None:
    import_hash_set(library, _vics_set(tmp_path), ImportOptions(name="Agency VICS"))
    case.add_file("/z/last.jpg", ALERT_DATA, inode=77)
    case.add_file("/a/first.jpg", ALERT_DATA, inode=12)
    match_case(case.db, library)
    library.remove("Agency VICS")
    assert library.sets() == []
    objects = list(iter_findings(case.db))
    assert [(o["path"], o["algorithm"]) for o in objects] == [
        ("/a/first.jpg", "md5"),
        ("/a/first.jpg", "sha1"),
        ("/z/last.jpg", "md5"),
        ("/z/last.jpg", "sha1"),
    ]
    first = objects[0]
    assert (
        first["item"],
        first["partition_offset"],
        first["inode"],
        first["attr_type"],
        first["attr_id"],
    ) == ("EXH-01", 32256, 12, 128, 0)
    assert first["md5"] == _md5(ALERT_DATA) and first["sha256"] == hashlib.sha256(ALERT_DATA).hexdigest()
    assert first["set"]["name"] == "Agency VICS" and first["entry"]["media_id"] == "501"
    assert first["entry"]["raw"]["Series"] == "Series S"


def test_exact_lookup_filters_sets_and_uses_the_hash_index(library: HashSetLibrary, tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.txt").write_text(_md5(ALERT_DATA) + "\n")
        import_hash_set(library, tmp_path / f"{name}.txt", ImportOptions(name=name))
    one, two = library.get("one"), library.get("two")
    digest = bytes.fromhex(_md5(ALERT_DATA))
    assert len(lookup_exact(library, "md5", [digest], [one.id, two.id])) == 2
    ((entry_id, found),) = lookup_exact(library, "md5", [digest], [two.id])
    assert found == digest
    with library.engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # a planner that sees two rows would scan them
            connection.exec_driver_sql("SET enable_seqscan = off")
            explain = "EXPLAIN SELECT id, set_id, md5 FROM hash_entries WHERE md5 IN (%s)"
        else:
            explain = "EXPLAIN QUERY PLAN SELECT id, set_id, md5 FROM hash_entries WHERE md5 IN (?)"
        plan = connection.exec_driver_sql(explain, (digest,)).all()
    assert "ix_hash_entries_md5" in str(plan)
