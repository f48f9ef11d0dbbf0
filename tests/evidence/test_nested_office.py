"""Office documents: pictures embedded in a Word .doc (OLE), in DOCX and ODT (zip media folders)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from forensics.evidence.nested.walk import open_container
from tests.evidence.nested_helpers import walk_file
from tests.fixtures import assert_unchanged

OLE_DOC = Path(__file__).resolve().parents[1] / "data" / "olefile" / "test-ole-file.doc"


def test_picture_in_a_word_doc_is_found_with_its_md5_and_its_runs_in_the_document(fixture_nested_archives):
    path = fixture_nested_archives.directory / "inputs" / "report.doc"
    expected = fixture_nested_archives.facts["nested"]["report.doc"]["members"][0]["md5"]
    items, notes = walk_file(path)
    assert [item.md5 for item in items] == [expected], notes
    child = items[0].child
    assert child.link_kind == "ole-embedded" and child.params["format"] == "jpeg"
    data = path.read_bytes()
    runs = child.byte_runs
    assert len(runs) > 1  # an OLE stream's sectors: the picture is not contiguous in the .doc
    assert hashlib.md5(b"".join(data[s : s + n] for _o, s, n in runs)).hexdigest() == expected


def test_docx_and_odt_list_their_media_not_their_xml_parts(fixture_nested_archives):
    inputs = fixture_nested_archives.directory / "inputs"
    facts = fixture_nested_archives.facts["nested"]
    for name, fmt, prefix in (("report.docx", "ooxml", "word/media/"), ("report.odt", "odf", "Pictures/")):
        with (inputs / name).open("rb") as stream:
            walk = open_container(stream, name=name)
            assert walk.format == fmt
            children = list(walk.children())
        assert not any(child.path.endswith((".xml", ".rels")) for child in children)
        pictures = [child for child in children if child.path.startswith(prefix)]
        assert len(pictures) == 1
        items, _ = walk_file(inputs / name)
        assert facts[name]["members"][0]["md5"] in {item.md5 for item in items}


def test_a_real_word_document_gives_only_the_theme_package_word_keeps_in_its_table_stream():
    # Word 2007 and later store the document's theme as a small OOXML zip inside the 1Table stream: it is
    # found (a valid zip), opened as an office package, and holds no picture.
    with assert_unchanged([OLE_DOC]):
        items, notes = walk_file(OLE_DOC)
    assert notes == []
    assert [(item.child.path, item.child.params["format"], item.opened_as) for item in items] == [
        ("1Table/carved-000000000592.zip", "zip", "ooxml")
    ]
