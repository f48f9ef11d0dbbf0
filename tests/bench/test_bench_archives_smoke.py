"""The archive-throughput benchmark at smoke size: every archived file is listed with its MD5 (no timing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import bench_archives, results

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not all(shutil.which(t) for t in ("zip", "7z", "mke2fs")), reason="Debian tools missing")
def test_smoke_run_lists_every_archived_member(tmp_path: Path, monkeypatch) -> None:
    for name in ("CUSTOS_HOME", "CUSTOS_PASSPHRASE", "CUSTOS_EXAMINER", "CUSTOS_HASHSET_LIBRARY"):
        monkeypatch.setenv(name, "")  # the benchmark sets them for its run: restored after the test
    out = tmp_path / "archives.json"
    code = bench_archives.main(
        ["--size", "smoke", "--workers", "1", "--json", str(out), "--workdir", str(tmp_path / "w")]
    )
    assert code == 0
    page = results.read(out)
    spec = bench_archives.SPECS["smoke"]
    members = spec.archives * spec.files_per_archive
    loose, archived = page["rows"]
    nested = page["columns"].index("nested items")
    assert loose[nested] == 0 and archived[nested] >= members  # the members, and the archives inside one
    assert f"archived members listed with their MD5: {members}/{members}" in page["notes"]
