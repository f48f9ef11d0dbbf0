"""The libmagic fast path (``identify``) against the full two-call check (``identify_full``).

The contract: on every input the fast path gives the same MIME type, hence the same category and
extension verdict, and a description that is the full one or its plain-text part ("ASCII text" where full
libmagic would say "GEDCOM genealogy text ..., ASCII text"). Checked on every file under tests/data (all
corpus types, libmagic's own regression inputs included) and on generated text of the kinds that matter.
"""

from __future__ import annotations

import codecs
import json
import random
import shutil
import subprocess

import pytest

from forensics.analysis import filetype, libmagic
from forensics.analysis.entropy import shannon_entropy
from forensics.analysis.filetype import categorise, identify, identify_full
from forensics.analysis.filetypes_table import load_table
from forensics.analysis.mismatch import judge_extension
from forensics.analysis.textcues import has_text_cues

from .conftest import DATA

HEAD = 65536
DATA_FILES = sorted(p for p in DATA.rglob("*") if p.is_file())
WORDS = (
    "meeting",
    "invoice",
    "transfer",
    "delivery",
    "Tuesday",
    "café",
    "übermorgen",
    "account",
    "note",
    "ok",
)


def _verdict(name: str, head: bytes, mime: str, description: str) -> tuple[str, bool | None]:
    table = load_table()
    category = categorise(mime, description, shannon_entropy(head), len(head), table)
    return category, judge_extension(name, mime, table).mismatch


def _assert_agrees(name: str, head: bytes) -> tuple[str, str]:
    fast, full = identify(head), identify_full(head)
    assert fast[0] == full[0], (name, fast, full)
    assert _verdict(name, head, *fast) == _verdict(name, head, *full), (name, fast, full)
    assert fast[1] == full[1] or fast[1] in full[1], (name, fast, full)
    return fast


def _prose(seed: int, lines: int = 200, newline: str = "\n") -> str:
    rng = random.Random(seed)
    return newline.join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 14))) for _ in range(lines))


def test_every_test_data_file_agrees():
    assert len(DATA_FILES) > 200  # the whole corpus copy, not an empty glob
    for path in DATA_FILES:
        with open(path, "rb") as fh:
            _assert_agrees(path.name, fh.read(HEAD))


def _csv() -> str:
    rng = random.Random(4)
    rows = ["id,name,amount,date"] + [
        f"{i},{rng.choice(WORDS)},{rng.randint(1, 999)}.{rng.randint(0, 99):02d}"
        f",2025-0{rng.randint(1, 9)}-1{i % 9}"
        for i in range(300)
    ]
    return "\n".join(rows) + "\n"


