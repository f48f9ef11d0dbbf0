"""DFXML 1.2.0 file listing: one ``fileobject`` per listed item with byte runs and hash digests.

Written with the standard library (no DFXML package is kept on the package index); element order follows
the DFXML schema (metadata, creator, source, volume/fileobject).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from sqlalchemy import select

from forensics.case.models import Evidence, File, FileSystem
from forensics.core.local_times import is_local_time_fs, time_iso
from forensics.reports.model import ReportData
from forensics.reports.text import printable_text

NS = "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML"
DC = "http://purl.org/dc/elements/1.1/"
VERSION = "1.2.0"
NAME_TYPES = {
    "file": "r",
    "directory": "d",
    "link": "l",
    "fifo": "p",
    "char-device": "c",
    "block-device": "b",
    "socket": "s",
    "shadow": "h",
    "whiteout": "w",
    "virtual": "v",
    "virtual-dir": "V",
}
META_TYPES = {
    "file": 1,
    "directory": 2,
    "fifo": 3,
    "char-device": 4,
    "block-device": 5,
    "link": 6,
    "shadow": 7,
    "socket": 8,
    "whiteout": 9,
    "virtual": 10,
    "virtual-dir": 11,
}


def _sub(parent: ET.Element, tag: str, text: object | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}", {k: printable_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = printable_text(str(text))
    return element


def _creator(root: ET.Element, report: ReportData) -> None:
    creator = _sub(root, "creator")
    _sub(creator, "program", "Custos")
    _sub(creator, "version", report.custos_version)
    build = _sub(creator, "build_environment")
    for tool in report.tools:
        if tool.name not in ("Custos", "Python", "Operating system"):
            _sub(build, "library", name=tool.name, version=tool.version)
    execution = _sub(creator, "execution_environment")
    _sub(execution, "command_line", "custos export --dfxml")
    _sub(execution, "start_time", report.generated_at)


def _file_object(parent: ET.Element, f: File, partition: int, local: bool, zone: str | None) -> None:
    obj = _sub(parent, "fileobject")
    _sub(obj, "filename", f.path.lstrip("/"))
    if f.error:
        _sub(obj, "error", f.error)
    _sub(obj, "partition", partition)
    _sub(obj, "id", f.id)
    if f.parent_id is not None:  # inside another item (archive member, embedded object, carved file)
        parent = _sub(obj, "parent_object")
        _sub(parent, "id", f.parent_id)
    _sub(obj, "name_type", NAME_TYPES.get(f.kind, "-"))
    if f.size is not None:
        _sub(obj, "filesize", f.size)
    _sub(obj, "alloc", int(bool(f.allocated)))
    if f.orphan:
        _sub(obj, "orphan", 1)
    if f.inode is not None:
        _sub(obj, "inode", f.inode)
    if f.kind in META_TYPES and f.has_metadata:
        _sub(obj, "meta_type", META_TYPES[f.kind])
    for tag, value in (("mode", f.mode), ("nlink", f.nlink), ("uid", f.uid), ("gid", f.gid)):
        if value is not None:
            _sub(obj, tag, value)
    for tag, ns in (
        ("mtime", f.mtime_ns),
        ("ctime", f.ctime_ns),
        ("atime", f.atime_ns),
        ("crtime", f.crtime_ns),
    ):
        if ns is not None:
            _sub(obj, tag, time_iso(ns, local=local, zone=zone))
    if f.link_target:
        _sub(obj, "link_target", f.link_target)
    runs = json.loads(f.byte_runs_json) if f.byte_runs_json else []
    if runs:
        byte_runs = _sub(obj, "byte_runs")
        for file_offset, img_offset, length in runs:
            _sub(
                byte_runs,
                "byte_run",
                file_offset=str(file_offset),
                img_offset=str(img_offset),
                len=str(length),
            )
    for algorithm in ("md5", "sha1", "sha256"):
        value = getattr(f, algorithm)
        if value:
            _sub(obj, "hashdigest", value.lower(), type=algorithm)


def dfxml_bytes(db, report: ReportData) -> bytes:
    """The DFXML listing of every item of the case, grouped by evidence item and file system."""
    ET.register_namespace("", NS)
    ET.register_namespace("dc", DC)
    root = ET.Element(f"{{{NS}}}dfxml", version=VERSION)
    metadata = _sub(root, "metadata")
    ET.SubElement(metadata, f"{{{DC}}}type").text = "File list"
    _creator(root, report)
    source = _sub(root, "source")
    for evidence in report.evidence:
        for name in evidence.image_files:
            _sub(source, "image_filename", name)
    with db.session() as session:
        systems = session.execute(
            select(FileSystem, Evidence.item, Evidence.time_zone)
            .join(Evidence, Evidence.id == FileSystem.evidence_id)
            .order_by(Evidence.item, FileSystem.offset, FileSystem.id)
        ).all()
        for number, (fs, _item, zone) in enumerate(systems, start=1):
            local = is_local_time_fs(fs.fs_type)
            volume = _sub(root, "volume", offset=str(fs.offset))
            _sub(volume, "partition_offset", fs.offset)
            if fs.block_size:
                _sub(volume, "block_size", fs.block_size)
            _sub(volume, "ftype_str", fs.fs_type or "unknown")
            for f in session.scalars(
                select(File)
                .where(File.filesystem_id == fs.id)
                .order_by(File.id)
                .execution_options(yield_per=1000)
            ):
                _file_object(volume, f, number, local, zone)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
