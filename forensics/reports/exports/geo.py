"""KML and GeoJSON of the files whose EXIF data holds GPS coordinates."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from forensics.reports.exports.common import json_bytes
from forensics.reports.model import GeoPoint, ReportData

KML_NS = "http://www.opengis.net/kml/2.2"


def _coordinates(point: GeoPoint) -> str:
    values = [repr(point.lon), repr(point.lat)]
    if point.alt is not None:
        values.append(repr(point.alt))
    return ",".join(values)


def _description(point: GeoPoint) -> str:
    return (
        f"Evidence item {point.item}; taken {point.taken or 'unknown'}; "
        f"MD5 {point.md5 or '-'}; SHA-256 {point.sha256 or '-'}"
    )


def kml_bytes(report: ReportData) -> bytes:
    """A KML 2.2 document with one placemark per GPS-tagged file (no images, only locations and hashes)."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(f"{{{KML_NS}}}kml")
    document = ET.SubElement(root, f"{{{KML_NS}}}Document")
    ET.SubElement(document, f"{{{KML_NS}}}name").text = f"Case {report.case.number}: GPS-tagged files"
    for point in report.geo:
        placemark = ET.SubElement(document, f"{{{KML_NS}}}Placemark", id=f"file-{point.file_id}")
        ET.SubElement(placemark, f"{{{KML_NS}}}name").text = point.path
        ET.SubElement(placemark, f"{{{KML_NS}}}description").text = _description(point)
        if point.taken:
            stamp = ET.SubElement(placemark, f"{{{KML_NS}}}TimeStamp")
            ET.SubElement(stamp, f"{{{KML_NS}}}when").text = point.taken
        geometry = ET.SubElement(placemark, f"{{{KML_NS}}}Point")
        ET.SubElement(geometry, f"{{{KML_NS}}}coordinates").text = _coordinates(point)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def geojson_bytes(report: ReportData) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946: longitude first) of the GPS-tagged files."""
    features = []
    for point in report.geo:
        coordinates = [point.lon, point.lat] + ([point.alt] if point.alt is not None else [])
        features.append(
            {
                "type": "Feature",
                "id": point.file_id,
                "geometry": {"type": "Point", "coordinates": coordinates},
                "properties": {
                    "item": point.item,
                    "path": point.path,
                    "taken": point.taken,
                    "md5": point.md5,
                    "sha256": point.sha256,
                },
            }
        )
    return json_bytes({"type": "FeatureCollection", "features": features})