GENERATED = {
    "prose.txt": _prose(1).encode(),
    "prose_crlf.txt": _prose(2, newline="\r\n").encode(),
    "prose_latin1.txt": _prose(3).encode("latin-1"),
    "prose_long_lines.txt": (_prose(5, lines=3) * 400).encode(),
    "prose_utf16.txt": codecs.BOM_UTF16_LE + _prose(6, lines=40).encode("utf-16-le"),
    "prose_bom.txt": codecs.BOM_UTF8 + _prose(7).encode(),
    "notes.jpg": _prose(8).encode(),  # text under a name with a signature: a mismatch either way
    "data.json": json.dumps({"messages": [{"from": w, "text": _prose(9, 2)} for w in WORDS] * 20}).encode(),
    "events.ndjson": "\n".join(json.dumps({"n": i, "w": WORDS[i % 10]}) for i in range(200)).encode() + b"\n",
    "table.csv": _csv().encode(),
    "page.html": (
        f"<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>{_prose(10, 20)}</p></body></html>\n"
    ).encode(),
    "page_late_markup.txt": (_prose(11, 30) + "\n<html><body>x</body></html>\n").encode(),
    "data.xml": b'<?xml version="1.0" encoding="UTF-8"?>\n<items>' + b"<item>a</item>" * 200 + b"</items>\n",
    "image.svg": b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>\n',
    "image.txt": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>\n',
    "subs.ttml": b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<tt xmlns="http://www.w3.org/ns/ttml" xml:lang="en"><body>'
    b"<div><p>hi</p></div></body></tt>\n",
    "run.sh": b"#!/bin/sh\nset -e\necho hello\n" + _prose(12, 20).encode(),
    "tool.py": b"#!/usr/bin/env python3\nimport sys\n\n\ndef main():\n    print(sys.argv)\n",
    "module.py": b"import os\nimport sys\n\n\ndef main():\n    return os.getcwd()\n",
    "prog.c": b"#include <stdio.h>\n\nint main(void)\n{\n    return 0;\n}\n",
    "mail.eml": b"Received: from mx.example.org by mail.example.org\nFrom: a@example.org\nTo: b@example.org\n"
    b"Subject: meeting\n\n" + _prose(13, 20).encode(),
    "mail.txt": b"Return-Path: <a@example.org>\nDelivered-To: b@example.org\nSubject: x\n\nbody\n",
    "mbox.mbox": b"From a@example.org Tue Jun 17 00:47:35 2025\nFrom: a@example.org\nSubject: x\n\nbody\n",
    "news.txt": b"Path: news.example.org!not-for-mail\nFrom: a@example.org\nNewsgroups: alt.test\n\nbody\n",
    "mime.txt": b"MIME-Version: 1.0\nContent-Type: text/plain\n\nbody\n",
    "letter.rtf": b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}\\f0 Hello}\n",
    "letter.txt": b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}}\\f0 Hello}\n",
    "doc.ps": b"%!PS-Adobe-3.0\n%%Title: x\n/Times findfont 12 scalefont setfont\nshowpage\n",
    "doc.txt": b"%!PS-Adobe-3.0\n%%Title: x\nshowpage\n",
    "pdf_text.dat": b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
    "key.asc": b"-----BEGIN PGP MESSAGE-----\n\nhQEMA0f2nY1AbCdEAQf+abcdefghijklmnop\n=abcd\n"
    b"-----END PGP MESSAGE-----\n",
    "key.pem": b"-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUabcdefghijklmnop\n"
    b"-----END CERTIFICATE-----\n",
    "contact.vcf": b"BEGIN:VCARD\nVERSION:3.0\nFN:A B\nTEL:+49 30 1234\nEND:VCARD\n",
    "cal.ics": b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
    "ascii.pbm": b"P1\n4 4\n1 0 1 0\n0 1 0 1\n1 0 1 0\n0 1 0 1\n",
    "ascii.txt": b"P2\n2 2\n255\n0 255\n255 0\n",
    "link.url": b"[InternetShortcut]\r\nURL=http://example.org/\r\n",
    "app.desktop": b"[Desktop Entry]\nType=Application\nName=x\nExec=x\n",
    "pkg.ebuild": b"# Copyright 2025\n# Distributed under the terms of the GNU General Public License v2\n"
    b'\nEAPI=8\nDESCRIPTION="x"\n',
    "vault.yml": b"$ANSIBLE_VAULT;1.1;AES256\n6162636465666768696a6b6c6d6e6f70\n",
    "config.ini": b"[General]\nname=x\nvalue=1\n",
    "empty.txt": b"",
    "one.txt": b"x",
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_text_agrees(name):
    _assert_agrees(name, GENERATED[name])


def test_every_generated_name_also_agrees_as_a_jpg_and_without_extension():
    for name, data in GENERATED.items():
        _assert_agrees(f"{name}.jpg", data)
        _assert_agrees(name.rsplit(".", 1)[0], data)


def test_categories_that_text_patterns_decide_are_kept():
    categories = {
        name: _verdict(name, GENERATED[name], *identify(GENERATED[name]))[0]
        for name in ("image.svg", "mail.eml", "letter.rtf", "doc.ps", "prose.txt")
    }
    assert categories == {
        "image.svg": "image",
        "mail.eml": "email",
        "letter.rtf": "document",
        "doc.ps": "document",
        "prose.txt": "text",
    }


@pytest.fixture
def full_checks(monkeypatch):
    """Counts libmagic calls with the full flag set (the expensive soft-magic ones)."""
    calls: list[str] = []
    for name in ("describe", "mime_type"):
        original = getattr(libmagic, name)

        def counting(head, flags=libmagic.FULL, _original=original, _name=name):
            if flags == libmagic.FULL:
                calls.append(_name)
            return _original(head, flags)

        monkeypatch.setattr(libmagic, name, counting)
    return calls


@pytest.mark.parametrize(
    "name",
    [
        "prose.txt",
        "prose_crlf.txt",
        "prose_latin1.txt",
        "prose_long_lines.txt",
        "data.json",
        "events.ndjson",
        "table.csv",
        "empty.txt",
        "notes.jpg",
    ],
)
def test_plain_text_skips_the_full_check(name, full_checks):
    filetype.identify(GENERATED[name])
    assert full_checks == []


