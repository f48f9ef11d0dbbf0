"""Migration 0002, storing results in the case database and reading back the CLI fields."""

from __future__ import annotations

import io
import json
from dataclasses import asdict

import pytest
from alembic import command
from PIL import Image
from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from forensics.analysis.api import AnalysisOptions
from forensics.analysis.perceptual import split_dihedral
from forensics.analysis.results import AnalysisResult
from forensics.case.analysis_store import analysis_fields, store_analyses, store_analysis, thumbnail_bytes
from forensics.case.db import CaseDatabase, alembic_config, make_engine, migrate
from forensics.case.models_analysis import FileAnalysis, FileExif, FileThumbnail
from tests.case.old_cases import copy_old_case, new_and_old_case_params

from .conftest import EXIF_PY, THREATEXCHANGE, add_evidence, add_file, analyse_bytes, analyse_file


@pytest.mark.parametrize("saved", new_and_old_case_params(schema_dependent=False))
def test_migration_creates_the_model_tables_and_columns(saved, tmp_path):
    """On an empty database, and on every case saved by an earlier build (``tests/case/old_cases.py``)."""
    database = tmp_path / "empty.db" if saved is None else copy_old_case(saved, tmp_path) / "case.db"
    engine = make_engine(f"sqlite:///{database}")
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
        select(
            FileAnalysis.phash,
            FileAnalysis.dhash,
            FileAnalysis.pdq,
            FileAnalysis.pdq_quality,
            FileAnalysis.pdq_dihedral,
        ).where(FileAnalysis.file_id == file_id)
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
    expected_keys = {
        "mime",
        "description",
        "category",
        "extension_mismatch",
        "entropy",
        "exif",
        "phash",
        "dhash",
        "pdq",
        "pdq_quality",
        "video",
    }
    assert all(set(entry) == expected_keys for entry in fields.values())
    assert all(entry["video"] is None for entry in fields.values())  # no video among them
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


# ---------------------------------------------------------------- batch storing (issue 6)


def _orm_store(session, file_id: int, result: AnalysisResult) -> None:
    """The per-file ORM storing that ``store_analyses`` replaced, kept here as the oracle."""
    row = FileAnalysis(
        file_id=file_id, truncated=False, too_large=False, too_small=False, blank=False, low_quality=False
    )
    if result.filetype is not None:
        kind = result.filetype
        row.mime, row.description, row.category = kind.mime, kind.description, kind.category
        row.entropy, row.extension_mismatch = kind.entropy, kind.extension_mismatch
        row.mismatch_detail = kind.mismatch_detail
    if result.image is not None:
        image = result.image
        row.image_format, row.image_mode = image.format, image.mode
        row.width, row.height = image.width, image.height
        row.decode_scale, row.truncated, row.too_large = image.decode_scale, image.truncated, image.too_large
    if result.perceptual is not None:
        hashes = result.perceptual
        row.phash, row.dhash, row.pdq = hashes.phash, hashes.dhash, hashes.pdq
        row.pdq_quality, row.pdq_dihedral = hashes.pdq_quality, hashes.pdq_dihedral
        row.too_small, row.blank, row.low_quality = hashes.too_small, hashes.blank, hashes.low_quality
    row.warnings_json = json.dumps(list(result.warnings)) if result.warnings else None
    session.add(row)
    if result.exif is not None:
        session.add(FileExif(file_id=file_id, **asdict(result.exif)))
    if result.thumbnail is not None:
        thumb = result.thumbnail
        session.add(
            FileThumbnail(
                file_id=file_id, mime=thumb.mime, width=thumb.width, height=thumb.height, data=thumb.data
            )
        )


def _all_rows(session) -> dict[str, list[tuple]]:
    tables = (FileAnalysis.__table__, FileExif.__table__, FileThumbnail.__table__)
    return {t.name: [tuple(r) for r in session.execute(select(t).order_by(t.c.file_id))] for t in tables}


def _sample_results() -> list[tuple[str, AnalysisResult]]:
    return [
        ("DSCN0010.jpg", analyse_file(EXIF_PY / "jpg/gps/DSCN0010.jpg")),
        ("landscape_6.jpg", analyse_file(EXIF_PY / "jpg/orientation/landscape_6.jpg")),
        ("rgb.jpeg", analyse_file(THREATEXCHANGE / "rgb.jpeg", AnalysisOptions(reduced_decode=True))),
        ("notes.txt", analyse_bytes(b"hello world\n" * 10, "notes.txt")),
        ("fake.jpg", analyse_bytes(b"plain words\n" * 20, "fake.jpg")),
        ("huge.jpg", analyse_file(EXIF_PY / "jpg/gps/DSCN0010.jpg", AnalysisOptions(max_image_bytes=99_999))),
        ("failed.bin", AnalysisResult(warnings=("type identification failed: X",))),
        ("nothing.bin", AnalysisResult()),
    ]


