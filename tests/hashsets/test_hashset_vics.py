"""VICS 1.3 and 2.0 files written from FORMATS.md §2 (hash sets and case exports), US and UK schemes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from forensics.core.categories import scheme_for
from forensics.hashsets.errors import HashSetError
from forensics.hashsets.formats.detect import detect_format
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry

# FORMATS.md §2.5, "2.0 hash set" example, verbatim.
VICS_20 = """{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media",
 "value":[
  {"MediaID":1,"Category":1,"MD5":"0F1E2D3C4B5A69788796A5B4C3D2E1F0",
   "SHA1":"00112233445566778899AABBCCDDEEFF00112233","MediaSize":48213,
   "DateUpdated":"2024-02-01T10:00:00.000Z","IsPrecategorized":"true",
   "VictimIdentified":"false","Series":"ExampleSeries"},
  {"MediaID":2,"Category":0,"MD5":"FFEEDDCCBBAA99887766554433221100"}]}"""

# FORMATS.md §2.5, "1.3 case export (abridged)" example, verbatim.
VICS_13_CASE = r"""{"odata.metadata":"http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
 "value":[{"CaseID":"{6F1C2A10-0000-4000-8000-000000000001}","CaseNumber":"2024-0042",
  "ContactOrganization":"Example PD","SourceApplicationName":"TriageApp","SourceApplicationVersion":"0.1",
  "Media":[{"MediaID":1,"Category":null,"MD5":"0F1E2D3C4B5A69788796A5B4C3D2E1F0","MediaSize":48213,
    "RelativeFilePath":"Media\\0F1E2D3C4B5A69788796A5B4C3D2E1F0.jpg",
    "MediaFiles":[{"MD5":"0F1E2D3C4B5A69788796A5B4C3D2E1F0","FileName":"img_001.jpg",
      "FilePath":"Partition 1\\Users\\x\\Pictures\\","Created":"2023-05-01T08:00:00.000Z",
      "Unallocated":false,"SourceID":"EXH-01"}]}]}]}"""


def vics_13_media(records: list[dict]) -> str:
    """A 1.3 #Media hash set (records carry PhotoDNA in AlternativeHashes, booleans as strings)."""
    return json.dumps(
        {"odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media", "value": records}
    )


def _entries(library: HashSetLibrary, set_id: int) -> list[HashEntry]:
    with library.session() as session:
        return list(
            session.scalars(select(HashEntry).where(HashEntry.set_id == set_id).order_by(HashEntry.id))
        )


def test_vics_20_hash_set_us_scheme(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "vics20.json"
    path.write_text(VICS_20)
    assert detect_format(path) == "vics"
    report = import_hash_set(library, path, ImportOptions(name="US set"))
    assert report.set.version == "2.0" and report.set.region == "US" and report.set.kind == "alert"
    first, second = _entries(library, report.set.id)
    assert first.md5.hex() == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert first.sha1.hex() == "00112233445566778899aabbccddeeff00112233"
    assert (first.media_id, first.category, first.series, first.size) == ("1", 1, "ExampleSeries", 48213)
    raw = json.loads(first.raw_json)
    assert raw["VictimIdentified"] == "false" and raw["IsPrecategorized"] == "true"
    # US: 1 is CAM (alert); 0 is Non-Pertinent, which marks files known rather than alerting.
    assert first.kind == "alert" and second.kind == "known"
    us = scheme_for("US")
    assert us.label(1) == "Child Abuse Material (CAM)" and us.label(0) == "Non-Pertinent"
    assert us.label(None) == "Uncategorised" and us.label(8) == "unmapped category 8"


def test_vics_13_case_export_reads_media_inside_cases(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "case13.json"
    path.write_text(VICS_13_CASE)
    assert detect_format(path) == "vics"
    report = import_hash_set(library, path, ImportOptions())
    (entry,) = _entries(library, report.set.id)
    assert entry.md5.hex() == "0f1e2d3c4b5a69788796a5b4c3d2e1f0" and entry.category is None
    assert entry.file_name == "img_001.jpg" and report.set.version == "1.3"


def test_vics_13_uk_scheme_and_opaque_photodna(library: HashSetLibrary, tmp_path: Path) -> None:
    photodna = "A" * 192
    records = [
        {
            "MediaID": 10,
            "Category": 1,
            "MD5": "00" * 16,
            "SHA1": "11" * 20,
            "Tags": "tag1,tag2",
            "OffenderIdentified": "true",
            "IsDistributed": True,
            "AlternativeHashes": [
                {"HashName": "PhotoDNA", "HashValue": photodna},
                {"HashName": "SHA256", "HashValue": "AB" * 32},
            ],
        },
        {"MediaID": 11, "Category": 4, "MD5": "22" * 16},
        {"MediaID": 12, "MD5": "33" * 16},
    ]
    path = tmp_path / "uk.json"
    path.write_text(vics_13_media(records))
    report = import_hash_set(library, path, ImportOptions(name="UK set", region="uk"))
    assert report.set.region == "UK"
    a, non_indecent, uncategorised = _entries(library, report.set.id)
    assert a.sha256.hex() == "ab" * 32 and a.tags == "tag1,tag2"
    assert json.loads(a.raw_json)["AlternativeHashes"][0]["HashValue"] == photodna
    uk = scheme_for("UK")
    assert uk.label(a.category) == "Category A" and a.kind == "alert"
    assert uk.label(non_indecent.category) == "Non-indecent / not relevant" and non_indecent.kind == "known"
    assert uncategorised.category is None and uncategorised.kind is None  # set kind applies


def test_unknown_region_is_refused(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "vics20.json"
    path.write_text(VICS_20)
    with pytest.raises(HashSetError, match="unknown category region 'Mars'"):
        import_hash_set(library, path, ImportOptions(region="Mars"))


def test_json_that_is_not_vics_is_refused(library: HashSetLibrary, tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"hashes": ["00"]}')
    with pytest.raises(HashSetError, match="not VICS"):
        import_hash_set(library, path, ImportOptions())


def test_a_lab_can_use_its_own_category_table(
    library: HashSetLibrary, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "lab.toml"
    table.write_text(
        '[schemes.LAB]\ndescription = "lab"\nsource = "lab"\nconfirmed = true\nuncategorised = "none"\n'
        '[[schemes.LAB.categories]]\nnumber = 1\nlabel = "Lab grade one"\nkind = "informational"\n'
    )
    monkeypatch.setenv("CUSTOS_CATEGORY_TABLE", str(table))
    path = tmp_path / "vics20.json"
    path.write_text(VICS_20)
    report = import_hash_set(library, path, ImportOptions(region="LAB"))
    first, _ = _entries(library, report.set.id)
    assert scheme_for("LAB").label(1) == "Lab grade one" and first.kind == "informational"
