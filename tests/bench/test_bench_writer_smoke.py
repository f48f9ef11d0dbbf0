"""The writer benchmark at smoke size (CI): every way runs at every size and stores every result.
No timing assertions: CI machines vary."""

from __future__ import annotations

import json

from bench import bench_writer


def test_every_way_runs_and_every_ratio_is_computed(tmp_path) -> None:
    result = bench_writer.run("smoke", tmp_path / "out", tmp_path)
    assert json.loads((tmp_path / "out" / "bench_writer.json").read_text(encoding="utf-8")) == result
    assert [row["items"] for row in result["rows"]] == bench_writer.SIZES["smoke"]
    for row in result["rows"]:
        assert set(row["cpu_s"]) == {"bare", "deferred", "kept"}
        assert all(seconds > 0 for seconds in row["cpu_s"].values())
        assert row["deferred_vs_bare"] > 0 and row["kept_vs_deferred"] > 0
    assert "| 20,000 |" in bench_writer.markdown(result)
    assert not list(tmp_path.glob("custos-bench-writer-*"))  # scratch cases removed


def test_writer_run_stores_every_result_and_leaves_the_indexes_in_place(tmp_path) -> None:
    from forensics.case.db import CaseDatabase
    from forensics.case.ingest_indexes import missing_ingest_indexes

    assert bench_writer.writer_run(tmp_path / "deferred", 300, deferred=True) > 0
    db = CaseDatabase(tmp_path / "deferred", upgrade=False)
    try:
        with db.engine.connect() as conn:
            assert missing_ingest_indexes(conn) == []
            rows = conn.exec_driver_sql("SELECT id, status, md5, sha1, sha256 FROM files ORDER BY id").all()
    finally:
        db.close()
    assert [row[0] for row in rows] == list(range(1, 301))
    assert all(row[1] == "done" and tuple(row[2:]) == bench_writer.digests(row[0]) for row in rows)
