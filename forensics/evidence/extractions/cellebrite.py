"""Cellebrite outputs: UFDR reports (a zip with ``report.xml``) and ``.ufd`` files pointing at a dump.

``report.xml`` (namespace ``http://pa.cellebrite.com/report/2.0``) lists each extracted file as a
``<file path="/device/path" size=".." deleted="Intact|Deleted|..." id="..">`` element with
``<accessInfo><timestamp name="CreationTime|ModifyTime|AccessTime">`` times and a
``<metadata section="File">`` whose items give the ``Local Path`` of its bytes inside the zip
(``files\\Image\\x.jpg``) and the hashes the extraction computed (``MD5``, ``SHA1``, ``SHA256``).

The XML comes from the evidence, so it is parsed as hostile: ``defusedxml`` refuses any DTD, entity
declaration or external reference, and the file is read with ``iterparse``, each ``<file>`` element
cleared once read, so memory stays bounded whatever the report's size.

A ``.ufd`` file is an INI text file; values naming a ``.zip``/``.tar``/``.tar.gz``/``.ufdr`` beside it are
the dump(s) it describes, and hash sections give the dump's expected digests.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from forensics.evidence.extractions.errors import ExtractionError
from forensics.evidence.extractions.folder_files import read_small
from forensics.evidence.extractions.records import ZIP_MEMBER, ExtractionMember
from forensics.evidence.extractions.zip_members import list_zip, open_zip_member

REPORT_XML = "report.xml"
MAX_UFD_BYTES = 1024 * 1024
DUMP_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".ufdr", ".bin", ".ab")
HASH_NAMES = {"md5": "md5", "sha1": "sha1", "sha-1": "sha1", "sha256": "sha256", "sha-256": "sha256"}
TIME_NAMES = {"ModifyTime": "mtime_ns", "AccessTime": "atime_ns", "CreationTime": "crtime_ns"}
DELETED_VALUES = {"deleted": True, "trash": True, "intact": False}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _time_ns(text: str | None) -> int | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        return None  # a time without a zone is not turned into UTC by guessing
    return int(value.timestamp()) * 1_000_000_000 + value.microsecond * 1000


@dataclass
class UfdrFile:
    """One ``<file>`` of a report: the device path and what the report says about it."""

    device_path: str
    local_path: str | None
    size: int | None
    deleted: bool | None
    file_id: str | None
    times: dict[str, int] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)


def _file_record(element: Element) -> UfdrFile:
    size_text = element.get("size")
    record = UfdrFile(
        device_path=element.get("path") or "",
        local_path=None,
        size=int(size_text) if size_text and size_text.isdigit() else None,
        deleted=DELETED_VALUES.get((element.get("deleted") or "").lower()),
        file_id=element.get("id"),
    )
    for child in element.iter():
        tag = _local(child.tag)
        if tag == "timestamp" and child.get("name") in TIME_NAMES:
            ns = _time_ns(child.text)
            if ns is not None:
                record.times[TIME_NAMES[child.get("name", "")]] = ns
        elif tag == "item":
            name = (child.get("name") or "").strip()
            value = (child.text or "").strip()
            if name == "Local Path" and value:
                record.local_path = value.replace("\\", "/")
            elif name.lower() in HASH_NAMES and re.fullmatch(r"[0-9A-Fa-f]+", value):
                record.hashes[HASH_NAMES[name.lower()]] = value.lower()
    return record


def iter_report_files(report: BinaryIO, where: str) -> Iterator[UfdrFile]:
    """Every ``<file>`` element of ``report.xml``, streamed; hostile XML raises :class:`ExtractionError`."""
    try:
        parents: list[Element] = []
        for event, element in iterparse(report, events=("start", "end"), forbid_dtd=True):
            if event == "start":
                parents.append(element)
                continue
            parents.pop()
            if _local(element.tag) == "file" and element.get("path") is not None:
                yield _file_record(element)
                element.clear()
                if parents:
                    parents[-1].remove(element)
    except DefusedXmlException as exc:
        raise ExtractionError(f"{where}: report.xml refused: {type(exc).__name__} (hostile XML)") from exc
    except ParseError as exc:
        raise ExtractionError(f"{where}: report.xml is not well-formed XML ({exc})") from exc


def list_ufdr(stream: BinaryIO, where: str = "UFDR") -> Iterator[ExtractionMember]:
    """Every file the report lists, under its device path, with the zip member that holds its bytes.

    Files whose ``Local Path`` is missing from the zip are listed with ``present = False``; zip
    members that no report entry names are listed too, without a device path.
    """
    zip_members = {member.path: member for member in list_zip(stream, where)}
    if REPORT_XML not in zip_members:
        raise ExtractionError(f"{where}: no report.xml at the root of the UFDR")
    named: set[str] = {REPORT_XML}
    with open_zip_member(stream, zip_members[REPORT_XML].params, f"{where}: report.xml") as report:
        records = list(iter_report_files(report, where))  # the zip stream is shared: read the report first
    for record in records:
        zip_member = zip_members.get(record.local_path or "")
        name = record.device_path.rstrip("/").rsplit("/", 1)[-1]
        member = ExtractionMember(
            link_kind=ZIP_MEMBER,
            path=record.local_path or record.device_path,
            name=name,
            device_path=record.device_path
            if record.device_path.startswith("/")
            else "/" + record.device_path,
            size=record.size if record.size is not None else (zip_member.size if zip_member else None),
            deleted=record.deleted,
            hashes=record.hashes,
            params=dict(zip_member.params) if zip_member else {},
            mtime_ns=record.times.get("mtime_ns"),
            atime_ns=record.times.get("atime_ns"),
            crtime_ns=record.times.get("crtime_ns"),
        )
        if zip_member is None:
            member.present = False
            member.notes.append("listed in report.xml; no bytes in the UFDR for it")
        else:
            named.add(zip_member.path)
            if record.size is not None and zip_member.size != record.size:
                member.notes.append(
                    f"report.xml says {record.size} bytes, the zip member has {zip_member.size}"
                )
        if record.file_id:
            member.notes.append(f"report file id {record.file_id}")
        yield member
    for path, zip_member in zip_members.items():
        if path not in named:
            yield zip_member


@dataclass
class UfdDescription:
    """What a ``.ufd`` file says: the dump files beside it, their expected hashes, and device facts."""

    dumps: list[Path]
    hashes: dict[str, dict[str, str]]  # dump file name -> algorithm -> hex
    fields: dict[str, str]


def read_ufd(path: Path) -> UfdDescription:
    """Parse a Cellebrite ``.ufd`` file; raises :class:`ExtractionError` when it names no dump."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(read_small(path, MAX_UFD_BYTES).decode("utf-8-sig", "replace"))
    except configparser.Error as exc:
        raise ExtractionError(f"{path}: not a readable .ufd file ({exc})") from exc
    dumps: list[Path] = []
    hashes: dict[str, dict[str, str]] = {}
    fields: dict[str, str] = {}
    for section in parser.sections():
        algorithm = HASH_NAMES.get(section.lower())
        for key, value in parser.items(section):
            value = value.strip()
            if algorithm and re.fullmatch(r"[0-9A-Fa-f]+", value):
                hashes.setdefault(key, {})[algorithm] = value.lower()
                continue
            fields[f"{section}/{key}"] = value
            candidate = path.parent / Path(value.replace("\\", "/")).name
            if value.lower().endswith(DUMP_SUFFIXES) and candidate.is_file() and candidate not in dumps:
                dumps.append(candidate)
    if not dumps:
        raise ExtractionError(f"{path}: the .ufd file names no dump file present beside it")
    return UfdDescription(dumps=dumps, hashes=hashes, fields=fields)
