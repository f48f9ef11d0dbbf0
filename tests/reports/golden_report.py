"""A fixed report-data model (no case, no machine details) for the golden-file tests."""

from __future__ import annotations

from forensics.hashsets.calibration import rate_statement
from forensics.reports.model import (
    CaseSection,
    Count,
    CustodyEvent,
    CustodySummary,
    EvidenceSection,
    FindingRow,
    GeoPoint,
    HashCheck,
    HashSetUsed,
    Methodology,
    Person,
    ReportData,
    Scope,
    ToolVersion,
    VerificationRun,
)

MD5 = "39cb097008d17660abd0539891a672af"
SHA1 = "677bc4ec72665fabac0bc91cd4e423a535a0cae4"
SHA256 = "02a2a6af2f1ecf4720d7d49d640f0d0a269a7ec733e41973bdd34f09dad0e252"
HEAD = "ab" * 32


def golden_report() -> ReportData:
    """Every section filled, two findings (one exact, one perceptual), one GPS point; fixed clock."""
    exact = FindingRow(
        number=1,
        file_id=3,
        item="EXH-01",
        partition="ext2 @ 0",
        path="/passwords.txt",
        inode="14",
        size=116,
        mtime="2021-07-22T14:07:32Z",
        atime="2021-07-22T14:07:32Z",
        ctime="2021-07-22T14:07:32Z",
        crtime=None,
        md5=MD5,
        sha1=SHA1,
        sha256=SHA256,
        media="other",
        basis="exact MD5",
        algorithm="md5",
        distance=0,
        threshold=None,
        set_name="Alert list",
        set_version="2026.1",
        entry="record 1, MediaID 1",
        list_category=1,
        list_category_label="Child Abuse Material (CAM)",
        examiner_category=None,
        examiner_category_label=None,
        allocated=True,
        deleted=False,
    )
    perceptual = FindingRow(
        number=2,
        file_id=9,
        item="EXH-02",
        partition="logical folder",
        path="/DCIM/photo <1>.jpg",
        inode="77",
        size=2048,
        mtime="2020-01-01T00:00:00.5Z",
        atime=None,
        ctime=None,
        crtime="2019-12-31T23:00:00Z",
        md5="0" * 32,
        sha1="1" * 40,
        sha256="2" * 64,
        media="still",
        basis="perceptual PDQ, distance 12 (threshold 27); the file's rot90 variant; "
        "content region (photo) at x 70, y 120, 440 x 330 px",
        algorithm="pdq",
        distance=12,
        threshold=27,
        set_name="PDQ list",
        set_version=None,
        entry="record 7",
        list_category=2,
        list_category_label="Child Exploitive (Non-CAM) Age Difficult",
        examiner_category=1,
        examiner_category_label="Child Abuse Material (CAM)",
        allocated=False,
        deleted=True,
        parent_id=8,
        located="member DCIM/photo <1>.jpg of /DCIM/holiday.zip on logical folder",
    )
    verification = VerificationRun(
        started_at="2026-01-03T09:00:00Z",
        finished_at="2026-01-03T09:00:05Z",
        bytes_hashed=4194304,
        result="match",
        md5="196066add11fb71c4c49cf1bb50d6d24",
        sha1="4766c63c7acd5175015e3e8b90013a827e63f4ee",
        sha256="a6c2f0e39afe6c6ab432ca5465349fcefe8dc944398e97b2d957d3f89dbb5d80",
        checks=(
            HashCheck(
                "md5",
                "196066add11fb71c4c49cf1bb50d6d24",
                "ewf-stored",
                "196066add11fb71c4c49cf1bb50d6d24",
                True,
            ),
        ),
        segment_sha256=(("ext2.E01", "ab9ea9a4951b74c37025ba40a978e85b1e4a0d94438080afb636144170d3f35b"),),
        error=None,
    )
    return ReportData(
        report_id="2026-0042-R20261122T120000Z",
        generated_at="2026-11-22T12:00:00Z",
        generated_by="Jane Examiner",
        custos_version="0.1.0",
        case=CaseSection(
            "2026-0042", "Operation Test & Co", "Example Police", "2026-01-01T08:00:00Z", "Jane Examiner"
        ),
        examiners=[Person("Jane Examiner", "Examiner", "Example Police", "B-17", "cd" * 32)],
        reviewer=Person("Bob Reviewer", "Reviewer"),
        scope=Scope("Find known material", "Warrant 12/2026", None),
        evidence=[
            EvidenceSection(
                item="EXH-01",
                intake=(("Description", "USB stick"), ("Seal number(s)", "SEAL-0001")),
                image_files=("ext2.E01",),
                container="ewf",
                media_size=4194304,
                stored_md5="196066add11fb71c4c49cf1bb50d6d24",
                stored_sha1=None,
                acquisition_hashes=(),
                verifications=(verification,),
                file_systems=("ext2 at byte offset 0: ok, 7 items",),
                file_count=7,
                corrections=0,
            )
        ],
        tools=[
            ToolVersion("Custos", "0.1.0", "this tool"),
            ToolVersion("The Sleuth Kit", "4.15.0", "file systems"),
        ],
        hash_sets=[HashSetUsed("Alert list", "u1", "alert", "2026.1", "alert.json", "cd" * 32, 2, ("md5",))],
        methodology=Methodology(
            ingest_jobs=(
                {
                    "job": 1,
                    "item": "EXH-01",
                    "profile": "full",
                    "tasks": ["hash"],
                    "workers": 1,
                    "started_at": "2026-01-03T10:00:00Z",
                    "finished_at": "2026-01-03T10:01:00Z",
                    "status": "finished",
                    "items_done": 7,
                    "items_failed": 0,
                },
            ),
            match_runs=(
                {
                    "run": 1,
                    "started_at": "2026-01-03T11:00:00Z",
                    "finished_at": "2026-01-03T11:00:01Z",
                    "status": "finished",
                    "examiner": "Jane Examiner",
                    "sets": ["Alert list"],
                    "settings": {"dhash_threshold": "off", "pdq_threshold": 27, "phash_threshold": 9},
                    "rates": [
                        rate_statement("pdq", 27),
                        rate_statement("phash", 9),
                        "dHash: not compared (no dHash threshold was set)",
                    ],
                    "findings_added": 2,
                },
            ),
        ),
        findings=[exact, perceptual],
        counts_by_category=[Count("Child Abuse Material (CAM)", 1, 0, 1)],
        counts_by_set=[Count("Alert list", 0, 0, 1), Count("PDQ list", 1, 0, 0)],
        examiner_notes=["Examined on a verified working copy."],
        limitations=["Perceptual matches are candidates."],
        custody=CustodySummary(
            entries=2,
            head_hash=HEAD,
            by_action=(("case_created", 1), ("evidence_intake", 1)),
            events=(
                CustodyEvent(1, "2026-01-01T08:00:00Z", "Jane Examiner", "case_created", None, "ef" * 32),
                CustodyEvent(2, "2026-01-02T08:00:00Z", "Jane Examiner", "evidence_intake", "EXH-01", HEAD),
            ),
        ),
        custody_verification="verified: 2 entries, chain and signatures intact",
        geo=[
            GeoPoint(
                9,
                "EXH-02",
                "/DCIM/photo <1>.jpg",
                43.467448,
                11.885127,
                None,
                "2008-10-22T16:28:39",
                "0" * 32,
                "2" * 64,
            )
        ],
    )