def test_batch_store_gives_the_same_rows_as_per_file_orm_objects(tmp_path):
    samples = _sample_results()
    assert any(r.exif for _, r in samples) and any(r.thumbnail for _, r in samples)
    stored = {}
    for label, store in (("orm", None), ("batch", store_analyses)):
        engine = make_engine(f"sqlite:///{tmp_path / f'{label}.db'}")
        migrate(engine)
        with Session(engine) as session:
            add_evidence(session)
            ids = [add_file(session, name, seq) for seq, (name, _) in enumerate(samples, start=1)]
            if store is None:
                for file_id, (_, result) in zip(ids, samples, strict=True):
                    _orm_store(session, file_id, result)
            else:
                store(
                    session,
                    [(file_id, result) for file_id, (_, result) in zip(ids, samples, strict=True)],
                    fresh=True,
                )
            session.commit()
            stored[label] = _all_rows(session)
        engine.dispose()
    assert stored["batch"] == stored["orm"]
    assert len(stored["batch"]["file_analysis"]) == len(samples) and stored["batch"]["thumbnails"]


def test_batch_store_gives_the_orm_rows_on_both_stores(case_backend, tmp_path):
    """PostgreSQL stores a batch as one statement of arrays per table (forensics/case/bulk.py): the same
    rows as the per-file ORM objects on the same store, also when a resumed batch replaces them."""
    samples = _sample_results()
    stored = {}
    for label in ("orm", "batch"):
        db = CaseDatabase(tmp_path / label, create=True)
        assert db.is_postgres == case_backend.is_postgres
        with Session(db.engine) as session:
            add_evidence(session)
            ids = [add_file(session, name, seq) for seq, (name, _) in enumerate(samples, start=1)]
            pairs = [(file_id, result) for file_id, (_, result) in zip(ids, samples, strict=True)]
            if label == "orm":
                for file_id, result in pairs:
                    _orm_store(session, file_id, result)
            else:
                store_analyses(session, [(file_id, AnalysisResult()) for file_id in ids], fresh=True)
                store_analyses(session, pairs)  # a resumed batch: the rows above deleted, these stored
            session.commit()
            stored[label] = _all_rows(session)
        db.close()
    assert stored["batch"] == stored["orm"]
    assert len(stored["batch"]["file_analysis"]) == len(samples) and stored["batch"]["file_exif"]


def test_a_resumed_batch_replaces_only_its_own_files(case_session):
    photo = analyse_file(EXIF_PY / "jpg/orientation/landscape_6.jpg")
    keep_id, redo_id = add_file(case_session, "keep.jpg", 1), add_file(case_session, "redo.jpg", 2)
    store_analyses(case_session, [(keep_id, photo), (redo_id, photo)], fresh=True)
    store_analyses(case_session, [(redo_id, AnalysisResult(warnings=("analysis failed: X",)))])
    case_session.flush()
    rows = _all_rows(case_session)
    assert [r[0] for r in rows["file_analysis"]] == [keep_id, redo_id]
    assert [r[0] for r in rows["file_exif"]] == [keep_id] and [r[0] for r in rows["thumbnails"]] == [keep_id]
    redone = case_session.execute(select(FileAnalysis).where(FileAnalysis.file_id == redo_id)).scalar_one()
    assert redone.pdq is None and json.loads(redone.warnings_json) == ["analysis failed: X"]


def _statements(engine) -> list[tuple[str, bool]]:
    seen: list[tuple[str, bool]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement.split()[0].upper(), executemany))

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_one_statement_per_table_per_batch(case_session):
    count = 700  # more than one DELETE chunk of 500 ids
    ids = [add_file(case_session, f"f{n}.txt", n) for n in range(1, count + 1)]
    text = analyse_bytes(b"plain words\n" * 20, "notes.txt")
    photo = analyse_file(EXIF_PY / "jpg/orientation/landscape_6.jpg")
    batch = [(file_id, photo if file_id == ids[0] else text) for file_id in ids]
    seen = _statements(case_session.get_bind())
    store_analyses(case_session, batch, fresh=True)
    # file_analysis (700 rows), file_exif, thumbnails, file_regions (the photo's whole-picture variants)
    assert [kind for kind, _ in seen] == ["INSERT"] * 4
    assert seen[0][1]  # one executemany for the 700 file_analysis rows
    seen.clear()
    store_analyses(case_session, batch)
    # one DELETE per table and chunk of 500 ids (analysis, EXIF, thumbnails, the three video tables, regions)
    assert [kind for kind, _ in seen] == ["DELETE"] * 14 + ["INSERT"] * 4
    case_session.flush()
    assert case_session.scalar(select(func.count()).select_from(FileAnalysis)) == count
    assert case_session.scalar(select(func.count()).select_from(FileThumbnail)) == 1


def test_an_empty_batch_writes_nothing(case_session):
    seen = _statements(case_session.get_bind())
    store_analyses(case_session, [])
    assert seen == []


def test_a_file_listed_twice_in_a_batch_keeps_its_last_result(case_session):
    file_id = add_file(case_session, "twice.txt", 1)
    first = analyse_bytes(b"plain words\n" * 20, "twice.txt")
    last = AnalysisResult(warnings=("analysis failed: X",))
    store_analyses(case_session, [(file_id, first), (file_id, last)])
    case_session.flush()
    row = case_session.execute(select(FileAnalysis).where(FileAnalysis.file_id == file_id)).scalar_one()
    assert row.mime is None and json.loads(row.warnings_json) == ["analysis failed: X"]
