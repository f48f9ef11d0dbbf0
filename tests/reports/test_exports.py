"""Interchange exports through ``custos export``: CASE/UCO validates, DFXML matches the listing and fiwalk,
VICS re-imports with its categories, KML/GeoJSON carry the published coordinates, CSV lists every file."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from report_case import GPS_PHOTOS, NOW, run
from report_helpers import report_events, sha256_file
from sqlalchemy import select

from forensics.case.db import CaseDatabase
from forensics.case.queries.files import iter_file_records
from forensics.hashsets.importer import ImportOptions, import_hash_set
from forensics.hashsets.library import HashSetLibrary
from forensics.hashsets.models import HashEntry
from tests.data.expected import PASSWORDS_MD5

DFXML_NS = {"d": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"}
KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


def _export(case_dir: Path, flag: str, target: Path) -> Path:
    run("export", str(case_dir), flag, str(target), "--now", NOW)
    return target


def _listing(case_dir: Path) -> list[dict]:
    db = CaseDatabase(case_dir)
    try:
        with db.session() as s:
            return list(iter_file_records(s))
    finally:
        db.close()


def _case_validate() -> str:
    """The ``case_validate`` of the interpreter running the tests (case-utils is a dev dependency)."""
    beside = Path(sys.executable).parent / "case_validate"
    return str(beside) if beside.exists() else "case_validate"


def test_case_uco_passes_case_validate(case, tmp_path):
    graph_file = _export(case.case_dir, "--case-uco", tmp_path / "case.jsonld")
    result = subprocess.run(
        [_case_validate(), "--built-version", "case-1.4.0", str(graph_file)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Conforms: True" in result.stdout
    nodes = json.loads(graph_file.read_text())["@graph"]
    actions = sorted(
        n["uco-core:name"] for n in nodes if n["@type"] == "case-investigation:InvestigativeAction"
    )
    # evidence add verified each item; one item was verified once more
    assert actions == ["acquired", "acquired", "ingested", "ingested", "matched", "verified", "verified"]
    hashes = {
        h["uco-types:hashValue"]["@value"]
        for n in nodes
        for f in n.get("uco-core:hasFacet", [])
        for h in f.get("uco-observable:hash", [])
    }
    assert PASSWORDS_MD5 in hashes and case.photo_md5["DSCN0010.jpg"] in hashes


def test_dfxml_is_well_formed_and_matches_the_listing(case, tmp_path):
    root = ET.parse(_export(case.case_dir, "--dfxml", tmp_path / "files.xml")).getroot()
    assert root.get("version") == "1.2.0"
    assert root.find("d:creator/d:program", DFXML_NS).text == "Custos"
    assert [e.text for e in root.findall("d:source/d:image_filename", DFXML_NS)] == ["ext2.E01", "photos"]
    objects = root.findall("d:volume/d:fileobject", DFXML_NS)
    listing = _listing(case.case_dir)
    assert len(objects) == len(listing)
    for obj, record in zip(objects, listing, strict=True):
        assert int(obj.find("d:id", DFXML_NS).text) == record["id"]
        assert obj.find("d:filename", DFXML_NS).text == record["path"].lstrip("/")
        digests = {h.get("type"): h.text for h in obj.findall("d:hashdigest", DFXML_NS)}
        expected = {k: record[k] for k in ("md5", "sha1", "sha256") if record[k]}
        assert digests == expected


@pytest.fixture(scope="module")
def sleuthkit_case(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """sleuthkit's image.dd in a case of its own (hashes only), for comparison with fiwalk's DFXML."""
    from report_case import EXAMINER, PASSPHRASE

    root = tmp_path_factory.mktemp("tsk-case")
    env = {"CUSTOS_HOME": str(root / "home"), "CUSTOS_PASSPHRASE": PASSPHRASE, "CUSTOS_EXAMINER": EXAMINER}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        image = Path(__file__).resolve().parents[1] / "data" / "sleuthkit" / "image.dd"
        run("examiner", "create", EXAMINER, "--agency", "Lab", "--badge", "1")
        run("case", "create", str(root / "case"), "--number", "TSK-1", "--title", "fiwalk comparison")
        run("evidence", "add", str(root / "case"), str(image), "--item", "TSK-1")
        run("ingest", str(root / "case"), "--profile", "hashes", "--workers", "1")
    return root / "case", env


def _fiwalk_files() -> dict[str, dict]:
    """Allocated regular files of fiwalk's DFXML of image.dd (shipped with The Sleuth Kit)."""
    path = Path(__file__).resolve().parents[1] / "data" / "sleuthkit" / "image_dd.xml"
    files = {}
    for obj in ET.parse(path).getroot().iter(f"{{{DFXML_NS['d']}}}fileobject"):
        if (
            obj.findtext("d:name_type", namespaces=DFXML_NS) != "r"
            or obj.findtext("d:alloc_inode", "0", DFXML_NS) != "1"
        ):
            continue
        run_element = obj.find("d:byte_runs[@facet='data']/d:byte_run", DFXML_NS)
        files[obj.findtext("d:filename", namespaces=DFXML_NS)] = {
            "inode": obj.findtext("d:inode", namespaces=DFXML_NS),
            "filesize": obj.findtext("d:filesize", namespaces=DFXML_NS),
            "md5": obj.findtext("d:hashdigest[@type='md5']", namespaces=DFXML_NS),
            "sha1": obj.findtext("d:hashdigest[@type='sha1']", namespaces=DFXML_NS),
            "img_offset": run_element.get("img_offset") if run_element is not None else None,
        }
    return files


