"""Migration 0002, storing results in the case database and reading back the CLI fields."""

from __future__ import annotations

import io
import json

from alembic import command
from PIL import Image
from sqlalchemy import inspect, select

from forensics.analysis.api import AnalysisOptions, analysis_fields, store_analysis
from forensics.analysis.perceptual import split_dihedral
from forensics.analysis.results import AnalysisResult
from forensics.analysis.store import thumbnail_bytes
from forensics.case.db import alembic_config, make_engine, migrate
from forensics.case.models_analysis import FileAnalysis, FileExif, FileThumbnail

from .conftest import EXIF_PY, THREATEXCHANGE, add_file, analyse_bytes, analyse_file


def test_migration_creates_the_model_tables_and_columns(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    migrate(engine)
    inspector = inspect(engine)
    for model in (FileAnalysis, FileExif, FileThumbnail):
        table = model.__table__
        columns = {column["name"]: column for column in inspector.get_columns(table.name)}
        assert set(columns) == {column.name for column in table.columns}
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
        assert inspector.get_pk_constraint(table.name)["constrained_columns"] == ["file_id"]
        assert [fk["referred_table"] for fk in inspector.get_foreign_keys(table.name)] == ["files"]
        model_indexes = {index.name for index in table.indexes}
        assert {index["name"] for index in inspector.get_indexes(table.name)} == model_indexes
    engine.dispose()


def test_migration_0002_downgrades_to_exactly_0001(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'steps.db'}")
    command.upgrade(alembic_config(engine), "0001_core")
    core_tables = set(inspect(engine).get_table_names())
    command.upgrade(alembic_config(engine), "0002_analysis")
    added = set(inspect(engine).get_table_names()) - core_tables
    assert added == {"file_analysis", "file_exif", "thumbnails"}
    command.downgrade(alembic_config(engine), "0001_core")
    assert set(inspect(engine).get_table_names()) == core_tables
    engine.dispose()


def test_hash_set_matcher_contract_columns(case_session):
    file_id = add_file(case_session, "rgb.jpeg", 1)
    store_analysis(case_session, file_id, analyse_file(THREATEXCHANGE / "rgb.jpeg"))
    case_session.flush()
    row = case_session.execute(
        select(FileAnalysis.phash, FileAnalysis.dhash, FileAnalysis.pdq, FileAnalysis.pdq_quality,
               FileAnalysis.pdq_dihedral).where(FileAnalysis.file_id == file_id)
    ).one()
    assert len(row.phash) == 16 and len(row.dhash) == 16 and row.phash == row.phash.lower()
    assert row.pdq == "fb4eed46cb8a6c78819ca06b756c541f7b07ef6d02c82fccd00f862166272cda"
    assert row.pdq_quality == 100
    assert len(row.pdq_dihedral) == 256 and split_dihedral(row.pdq_dihedral)[0] == row.pdq


def test_fields_for_custos_files_jsonl(case_session):
    gps_id = add_file(case_session, "DSCN0010.jpg", 1)
    text_id = add_file(case_session, "notes.txt", 2)
    missing_id = add_file(case_session, "pending.bin", 3)
    store_analysis(case_session, gps_id, analyse_file(EXIF_PY / "jpg/gps/DSCN0010.jpg"))
    store_analysis(case_session, text_id, analyse_bytes(b"hello world\n" * 10, "notes.txt"))
    case_session.flush()
    fields = analysis_fields(case_session, [gps_id, text_id, missing_id])
    expected_keys = {"mime", "description", "category", "extension_mismatch", "entropy", "exif",
                     "phash", "dhash", "pdq", "pdq_quality"}
    assert all(set(entry) == expected_keys for entry in fields.values())
    photo = fields[gps_id]
    assert (photo["mime"], photo["category"], photo["extension_mismatch"]) == ("image/jpeg", "image", False)
    assert photo["exif"]["model"] == "COOLPIX P6000" and photo["exif"]["orientation"] == 1
    assert round(photo["exif"]["gps_lat"], 6) == 43.467448 and photo["exif"]["has_thumbnail"] is True
    assert photo["pdq_quality"] is not None and len(photo["pdq"]) == 64
    text = fields[text_id]
    assert text["category"] == "text" and text["exif"] is None and text["pdq"] is None
    assert fields[missing_id] == dict.fromkeys(expected_keys)
    json.dumps(fields)  # JSON-able as the CLI prints it


def test_exif_columns_are_queryable(case_session):
    names = ["jpg/gps/DSCN0010.jpg", "jpg/gps/DSCN0025.jpg", "jpg/Canon_40D.jpg", "jpg/Kodak_CX7530.jpg"]
    ids = {}
    for seq, name in enumerate(names, start=1):
        ids[name] = add_file(case_session, name.rsplit("/", 1)[-1], seq)
        store_analysis(case_session, ids[name], analyse_file(EXIF_PY / name))
    case_session.flush()
    with_gps = case_session.scalars(select(FileExif.file_id).where(FileExif.gps_lat.is_not(None))).all()
    assert sorted(with_gps) == sorted([ids[names[0]], ids[names[1]], ids[names[3]]])
    southern = case_session.scalars(select(FileExif.file_id).where(FileExif.gps_lat < 0)).all()
    assert southern == [ids["jpg/Kodak_CX7530.jpg"]]
    nikon = case_session.scalars(select(FileExif.file_id).where(FileExif.model == "COOLPIX P6000")).all()
    assert len(nikon) == 2


def test_restoring_replaces_and_warnings_are_kept(case_session):
    file_id = add_file(case_session, "45-gps_ifd.jpg", 1)
    store_analysis(case_session, file_id, analyse_file(EXIF_PY / "jpg/tests/45-gps_ifd.jpg"))
    store_analysis(case_session, file_id, analyse_file(EXIF_PY / "jpg/tests/45-gps_ifd.jpg"))
    case_session.flush()
    row = case_session.get(FileAnalysis, file_id)
    assert any("GPS SubIFD" in w for w in json.loads(row.warnings_json))
    store_analysis(case_session, file_id, AnalysisResult(warnings=("type identification failed: X",)))
    case_session.flush()
    case_session.expire_all()
    assert case_session.get(FileExif, file_id) is None and case_session.get(FileThumbnail, file_id) is None
    assert case_session.get(FileAnalysis, file_id).pdq is None


def test_thumbnail_is_a_blob_in_the_database(case_session, tmp_path):
    file_id = add_file(case_session, "landscape_6.jpg", 1)
    before = set(tmp_path.rglob("*"))
    store_analysis(case_session, file_id, analyse_file(EXIF_PY / "jpg/orientation/landscape_6.jpg"))
    case_session.flush()
    mime, data = thumbnail_bytes(case_session, file_id)
    assert mime == "image/jpeg" and Image.open(io.BytesIO(data)).size == (256, 192)
    assert not {p for p in set(tmp_path.rglob("*")) - before if p.suffix.lower() in {".jpg", ".jpeg", ".png"}}


def test_too_large_image_is_recorded(case_session):
    file_id = add_file(case_session, "huge.jpg", 1)
    result = analyse_file(EXIF_PY / "jpg/gps/DSCN0010.jpg", AnalysisOptions(max_image_bytes=100_000))
    assert result.image.too_large and result.perceptual is None
    store_analysis(case_session, file_id, result)
    case_session.flush()
    assert case_session.get(FileAnalysis, file_id).too_large
    assert case_session.get(FileExif, file_id).model == "COOLPIX P6000"  # EXIF from the head
