"""Each service leaves exactly its custody entries (action, item, target) and nothing else.

The services are the only way the front ends record actions; these tests pin what each one signs.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from forensics.core.errors import CaseError, EvidenceError
from forensics.core.progress import CancelToken
from forensics.custody.examiners import create_examiner
from forensics.custody.log import read_entries
from forensics.custody.verify import verify_case
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.pipeline.processing_profiles import load_profile
from forensics.reports.collect import ReportOptions
from forensics.services import cases, custody, evidence, ingest, matching, reports, review
from forensics.services.context import CaseContext, open_case
from tests.data.expected import SLEUTHKIT_IMAGE_DD, SLEUTHKIT_IMAGE_E01
from tests.fixtures import assert_unchanged

# The engine on both case stores (tests/backends.py).
pytestmark = pytest.mark.usefixtures("case_backend")

ALICE, BOB = "Alice Services", "Bob Services"
PASSPHRASE = "service passphrase"
NOW = "2026-03-04T05:06:07Z"


@pytest.fixture
def ctx(tmp_path: Path):
    create_examiner(ALICE, "Lab", "A-1", PASSPHRASE)
    context = cases.create_case(
        tmp_path / "case", number="S-1", title="services", agency=None, examiner=ALICE, passphrase=PASSPHRASE
    )
    yield context
    context.close()


def _entries(ctx: CaseContext, *, seals: bool = False) -> list[tuple[str, str | None]]:
    """Actions and items in order; the results seals only when asked (tests of their own below)."""
    return [(e.action, e.item) for e in read_entries(ctx.db) if seals or e.action != "results_sealed"]


def _new(ctx: CaseContext, before: int) -> list[tuple[str, str | None]]:
    """Entries appended since the log held ``before`` of them."""
    return _entries(ctx)[before:]


def _image(tmp_path: Path) -> Path:
    image = tmp_path / "image.dd"
    shutil.copyfile(SLEUTHKIT_IMAGE_DD.path, image)
    return image


def _with_evidence(ctx: CaseContext, tmp_path: Path, item: str = "EXH-1") -> Path:
    image = _image(tmp_path)
    evidence.add_evidence(ctx, image, item, {"seal_number": "S-1"})
    return image


def test_create_case_registers_the_founder_then_the_case(ctx):
    assert _entries(ctx) == [("examiner_added", None), ("case_key_created", None), ("case_created", None)]
    assert verify_case(ctx.case_dir).ok


def test_opening_and_closing_in_a_front_end_and_the_region(ctx):
    before = len(_entries(ctx))
    cases.record_opened(ctx, via="gui")
    assert cases.set_region(ctx, "uk") == "UK"
    assert cases.set_region(ctx, "UK") == "UK"  # no change: no entry
    cases.record_closed(ctx, via="gui")
    assert _new(ctx, before) == [("case_opened", None), ("case_region_changed", None), ("case_closed", None)]


def test_add_evidence_signs_one_intake_with_the_survey(ctx, tmp_path):
    image = _image(tmp_path)
    before = len(_entries(ctx))
    with assert_unchanged([image]):
        result = evidence.add_evidence(ctx, image, "EXH-1", {"seal_number": "S-1", "seized_at": "2026-01-01"})
    assert _new(ctx, before) == [("evidence_intake", "EXH-1")]
    entry = list(read_entries(ctx.db))[-1]
    assert entry.details["seal_number"] == "S-1" and entry.details["seized_at"] == "2026-01-01T00:00:00Z"
    assert entry.details["image"]["container"] == result.survey.container == "raw"
    with pytest.raises(CaseError, match="already exists"):
        evidence.add_evidence(ctx, image, "EXH-1", {})
    assert _new(ctx, before) == [("evidence_intake", "EXH-1")]


def test_bad_intake_values_are_refused_before_anything_is_recorded(ctx, tmp_path):
    before = len(_entries(ctx))
    with pytest.raises(Exception, match="not an ISO-8601"):
        evidence.add_evidence(ctx, _image(tmp_path), "EXH-1", {"seized_at": "yesterday"})
    with pytest.raises(Exception, match="expected 32 hex digits"):
        evidence.add_evidence(ctx, _image(tmp_path), "EXH-1", {"acquisition_md5": "abc"})
    assert _new(ctx, before) == []


def test_verification_signs_its_result_and_a_failed_read_too(ctx, tmp_path):
    image = _with_evidence(ctx, tmp_path)
    before = len(_entries(ctx))
    # image.dd holds the media of the published image.E01
    result = evidence.verify_evidence(ctx, "EXH-1", {"md5": SLEUTHKIT_IMAGE_E01.media_md5})
    assert result.result == "match" and result.digests.md5 == SLEUTHKIT_IMAGE_E01.media_md5
    assert _new(ctx, before) == [("acquisition_verified", "EXH-1")]
    image.unlink()  # the media is gone: the read error is a result of its own
    with pytest.raises(EvidenceError):
        evidence.verify_evidence(ctx, "EXH-1")
    details = list(read_entries(ctx.db, action="acquisition_verified"))[-1].details
    assert _new(ctx, before) == [("acquisition_verified", "EXH-1")] * 2 and details["result"] == "error"


def test_ingest_signs_start_and_end_and_a_cancel_then_a_resume(ctx, tmp_path):
    _with_evidence(ctx, tmp_path)
    profile = load_profile("hashes")
    before = len(_entries(ctx))
    cancel = CancelToken()
    cancel.cancel()
    first = ingest.ingest_item(ctx, "EXH-1", profile, 1, cancel=cancel)
    assert first.outcome.status == "cancelled"
    second = ingest.ingest_item(ctx, "EXH-1", profile, 1)
    assert second.outcome.status == "finished" and second.match is None
    assert _new(ctx, before) == [
        ("ingest_started", "EXH-1"),
        ("ingest_cancelled", "EXH-1"),
        ("ingest_resumed", "EXH-1"),
        ("ingest_finished", "EXH-1"),
    ]
    assert ingest.items_to_ingest(ctx) == ["EXH-1"]
    with pytest.raises(CaseError, match="no evidence item"):
        ingest.items_to_ingest(ctx, "EXH-9")


def test_matching_signs_each_set_used(ctx, tmp_path):
    _with_evidence(ctx, tmp_path)
    ingest.ingest_item(ctx, "EXH-1", load_profile("hashes"), 1)
    listed = tmp_path / "list.txt"
    listed.write_text(
        SLEUTHKIT_IMAGE_E01.media_md5 + "\nd41d8cd98f00b204e9800998ecf8427e\n", encoding="ascii"
    )
    library = tmp_path / "library.db"
    with HashSetLibrary(library) as lib:
        import_hash_set(lib, listed, ImportOptions(name="one", kind="alert", format="plain"))
        import_hash_set(lib, listed, ImportOptions(name="two", kind="known", format="plain"))
    before = len(_entries(ctx))
    summary = matching.match(ctx, str(library))
    assert [u.info.name for u in summary.sets] == ["one", "two"]
    assert _new(ctx, before) == [("hashset_used", None), ("hashset_used", None)]


def test_a_matching_profile_matches_before_the_job_ends(ctx, tmp_path):
    _with_evidence(ctx, tmp_path)
    listed = tmp_path / "list.txt"
    listed.write_text("d41d8cd98f00b204e9800998ecf8427e\n", encoding="ascii")
    library = tmp_path / "library.db"
    with HashSetLibrary(library) as lib:
        import_hash_set(lib, listed, ImportOptions(name="empty-file", kind="alert", format="plain"))
    before = len(_entries(ctx))
    result = ingest.ingest_item(ctx, "EXH-1", load_profile("triage"), 1, library=str(library))
    assert result.match is not None
    assert _new(ctx, before) == [
        ("ingest_started", "EXH-1"),
        ("hashset_used", None),
        ("ingest_finished", "EXH-1"),
    ]


def test_reports_and_exports_sign_every_file_written(ctx, tmp_path):
    before = len(_entries(ctx))
    out = tmp_path / "out"
    written = reports.write_report(ctx, {"html": out / "r.html"}, ReportOptions(), NOW)
    exported = reports.write_export(ctx, "csv", out / "csv", NOW)
    assert [o.format for o in written] == ["html"] and [o.format for o in exported] == [
        "csv-files",
        "csv-findings",
    ]
    assert _new(ctx, before) == [("report_generated", None), ("report_generated", None)]
    kinds = [e.details["kind"] for e in list(read_entries(ctx.db, action="report_generated"))]
    assert kinds == ["report", "export"]


def test_review_writes_sign_one_entry_per_file_with_its_locator(ctx, tmp_path):
    _with_evidence(ctx, tmp_path)
    ingest.ingest_item(ctx, "EXH-1", load_profile("hashes"), 1)
    from forensics.case.queries.file_table import FileFilter, file_ids

    ids = file_ids(ctx.db, FileFilter(files_only=True))[:2]
    before = len(_entries(ctx))
    assert review.categorise(ctx, ids, 1, "US") == 2
    assert review.tag(ctx, ids[:1], "beach") == 1
    assert review.tag(ctx, ids[:1], "beach") == 0  # already tagged: nothing recorded
    assert review.note(ctx, ids[1:], "look again") == 1
    review.record_reveal(ctx, ids[0])
    review.record_view(ctx, ids[0], view="hex")
    new = [e for e in read_entries(ctx.db) if e.action != "results_sealed"][before:]
    assert [(e.action, e.item) for e in new] == [
        ("file_categorised", "EXH-1"),
        ("file_categorised", "EXH-1"),
        ("file_tagged", "EXH-1"),
        ("file_noted", "EXH-1"),
        ("file_revealed", "EXH-1"),
        ("file_viewed", "EXH-1"),
    ]
    assert all(e.target and e.target["item"] == "EXH-1" and e.target["path"] for e in new)


def test_hand_made_custody_events(ctx, tmp_path):
    _with_evidence(ctx, tmp_path)
    bob = create_examiner(BOB, "Lab", "B-2", PASSPHRASE)
    before = len(_entries(ctx))
    custody.add_note(ctx, "seal intact", "EXH-1")
    custody.record_transfer(ctx, "EXH-1", from_person="A", to_person="B", reason="lab", seal_checked=True)
    custody.correct_intake(ctx, "EXH-1", "seal_number", "S-2", "typo")
    custody.add_examiner(ctx, bob.public_record(), "peer review")
    custody.remove_examiner(ctx, BOB, "done")
    with pytest.raises(CaseError):
        custody.add_note(ctx, "   ")
    assert _new(ctx, before) == [
        ("note", "EXH-1"),
        ("custody_transfer", "EXH-1"),
        ("intake_corrected", "EXH-1"),
        ("examiner_added", None),
        ("examiner_removed", None),
    ]
    assert verify_case(ctx.case_dir).ok


def test_a_read_only_context_signs_nothing(ctx, tmp_path):
    with pytest.raises(Exception, match="passphrase is needed"):
        open_case(ctx.case_dir, ALICE, write=False)  # reading needs the examiner's key too
    reader = open_case(ctx.case_dir, ALICE, write=False, passphrase=PASSPHRASE)
    try:
        assert not reader.writable
        with pytest.raises(Exception, match="read-only"):
            custody.add_note(reader, "should not be signed")
    finally:
        reader.close()


def test_the_passphrase_is_asked_only_after_the_membership_check(ctx, tmp_path):
    create_examiner(BOB, "Lab", "B-2", PASSPHRASE)
    asked: list[str] = []
    with pytest.raises(Exception, match="not on this case"):
        open_case(ctx.case_dir, BOB, write=True, passphrase=lambda name: asked.append(name) or PASSPHRASE)
    assert asked == []
    opened = open_case(
        ctx.case_dir, ALICE, write=True, passphrase=lambda name: asked.append(name) or PASSPHRASE
    )
    opened.close()
    assert asked == [ALICE]


def test_an_encrypted_extraction_signs_its_decryption_never_the_password(ctx, tmp_path):
    from forensics.evidence.extractions.errors import WrongPassword
    from forensics.services import provenance
    from tests.phones_helpers import phones

    folder, facts = phones()
    password = facts["adb"]["password"]
    backup = folder / "adb_encrypted.ab"
    before = len(_entries(ctx))
    with pytest.raises(WrongPassword):
        evidence.add_evidence(ctx, backup, "AB", {}, password="wrong")
    assert _new(ctx, before) == []
    with assert_unchanged([backup]):
        evidence.add_evidence(ctx, backup, "AB", {}, password=password)
        with pytest.raises(WrongPassword):
            ingest.ingest_item(ctx, "AB", load_profile("hashes"), 1, password="wrong")
        result = ingest.ingest_item(ctx, "AB", load_profile("triage"), 1, password=password)
    assert result.provenance is not None and result.provenance.sources[0].media_messages == 7
    provenance.read_provenance(ctx, "AB", password=password)  # on its own: unlocks again
    assert _new(ctx, before) == [
        ("evidence_intake", "AB"),
        ("extraction_decrypted", "AB"),  # the password checked at intake
        ("extraction_decrypted", "AB"),  # unlocked for the ingest (the wrong password left nothing)
        ("ingest_started", "AB"),
        ("whatsapp_provenance_read", "AB"),  # the triage profile reads WhatsApp (no hash set to match)
        ("ingest_finished", "AB"),
        ("extraction_decrypted", "AB"),
        ("whatsapp_provenance_read", "AB"),
    ]
    entries = list(read_entries(ctx.db))
    assert not any(password in json.dumps(e.details) for e in entries)
    if not ctx.db.is_postgres:  # on a server, the database's files are not the examiner's to read
        assert password.encode() not in (ctx.case_dir / "case.db").read_bytes()
    assert verify_case(ctx.case_dir).ok
