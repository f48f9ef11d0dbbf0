"""The canonical serialisation is exactly the one ``docs/custody.md`` writes down (its worked example)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from forensics.custody.canonical import canonical_bytes, entry_hash, record_dict

DOC = Path(__file__).resolve().parents[2] / "docs" / "custody.md"

# Written by hand from the rules of docs/custody.md section 3 (sorted keys, no spaces, minimal escapes).
EXPECTED_TEXT = (
    '{"action":"file_viewed","details":{"blurred":false,"reason":"review \\"A\\"\\n"},"examiner":"Zoë Smith",'
    '"item":"EXH-1","key_id":"' + "ab" * 32 + '","prev_hash":"' + "cd" * 32 + '","seq":7,'
    '"target":{"attr_id":1,"attr_type":128,"inode":14,"item":"EXH-1","partition_offset":1048576,'
    '"path":"/DCIM/IMG_0001.JPG"},"ts":"2026-11-22T15:48:52.123456Z","v":1}'
)


def example_record() -> dict:
    return record_dict(
        seq=7,
        ts="2026-11-22T15:48:52.123456Z",
        examiner="Zoë Smith",
        key_id="ab" * 32,
        action="file_viewed",
        item="EXH-1",
        target={
            "item": "EXH-1",
            "partition_offset": 1048576,
            "inode": 14,
            "attr_type": 128,
            "attr_id": 1,
            "path": "/DCIM/IMG_0001.JPG",
        },
        details={"reason": 'review "A"\n', "blurred": False},
        prev_hash="cd" * 32,
    )


def test_canonical_bytes_match_the_documented_rules() -> None:
    assert canonical_bytes(example_record()) == EXPECTED_TEXT.encode("utf-8")
    assert "ë".encode() == b"\xc3\xab" and b"\xc3\xab" in canonical_bytes(example_record())


def test_hash_is_sha256_of_those_bytes_and_is_in_the_docs() -> None:
    digest = hashlib.sha256(EXPECTED_TEXT.encode("utf-8")).hexdigest()
    assert entry_hash(example_record()) == digest
    doc = DOC.read_text(encoding="utf-8")
    assert EXPECTED_TEXT in doc and digest in doc


def test_control_characters_are_escaped_with_lowercase_hex() -> None:
    record = dict(example_record(), details={"x": "\x1f\t"})
    assert b'"details":{"x":"\\u001f\\t"}' in canonical_bytes(record)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), object()])
def test_values_that_are_not_plain_json_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        canonical_bytes(dict(example_record(), details={"x": bad}))


def test_text_that_is_not_valid_unicode_is_refused() -> None:
    with pytest.raises(ValueError):
        canonical_bytes(dict(example_record(), details={"path": "bad\udcff"}))
