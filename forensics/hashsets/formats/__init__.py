"""Hash-set file formats: one module per family, each yielding entries or problems, streaming.

A parser is ``parse(path, context) -> Iterator[EntryRecord | Problem]``; it may note facts about the
source (version, variant) in ``context.facts``. :data:`PARSERS` maps format names to parsers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from forensics.hashsets.formats import (
    csvlists,
    nsrl,
    perceptual_lists,
    picture_lists,
    textlists,
    vics,
    video_lists,
)
from forensics.hashsets.formats.base import ParseContext
from forensics.hashsets.records import EntryRecord, Problem

Parser = Callable[[Path, ParseContext], Iterator[EntryRecord | Problem]]

PARSERS: dict[str, Parser] = {
    "vics": vics.parse_vics,
    "nist-caid": vics.parse_vics,
    "rds3": nsrl.parse_rds3,
    "rds2": nsrl.parse_rds2,
    "icse": csvlists.parse_icse,
    "hashkeeper": csvlists.parse_hashkeeper,
    "xways": textlists.parse_xways,
    "plain": textlists.parse_plain,
    "sha256": textlists.parse_sha256_list,
    "md5sum": textlists.parse_sumfile,
    "hashdeep": textlists.parse_hashdeep,
    "pdq": perceptual_lists.parse_pdq_list,
    "te-csv": perceptual_lists.parse_threatexchange_csv,
    "phash": perceptual_lists.parse_imagehash_list,
    "custos": picture_lists.parse_picture_list,
    "dhash": perceptual_lists.parse_imagehash_list,
    "vpdq": video_lists.parse_vpdq_file,
}

# Formats whose sets mark files known (ignorable) unless the examiner says otherwise.
KNOWN_BY_DEFAULT = frozenset({"rds3", "rds2", "nist-caid"})
# Formats whose entries are frames of listed videos (``media_id`` names the video).
VIDEO_FORMATS = frozenset({"vpdq", "te-csv"})

__all__ = ["PARSERS", "KNOWN_BY_DEFAULT", "VIDEO_FORMATS", "ParseContext", "Parser"]
