"""A decompression bomb and a truncated JPEG inside a test image do not stop the ingest (full profile)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import select

from forensics.case.models import File
from forensics.case.models_analysis import FileAnalysis
from forensics.pipeline.ingest import run_job, start_job
from forensics.pipeline.processing_profiles import load_profile
from tests.analysis.builders import png_declaring, zero_bomb_png

DATA = Path(__file__).resolve().parents[1] / "data"
# A real camera photo from exif-py's samples (640x480 Nikon COOLPIX P6000, tests/data/exif-py).
PHOTO = DATA / "exif-py" / "jpg" / "gps" / "DSCN0010.jpg"


def _build_image(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    tree = tmp_path / "tree"
    tree.mkdir()
    photo = PHOTO.read_bytes()
    contents = {
        "declared-100000x100000.png": png_declaring(100_000, 100_000),
        "zero-bomb-20000x20000.png": zero_bomb_png(20_000, 20_000),
        "truncated.jpg": photo[: len(photo) * 6 // 10],
        "photo.jpg": photo,
    }
    for name, data in contents.items():
        (tree / name).write_bytes(data)
    image = tmp_path / "hostile.raw"
    subprocess.run(["mke2fs", "-q", "-t", "ext4", "-d", str(tree), str(image), "16M"], check=True)
    return image, contents


def test_bomb_and_truncated_jpeg_do_not_stop_the_ingest(case_with, tmp_path):
    assert shutil.which("mke2fs")
    image, contents = _build_image(tmp_path)
    db = case_with(image)
    profile = load_profile("full")
    job_id, _, _ = start_job(db, "EXH-1", profile, 2)
    outcome = run_job(db, job_id, profile, 2)
    assert outcome.status == "finished" and outcome.items_failed == 0
    with db.session() as s:
        rows = {
            f.name: (f, a)
            for f, a in s.execute(
                select(File, FileAnalysis).outerjoin(FileAnalysis, FileAnalysis.file_id == File.id)
            ).all()
        }
    for name, data in contents.items():
        file, analysis = rows[name]
        assert file.status == "done"
        assert file.sha256 == hashlib.sha256(data).hexdigest()  # every file hashed, whatever its pixels
        assert analysis is not None and analysis.mime in ("image/png", "image/jpeg")
    assert rows["declared-100000x100000.png"][1].too_large
    assert rows["declared-100000x100000.png"][1].pdq is None
    assert rows["truncated.jpg"][1].truncated
    assert rows["photo.jpg"][1].pdq is not None and not rows["photo.jpg"][1].truncated
