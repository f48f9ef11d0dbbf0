"""Section titles of the report (shared by the PDF and HTML renderers and checked by the tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forensics.reports.model import FindingRow

SECTIONS: tuple[tuple[str, str], ...] = (
    ("case", "1. Case and agency"),
    ("examiners", "2. Examiners and reviewer"),
    ("scope", "3. Scope and authority"),
    ("evidence", "4. Evidence items"),
    ("acquisition", "5. Acquisition and verification hashes"),
    ("tools", "6. Tools and versions"),
    ("hashsets", "7. Hash sets used"),
    ("methodology", "8. Methodology"),
    ("findings", "9. Findings"),
    ("notes", "10. Examiner notes"),
    ("limitations", "11. Limitations"),
    ("custody", "12. Chain of custody"),
    ("signature", "13. Signature"),
)
ANNEX_TITLE = "Annex A. Restricted image annex"
TITLE = "Forensic Examination Report"
MARKING = "OFFICIAL-SENSITIVE"
DECLARATION = (
    "I declare that this report is true to the best of my knowledge and belief, that the examination was "
    "carried out on working copies with the original evidence kept unchanged, and that every action is "
    "recorded in the case's custody log whose head hash is given above."
)
MESSAGE_FINDINGS_NOTE = (
    "WhatsApp stores the SHA-256 of each media file it sent or received. No item of the case holds these "
    "files (deleted, or never kept), but the hash a message stores matched a hash-set entry: the message "
    "shows that such a file was sent or received on the phone."
)
NO_IMAGES_NOTE = (
    "No image of any file is reproduced in the body of this report. Files are identified by evidence "
    "item, path and hash values."
)

CALIBRATION_NOTE = (
    "Perceptual matches are leads for review, never identification. Each perceptual threshold in force is "
    "stated below with the false-match rate measured for it: how many pairs of unrelated real photos came "
    "within that distance, compared as the match run compared them (whole pictures, content regions, turned "
    "and flipped variants, the crops of lists built by Custos). A count of none is not a rate of zero."
)


def title(key: str) -> str:
    """The numbered title of a section by its key."""
    return dict(SECTIONS)[key]


def yes_no(value: bool | None) -> str:
    """``yes``/``no``/``-`` for a flag."""
    return "-" if value is None else ("yes" if value else "no")


def check_verdict(match: bool | None) -> str:
    """Words for a hash comparison outcome."""
    return {True: "MATCH", False: "MISMATCH", None: "not compared"}[match]


def damaged_chunk_line(first_sector: int, count: int) -> str:
    """Words for a damaged EWF chunk range met by a verification (hashed as zeros, like ``ewfverify``)."""
    return (
        f"Damaged EWF chunk: sectors {first_sector}-{first_sector + count - 1} failed their checksum or "
        "could not be inflated and were hashed as zeros"
    )


def dash(value: object) -> str:
    """A value as text, ``-`` when absent."""
    return "-" if value is None or value == "" else str(value)


def media_length(row: FindingRow) -> str:
    """``, 20.5 s long`` for a video (its length beside its size), empty for other files."""
    return f", {row.duration_s:.1f} s long" if row.duration_s is not None else ""
