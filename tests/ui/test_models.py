"""qtmodeltester on every model of the GUI, over a real ingested case."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ui.adapter import FileFilter
from ui.models.evidence_tree import NODE_ROLE, EvidenceTreeModel, child_folders
from ui.models.file_table import FILE_ID_ROLE, FileTableModel
from ui.models.gallery import GalleryModel
from ui.models.records import RecordTableModel
from ui.views.custody_view import CUSTODY_COLUMNS
from ui.views.findings_view import FINDING_COLUMNS


def test_file_table_model(qtmodeltester, session):
    model = FileTableModel()
    model.session = session
    model.load_now()
    # 3 folders (docs, photos, photos/gps) + 6 files, as build_photo_folder made them.
    assert model.rowCount() == 9
    qtmodeltester.check(model, force_py=True)
    names = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert {"DSCN0010.jpg", "Canon_40D.jpg", "copy.jpg", "readme.txt", "gps"} <= names


def test_file_table_sorts_and_filters_in_sql(qtmodeltester, session):
    model = FileTableModel()
    model.session = session
    model.filter = FileFilter(has_gps=True)
    model.load_now()
    gps = sorted(model.index(r, 0).data() for r in range(model.rowCount()))
    # ExifRead's test data: the three DSCN*.jpg carry GPS, Canon_40D.jpg does not.
    assert gps == ["DSCN0010.jpg", "DSCN0025.jpg", "DSCN0042.jpg"]
    model.filter = FileFilter(camera="canon")
    model.load_now()
    assert sorted(model.index(r, 0).data() for r in range(model.rowCount())) == ["Canon_40D.jpg", "copy.jpg"]
    model.filter = FileFilter(category="image", text="photos/")
    model.sort_key, model.descending = "name", True
    model.load_now()
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names == ["DSCN0042.jpg", "DSCN0025.jpg", "DSCN0010.jpg", "Canon_40D.jpg"]
    assert model.index(0, 0).data(FILE_ID_ROLE) == model.file_id(0)
    qtmodeltester.check(model, force_py=True)


def test_folder_scope_lists_direct_children(session):
    fs_id = session.evidence_items()[0]["filesystems"][0]["id"]
    ids = session.file_ids(FileFilter(filesystem_id=fs_id, folder="/photos"))
    rows = session.file_rows(ids)
    assert sorted(r["name"] for r in rows.values()) == ["Canon_40D.jpg", "gps"]


def test_evidence_tree_model(qtmodeltester, session):
    model = EvidenceTreeModel()
    model.set_session(session)
    item = model.index(0, 0)
    assert item.data().startswith("EV1")
    fs = model.index(0, 0, item)
    model.expand(fs, wait=True)
    children = sorted(model.index(r, 0, fs).data() for r in range(model.rowCount(fs)))
    assert children == ["docs", "photos"]
    photos = next(
        model.index(r, 0, fs) for r in range(model.rowCount(fs)) if model.index(r, 0, fs).data() == "photos"
    )
    model.expand(photos, wait=True)
    assert model.index(0, 0, photos).data(NODE_ROLE)[2] == "/photos/gps"
    qtmodeltester.check(model, force_py=True)


def test_child_folders():
    assert child_folders(["/a", "/a/b", "/c"]) == {"/": ["/a", "/c"], "/a": ["/a/b"]}


def test_gallery_model_blurs_until_revealed(qapp, qtmodeltester, session):
    model = GalleryModel()
    model.set_entries(session, session.gallery("folder", True))
    # Five JPEGs, two of them identical: four tiles, one stacked twice.
    assert model.rowCount() == 4
    assert sorted(e.stacked for e in model.entries) == [1, 1, 1, 2]
    row = next(i for i, e in enumerate(model.entries) if e.name == "DSCN0010.jpg")
    index = model.index(row)
    blurred = index.data(Qt.ItemDataRole.DecorationRole).toImage()
    model.reveal([model.file_id(row)])
    sharp = index.data(Qt.ItemDataRole.DecorationRole).toImage()
    assert blurred.size() == sharp.size()
    assert blurred != sharp
    qtmodeltester.check(model, force_py=True)


def test_record_models(qtmodeltester, session):
    custody = RecordTableModel(CUSTODY_COLUMNS)
    custody.set_records(session.custody_entries())
    actions = [custody.index(r, 3).data() for r in range(custody.rowCount())]
    assert actions[:4] == ["examiner_added", "case_key_created", "case_created", "evidence_intake"]
    assert actions[-1] == "case_opened"
    qtmodeltester.check(custody, force_py=True)
    findings = RecordTableModel(FINDING_COLUMNS)
    findings.set_records(session.findings())
    qtmodeltester.check(findings, force_py=True)
