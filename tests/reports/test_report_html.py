"""The HTML report via ``custos report --html``: self-contained, all sections, deterministic, annex rules."""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image, ImageChops, ImageStat
from report_case import CASE_NUMBER, EXT2_STORED_MD5, NOW, run
from report_helpers import report_events, sha256_file
from sqlalchemy import select

from forensics.case.models import File
from forensics.case.models_analysis import FileThumbnail
from forensics.case.pictures import MAGIC
from forensics.reports.sections import ANNEX_TITLE, SECTIONS
from forensics.services.context import open_case
from tests.backends import copy_case_folder
from tests.data.expected import PASSWORDS_MD5


class _References(HTMLParser):
    """Collects every URL the page would load (src, href, CSS url()) and the images it shows."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)
        if tag == "img":
            self.images.append(dict(attrs)["src"])


def _html(case_dir: Path, out: Path, *extra: str) -> tuple[Path, str]:
    path = out / "report.html"
    run("report", str(case_dir), "--html", str(path), "--now", NOW, *extra)
    return path, path.read_text(encoding="utf-8")


def test_html_is_self_contained_and_has_every_section(case, tmp_path):
    _path, html = _html(case.case_dir, tmp_path)
    refs = _References()
    refs.feed(html)
    assert refs.images == []  # nothing is shown in the body
    assert all(not re.match(r"[a-z]+:", url) or url.startswith("data:") for url in refs.urls)
    assert "url(" not in html and "@import" not in html and "<link" not in html
    # the one script element is the signed custody checkpoint: data, never run
    assert html.count("<script") == 1 and '<script type="application/json" id="custos-checkpoint">' in html
    for _key, title in SECTIONS:
        assert title in html
    assert CASE_NUMBER in html and EXT2_STORED_MD5 in html and PASSWORDS_MD5 in html
    assert ANNEX_TITLE not in html


def test_html_bytes_repeat_for_the_same_case_and_clock(case, tmp_path, monkeypatch):
    twin = tmp_path / "twin"
    copy_case_folder(case.case_dir, twin)
    shutil.copytree(tmp_path / "witness", tmp_path / "twin-witness")
    first, _ = _html(case.case_dir, tmp_path / "a")
    monkeypatch.setenv("CUSTOS_WITNESS_DIR", str(tmp_path / "twin-witness"))  # the twin's own workstation
    second, _ = _html(twin, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    assert report_events(case.case_dir)[0]["outputs"][0]["sha256"] == sha256_file(first)


def _annex_images(html: str) -> list[Image.Image]:
    refs = _References()
    refs.feed(html)
    prefix = "data:image/jpeg;base64,"
    return [
        Image.open(io.BytesIO(base64.b64decode(src[len(prefix) :]))).convert("RGB") for src in refs.images
    ]


def _stored_thumbnail(case_dir: Path, path: str) -> Image.Image:
    """The thumbnail as stored (encrypted at rest), opened with the examiner's case key."""
    examiner, passphrase = os.environ["CUSTOS_EXAMINER"], os.environ["CUSTOS_PASSPHRASE"]
    ctx = open_case(case_dir, examiner, write=False, passphrase=passphrase)
    try:
        with ctx.db.session() as s:
            thumb = s.scalars(
                select(FileThumbnail).join(File, File.id == FileThumbnail.file_id).where(File.path == path)
            ).one()
            file_id, data = thumb.file_id, bytes(thumb.data)
        assert data.startswith(MAGIC)
        return Image.open(io.BytesIO(ctx.db.pictures.open("thumbnails", file_id, data))).convert("RGB")
    finally:
        ctx.close()


def _difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def test_annex_is_blurred_unless_explicitly_chosen(case, tmp_path):
    original = _stored_thumbnail(case.case_dir, "/DSCN0010.jpg")
    _p, blurred_html = _html(case.case_dir, tmp_path / "blurred", "--annex")
    _p, clear_html = _html(case.case_dir, tmp_path / "clear", "--annex", "--unblurred-annex")
    blurred, clear = _annex_images(blurred_html), _annex_images(clear_html)
    assert len(blurred) == len(clear) == 1
    assert blurred_html.index(ANNEX_TITLE) < blurred_html.index("data:image/jpeg")
    assert _difference(clear[0], original) < 1.0
    assert _difference(blurred[0], original) > 5.0
    assert "Images are blurred" in blurred_html and "NOT blurred" in clear_html
