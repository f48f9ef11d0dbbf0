"""Type by content (libmagic on file's own regression inputs), categories, entropy, extension mismatch."""

from __future__ import annotations

import io
import random
import re
import zipfile

import pytest

from forensics.analysis.entropy import shannon_entropy
from forensics.analysis.filetype import analyse_type, identify, libmagic_version
from forensics.analysis.filetypes_table import CATEGORIES, load_table
from forensics.analysis.mismatch import judge_extension, judged_extension

from .conftest import LIBMAGIC, THREATEXCHANGE

PAIRS = sorted(p.stem for p in LIBMAGIC.glob("*.testfile") if (LIBMAGIC / f"{p.stem}.result").exists())
# Pairs that libmagic 5.44 reproduces exactly, per tests/data/file/EXPECTED.md (checked by the corpus).
MATCH_ON_544 = set(
    re.findall(r"^\| (\S+) \| MATCH \|", (LIBMAGIC / "EXPECTED.md").read_text(), flags=re.MULTILINE)
)


def _expected(name: str) -> str:
    return (LIBMAGIC / f"{name}.result").read_text(encoding="utf-8", errors="replace").strip()


def test_regression_inputs_were_copied():
    assert len(PAIRS) >= 60 and len(MATCH_ON_544 & set(PAIRS)) >= 45


@pytest.mark.parametrize("name", PAIRS)
def test_libmagic_on_file_regression_inputs(name):
    description = identify((LIBMAGIC / f"{name}.testfile").read_bytes()[:65536])[1]
    if libmagic_version() == 544 and name in MATCH_ON_544:
        assert description == _expected(name)
    elif libmagic_version() >= 548:
        # the .result files were made by file 5.48; newer magic may still reword a few entries
        assert description.split(",")[0] == _expected(name).split(",")[0] or name not in MATCH_ON_544
    else:
        assert description  # older/other libmagic: it must at least answer


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("JW07022A.mp3", "audio"),
        ("issue311docx", "document"),
        ("issue359xlsx", "document"),
        ("pgp-binary-key-v4-dsa", "encrypted"),
        ("json1", "text"),
        ("zstd-v0.8-FF", "archive"),
        ("cmd1", "text"),
        ("pnm1", "image"),
    ],
)
def test_categories_of_regression_inputs(name, category):
    assert analyse_type(f"{name}.testfile", (LIBMAGIC / f"{name}.testfile").read_bytes()).category == category


def test_every_table_category_is_known():
    table = load_table()
    assert {entry.category for entry in table.by_mime.values()} <= set(CATEGORIES)


def test_random_data_is_high_entropy_and_encrypted_category():
    data = random.Random(1).randbytes(65536)
    info = analyse_type("blob", data)
    assert info.mime == "application/octet-stream"
    assert info.entropy > 7.99 and info.category == "encrypted"
    assert analyse_type("blob", data[:1000]).category == "other"  # too few bytes for a verdict


def test_entropy_values():
    assert shannon_entropy(b"") is None
    assert shannon_entropy(b"\x00" * 4096) == 0.0
    assert shannon_entropy(bytes(range(256)) * 16) == pytest.approx(8.0)
    assert shannon_entropy(b"ab" * 100) == pytest.approx(1.0)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "meeting at noon\n" * 50)
    return buffer.getvalue()


# The cases first, then the documented false-positive rules.
@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("holiday.dat", (THREATEXCHANGE / "rgb.jpeg").read_bytes(), True),
        ("holiday.jpg", random.Random(2).randbytes(65536), True),
        ("archive.boo", _zip_bytes(), True),
        ("holiday.jpeg", (THREATEXCHANGE / "rgb.jpeg").read_bytes(), False),
        ("HOLIDAY.JPG", (THREATEXCHANGE / "rgb.jpeg").read_bytes(), False),
        ("IMG_0001.THM", (THREATEXCHANGE / "rgb.jpeg").read_bytes(), False),
        ("holiday.jpg.bak", (THREATEXCHANGE / "rgb.jpeg").read_bytes(), False),
        ("holiday.png.bak", (THREATEXCHANGE / "rgb.jpeg").read_bytes(), True),
        ("archive.zip", _zip_bytes(), False),
        ("report.docx", _zip_bytes(), False),  # zip family: OOXML without its marker looks like zip
        ("report.docx", (LIBMAGIC / "issue311docx.testfile").read_bytes(), False),
        ("report.zip", (LIBMAGIC / "issue311docx.testfile").read_bytes(), False),
        ("README", b"plain words\n" * 20, None),
        (".bashrc", b"export PATH=/bin\n" * 5, None),
        ("notes.xyz", b"plain words\n" * 20, False),  # text agrees with any extension without a signature
        ("script.py", b"#!/usr/bin/env python3\nprint('hi')\n", False),
        ("fake.jpg", b"plain words\n" * 20, True),  # text named like a signature type
        ("firmware.bin", random.Random(3).randbytes(65536), None),  # weak extension: no claim
        ("cache.dat", random.Random(3).randbytes(65536), None),
        ("empty.jpg", b"", True),
        ("empty.txt", b"", None),
    ],
)
def test_extension_mismatch(name, data, expected):
    info = analyse_type(name, data[:65536])
    assert info.extension_mismatch is expected, info
    assert (info.mismatch_detail is not None) == bool(expected)


def test_judged_extension_strips_neutral_suffixes():
    table = load_table()
    assert judged_extension("a/b/photo.JPG.tmp", table) == "jpg"
    assert judged_extension("notes.bak", table) is None
    assert judged_extension("archive.tar.gz", table) == "gz"
    assert judged_extension("noext", table) is None


def test_mismatch_detail_names_content_and_extension():
    verdict = judge_extension("holiday.dat", "image/jpeg", load_table())
    assert verdict.mismatch
    assert all(part in verdict.detail for part in ("image/jpeg", ".dat", ".jpg"))
