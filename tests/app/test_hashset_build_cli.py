"""``custos hashset build``: a picture list from picture files, imported as format ``custos``."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.app.cli_helpers import cli

DATA = Path(__file__).resolve().parents[1] / "data"
PHOTOS = [DATA / "pdqhash-python" / "images" / f"image{n}.jpg" for n in (1, 2)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_lists_the_pictures_of_a_folder_skips_the_rest_and_never_overwrites(capsys, tmp_path):
    folder = tmp_path / "pictures"
    (folder / "sub").mkdir(parents=True)
    shutil.copyfile(PHOTOS[0], folder / PHOTOS[0].name)
    shutil.copyfile(PHOTOS[1], folder / "sub" / PHOTOS[1].name)
    (folder / "notes.txt").write_text("not a picture\n", encoding="ascii")
    before = {p: _sha256(p) for p in folder.rglob("*") if p.is_file()}
    out = tmp_path / "lab.jsonl"

    run = cli(capsys, "hashset", "build", out, folder, "--description", "lab pictures")
    assert run.code == 0, run.err
    assert f"listed 2 pictures in {out} (1 files skipped)" in run.out
    assert "notes.txt: not a decodable picture" in run.err
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["format"] == "custos-picture-list" and lines[0]["description"] == "lab pictures"
    assert sorted(r["sha256"] for r in lines[1:]) == sorted(_sha256(p) for p in PHOTOS)
    assert all(len(r["variants"]) >= 63 for r in lines[1:])
    assert {p: _sha256(p) for p in before} == before  # the pictures are only read

    again = cli(capsys, "hashset", "build", out, folder)
    assert again.code == 2 and "cannot write the list file" in again.err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3

    library = tmp_path / "library.db"
    imported = cli(capsys, "hashset", "import", out, "--name", "lab", "--library", library)
    assert imported.code == 0, imported.err
    listing = cli(capsys, "hashset", "list", "--json", "--library", library)
    (info,) = [json.loads(line) for line in listing.out.splitlines()]
    assert (info["format"], info["entry_count"], info["pdq_count"]) == ("custos", 2, 2)