def test_dfxml_agrees_with_fiwalk(sleuthkit_case, tmp_path, monkeypatch):
    case_dir, env = sleuthkit_case
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    root = ET.parse(_export(case_dir, "--dfxml", tmp_path / "files.xml")).getroot()
    ours = {}
    for obj in root.iter(f"{{{DFXML_NS['d']}}}fileobject"):
        run_element = obj.find("d:byte_runs/d:byte_run", DFXML_NS)
        ours[obj.findtext("d:filename", namespaces=DFXML_NS)] = {
            "inode": obj.findtext("d:inode", namespaces=DFXML_NS),
            "filesize": obj.findtext("d:filesize", namespaces=DFXML_NS),
            "md5": obj.findtext("d:hashdigest[@type='md5']", namespaces=DFXML_NS),
            "sha1": obj.findtext("d:hashdigest[@type='sha1']", namespaces=DFXML_NS),
            "img_offset": run_element.get("img_offset") if run_element is not None else None,
        }
    expected = _fiwalk_files()
    assert expected, "fiwalk lists regular files"
    for name, facts in expected.items():
        assert ours.get(name) == facts, name


def test_vics_export_reimports_with_its_categories(case, tmp_path):
    exported = _export(case.case_dir, "--vics", tmp_path / "case-vics.json")
    data = json.loads(exported.read_text())
    assert data["@odata.context"].endswith("2.0.xml/US/$metadata#Cases")
    with HashSetLibrary(tmp_path / "lib.db") as library:
        report = import_hash_set(library, exported, ImportOptions(name="round trip", strict=True))
        assert report.format == "vics"
        with library.session() as s:
            entries = {e.md5.hex(): e for e in s.scalars(select(HashEntry))}
    # passwords.txt keeps the list's category 1; the photo carries the examiner's grade 1 over the list's 2.
    assert {md5: e.category for md5, e in entries.items()} == {
        PASSWORDS_MD5: 1,
        case.photo_md5["DSCN0010.jpg"]: 1,
    }
    assert entries[PASSWORDS_MD5].file_name == "passwords.txt"
    assert entries[PASSWORDS_MD5].size == 116


def test_kml_and_geojson_carry_the_published_coordinates(case, tmp_path):
    kml = ET.parse(_export(case.case_dir, "--kml", tmp_path / "gps.kml")).getroot()
    placemarks = {
        p.findtext("k:name", namespaces=KML_NS): p.findtext("k:Point/k:coordinates", namespaces=KML_NS)
        for p in kml.iter(f"{{{KML_NS['k']}}}Placemark")
    }
    assert sorted(placemarks) == sorted(f"/{name}" for name in GPS_PHOTOS)
    geo = json.loads(_export(case.case_dir, "--geojson", tmp_path / "gps.geojson").read_text())
    features = {f["properties"]["path"]: f["geometry"]["coordinates"] for f in geo["features"]}
    for name, (lat, lon) in GPS_PHOTOS.items():
        kml_lon, kml_lat = (float(v) for v in placemarks[f"/{name}"].split(",")[:2])
        assert kml_lat == pytest.approx(lat, abs=1e-5) and kml_lon == pytest.approx(lon, abs=1e-5)
        assert features[f"/{name}"][:2] == pytest.approx([lon, lat], abs=1e-5)


def test_csv_lists_every_file_and_finding(case, tmp_path):
    _export(case.case_dir, "--csv", tmp_path / "csv")
    with open(tmp_path / "csv" / "files.csv", newline="", encoding="utf-8") as handle:
        files = list(csv.DictReader(handle))
    with open(tmp_path / "csv" / "findings.csv", newline="", encoding="utf-8") as handle:
        findings = list(csv.DictReader(handle))
    listing = _listing(case.case_dir)
    assert [int(row["id"]) for row in files] == [r["id"] for r in listing]
    assert [row["path"] for row in findings] == ["/passwords.txt", "/DSCN0010.jpg"]
    assert findings[0]["md5"] == PASSWORDS_MD5 and findings[0]["basis"] == "exact MD5"
    outputs = report_events(case.case_dir)[0]["outputs"]
    assert [o["sha256"] for o in outputs] == [
        sha256_file(tmp_path / "csv" / n) for n in ("files.csv", "findings.csv")
    ]


@pytest.mark.parametrize("flag", ["--vics", "--case-uco", "--dfxml", "--kml", "--geojson"])
def test_exports_repeat_byte_for_byte(case, tmp_path, flag):
    first = _export(case.case_dir, flag, tmp_path / "first")
    second = _export(case.case_dir, flag, tmp_path / "second")
    assert first.read_bytes() == second.read_bytes()


def test_vics_export_carries_files_the_examiner_categorised_without_a_finding(case, tmp_path):
    from report_case import _categorise

    _categorise(case.case_dir, "/DSCN0042.jpg", 2)  # no hash set lists this photo
    exported = _export(case.case_dir, "--vics", tmp_path / "case-vics.json")
    media = {m["MD5"].lower(): m for m in json.loads(exported.read_text())["value"][0]["Media"]}
    graded = media[case.photo_md5["DSCN0042.jpg"]]
    assert graded["Category"] == 2
    assert graded["Comments"] == "examiner categorisation"
    assert [f["FileName"] for f in graded["MediaFiles"]] == ["DSCN0042.jpg"]


def test_vics_context_names_the_region_of_the_examiners_scheme():
    from dataclasses import replace

    from golden_report import golden_report

    from forensics.reports.exports.vics import vics_bytes

    report = golden_report()
    uk = replace(report, category_region="UK", categorised=[replace(report.findings[0], md5="ab" * 16)])
    data = json.loads(vics_bytes(uk))
    assert data["@odata.context"] == (
        "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases"
    )
    assert "AB" * 16 in {m["MD5"] for m in data["value"][0]["Media"]}
