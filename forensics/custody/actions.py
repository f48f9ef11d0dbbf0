"""The custody log's action names (stored verbatim in every entry; never rename one)."""

from __future__ import annotations

CASE_CREATED = "case_created"
CASE_OPENED = "case_opened"
CASE_CLOSED = "case_closed"
EXAMINER_ADDED = "examiner_added"
EXAMINER_REMOVED = "examiner_removed"
EVIDENCE_INTAKE = "evidence_intake"
INTAKE_CORRECTED = "intake_corrected"
ACQUISITION_VERIFIED = "acquisition_verified"
INGEST_STARTED = "ingest_started"
INGEST_FINISHED = "ingest_finished"
INGEST_CANCELLED = "ingest_cancelled"
INGEST_RESUMED = "ingest_resumed"
HASHSET_USED = "hashset_used"
FILE_VIEWED = "file_viewed"
FILE_REVEALED = "file_revealed"
FILE_CATEGORISED = "file_categorised"
FILE_TAGGED = "file_tagged"
FILE_NOTED = "file_noted"
FILE_EXPORTED = "file_exported"
REPORT_GENERATED = "report_generated"
CUSTODY_TRANSFER = "custody_transfer"
CASE_REGION_CHANGED = "case_region_changed"
RESULTS_SEALED = "results_sealed"
CASE_KEY_CREATED = "case_key_created"
NOTE = "note"
# A password opened an encrypted phone extraction (at intake or for an ingest): never the secret itself.
EXTRACTION_DECRYPTED = "extraction_decrypted"
# The WhatsApp databases of an evidence item were read and their media messages linked to the case.
WHATSAPP_PROVENANCE_READ = "whatsapp_provenance_read"
# The source time zone of an evidence item was set or changed (old and new IANA name; null = unknown).
TIME_ZONE_SET = "time_zone_set"
# An archive was re-run with the examiner's password (members opened, still closed): never the password.
ARCHIVE_UNLOCKED = "archive_unlocked"

ALL_ACTIONS: frozenset[str] = frozenset(
    {
        CASE_CREATED,
        CASE_OPENED,
        CASE_CLOSED,
        EXAMINER_ADDED,
        EXAMINER_REMOVED,
        EVIDENCE_INTAKE,
        INTAKE_CORRECTED,
        ACQUISITION_VERIFIED,
        INGEST_STARTED,
        INGEST_FINISHED,
        INGEST_CANCELLED,
        INGEST_RESUMED,
        HASHSET_USED,
        FILE_VIEWED,
        FILE_REVEALED,
        FILE_CATEGORISED,
        FILE_TAGGED,
        FILE_NOTED,
        FILE_EXPORTED,
        REPORT_GENERATED,
        CUSTODY_TRANSFER,
        CASE_REGION_CHANGED,
        RESULTS_SEALED,
        CASE_KEY_CREATED,
        NOTE,
        EXTRACTION_DECRYPTED,
        WHATSAPP_PROVENANCE_READ,
        TIME_ZONE_SET,
        ARCHIVE_UNLOCKED,
    }
)

# Membership changes go through forensics.custody.membership, never through a plain append.
MEMBERSHIP_ACTIONS: frozenset[str] = frozenset({EXAMINER_ADDED, EXAMINER_REMOVED})
