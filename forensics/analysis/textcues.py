"""Cues in a plain-text head that libmagic's text patterns could turn into a different kind of file.

libmagic tries several hundred text patterns (its "soft magic" for text) on every text head, and that is
most of its cost on text. Most of them only refine the description of what stays text ("Python script",
"BibTeX text file"); a few give a MIME type that changes the category or the extension verdict. In
libmagic 5.44 (``file -l``, "Text patterns") those are: markup (HTML, XML, SVG, TTML, KML, FrameMaker
MIF, Gentoo metadata), mail and news headers at the start (``message/rfc822``, ``message/news``), ASCII
Netpbm images (``P1``-``P3``), Polar Monitor bitmaps, KDE desktop entries and config files, Windows
Internet shortcuts (``[...]`` sections), Gentoo ebuilds, eclasses and manifests, and PDF text. A head
with none of the cues below can be none of those; any cue sends the head through full libmagic.

The cues are deliberately broad (any markup, any line-1 punctuation or ``word:``): a false cue only costs
the full check, a missed one would cost a wrong category. The fast path's agreement with full libmagic is
tested on every test data file and on generated text of each kind (tests/analysis/test_analysis_fasttype.py);
on 12,000 random files of a Debian system (text, code, binaries) it changed no category or verdict, and
gave 13 sources without a cue (assembler, Fortran, Python, C) the plain-text type instead of a finer one.
"""

from __future__ import annotations

import re

# Line 1 (after a UTF-8 byte order mark and blanks): punctuation first ("#!", "%!", "[Section]", "<"),
# a header-like first word ("Received:", "From:", "Path:"), or a word that opens mail, news, Netpbm, a
# Gentoo manifest or (description only) GEDCOM.
_FIRST_LINE = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:"
    rb"[^0-9A-Za-z\x80-\xff]"
    rb"|[^\s:]*:"
    rb"|(?:from|forward|pipe|article|babyl|relay|n#!|p[0-9]|aux|data|dist|ebuild|manifest|0 head)"
    rb")",
    re.IGNORECASE,
)
# Anywhere in the head (lower-cased): markup, and the markers that searched text patterns look for; then
# source-code markers, which only keep libmagic's finer description ("Python script", "C source").
_ANYWHERE = (
    b"<",
    b"eapi=",
    b"@eclass",
    b"%pdf",
    b"desktop entry",
    b"internetshortcut",
    b"kde config",
    b"import ",
    b"def ",
    b"package ",
    b"use strict",
    b"#include",
    b"#define",
    b".globl",
    b".text",
)


def has_text_cues(head: bytes) -> bool:
    """True when libmagic's text patterns might give this head more than a plain-text type."""
    if b"\x00" in head:  # UTF-16/32 text: converted by libmagic before its text patterns; not screened here
        return True
    if _FIRST_LINE.match(head):
        return True
    lowered = head.lower()
    return any(token in lowered for token in _ANYWHERE)