@pytest.mark.parametrize("name", ["page.html", "image.svg", "mail.eml", "run.sh", "letter.rtf", "key.asc"])
def test_cued_or_patterned_text_takes_the_full_check(name, full_checks):
    filetype.identify(GENERATED[name])
    assert "describe" in full_checks


def test_unmatched_binary_needs_one_full_call(full_checks):
    mime, description = filetype.identify(random.Random(7).randbytes(4096))
    assert (mime, description) == ("application/octet-stream", "data")
    assert full_checks == ["describe"]


@pytest.mark.parametrize(
    ("head", "cued"),
    [
        (b"meeting ok note\ncafe account\n", False),
        ("übermorgen café\n".encode(), False),
        (b"Received: from x\n", True),
        (b"From someone Tue Jun 17\n", True),
        (b"  <html>", True),
        (b"words then <b>markup</b>\n", True),
        (b"#!/bin/sh\n", True),
        (b"[Section]\nkey=1\n", True),
        (b"P3\n1 1\n255\n0 0 0\n", True),
        (b"text\nEAPI=8\n", True),
        (b"text\x00\x00", True),
        (codecs.BOM_UTF8 + b"Subject: x\n", True),
    ],
)
def test_text_cues(head, cued):
    assert has_text_cues(head) is cued


def test_identify_on_a_real_photo_and_on_corpus_regression_inputs_is_exact():
    photo = (DATA / "ThreatExchange" / "rgb.jpeg").read_bytes()[:HEAD]
    assert identify(photo) == identify_full(photo)
    inputs = sorted((DATA / "file").glob("*.testfile"))
    exact = sum(identify(p.read_bytes()[:HEAD]) == identify_full(p.read_bytes()[:HEAD]) for p in inputs)
    assert exact >= len(inputs) - 2  # only a finer text description may ever differ (none on libmagic 5.44)


# MIME types of libmagic 5.44's text patterns whose category or extension verdict differs from plain
# text: each is screened by a cue in forensics/analysis/textcues.py (and generated above where practical).
SCREENED_TEXT_PATTERN_MIMES = {
    "image/x-portable-bitmap",
    "image/x-portable-graymap",
    "image/x-portable-pixmap",
    "image/x-polar-monitor-bitmap",
    "image/svg+xml",
    "application/x-mif",
    "application/vnd.gentoo.ebuild",
    "application/vnd.gentoo.eclass",
    "application/x-kdelnk",
    "application/x-mswinurl",
    "application/pdf",
    "application/ttml+xml",
    "message/rfc822",
    "message/news",
}


def _text_patterns() -> list[tuple[str, str]]:
    """(description, MIME) of every text pattern in the magic database, from ``file -l``."""
    listing = subprocess.run(["file", "-l"], capture_output=True, text=True, check=True).stdout
    entries, in_text = [], False
    for line in listing.splitlines():
        if line.startswith(("Binary patterns", "Set ")):
            in_text = False if line.startswith("Binary") else in_text
        if line.startswith("Text patterns"):
            in_text = True
        elif in_text and line.startswith("Strength"):
            description, _, mime = line.split(": ", 1)[1].rpartition(" [")
            entries.append((description, mime.rstrip("]")))
    return entries


def _differs_from_plain_text(description: str, mime: str) -> bool:
    table = load_table()
    if not mime:  # no MIME of its own: libmagic answers text/plain
        return categorise("text/plain", description, None, 0, table) != "text"
    entry = table.entry(mime)
    claimed = {ext for ext in table.signature_extensions if ext not in table.weak_extensions}
    verdict_differs = entry is not None and bool(table.accepted_extensions(entry) & claimed)
    category = categorise(mime, description, None, 0, table)
    return category != "text" or not table.is_text_mime(mime) or verdict_differs


@pytest.mark.skipif(shutil.which("file") is None, reason="needs file(1) to list the magic database")
def test_every_text_pattern_that_matters_is_screened_by_a_cue():
    version = subprocess.run(["file", "--version"], capture_output=True, text=True).stdout.split()[0]
    if version != f"file-{libmagic.libmagic_version() // 100}.{libmagic.libmagic_version() % 100}":
        pytest.skip(f"file(1) {version} does not use the libmagic that python-magic loaded")
    patterns = _text_patterns()
    assert len(patterns) > 300
    mattering = {mime for description, mime in patterns if _differs_from_plain_text(description, mime)}
    assert {"image/svg+xml", "message/rfc822", "application/x-mswinurl"} <= mattering  # the listing was read
    assert mattering <= SCREENED_TEXT_PATTERN_MIMES, "new text patterns: add a cue in textcues.py"
