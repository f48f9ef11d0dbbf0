"""Project VIC VICS 2.0 case export (Case with Media and MediaFiles) carrying the assigned categories.

One Media record per distinct file content (MD5) that a hash set flagged or an examiner categorised; one
MediaFiles entry per instance of that content in the evidence. ``Category`` is the examiner's category when
one was assigned, else the matched list's category, else null (uncategorised). The case context names the
region of the examiner's category scheme (US, Canada, UK). Hashes are written in uppercase, as distributed
sets are (FORMATS.md appendix B).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

from forensics.reports.exports.common import json_bytes, stable_uuid
from forensics.reports.model import FindingRow, ReportData

CASES_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/{region}/$metadata#Cases"


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def _category(rows: list[FindingRow]) -> int | None:
    for row in rows:
        if row.examiner_category is not None:
            return row.examiner_category
    for row in rows:
        if row.list_category is not None:
            return row.list_category
    return None


def _media_file(row: FindingRow) -> dict:
    path = PurePosixPath(row.path)
    folder = str(path.parent).replace("/", "\\")
    return {
        "MD5": _upper(row.md5),
        "FileName": path.name,
        "FilePath": f"{row.item}\\{row.partition}{folder}",
        "Created": row.crtime,
        "Written": row.mtime,
        "Accessed": row.atime,
        "Deleted": "true" if row.deleted else "false",
        "Unallocated": "false" if row.allocated else "true",
        "SourceID": row.item,
    }


def _media(media_id: int, rows: list[FindingRow]) -> dict:
    first = rows[0]
    instances: dict[int, FindingRow] = {}
    for row in rows:
        instances.setdefault(row.file_id, row)
    record = {
        "MediaID": media_id,
        "Category": _category(rows),
        "MD5": _upper(first.md5),
        "SHA1": _upper(first.sha1),
        "MediaSize": first.size,
        "IsPrecategorized": "true" if any(r.list_category is not None for r in rows) else "false",
        "Comments": "; ".join(sorted({f"{r.set_name}: {r.basis}" if r.set_name else r.basis for r in rows})),
        "MediaFiles": [_media_file(row) for row in instances.values()],
    }
    if first.sha256:
        record["AlternativeHashes"] = [
            {"HashName": "SHA256", "HashValue": first.sha256.upper(), "MD5": _upper(first.md5)}
        ]
    return record


def vics_bytes(report: ReportData) -> bytes:
    """The VICS 2.0 case export of the report's findings and examiner-categorised files."""
    by_md5: dict[str, list[FindingRow]] = defaultdict(list)
    for row in [*report.findings, *report.categorised]:
        if row.md5:
            by_md5[row.md5].append(row)
    media = [_media(number, by_md5[md5]) for number, md5 in enumerate(sorted(by_md5), start=1)]
    case = {
        "CaseID": stable_uuid(report.case.number, "case"),
        "CaseNumber": report.case.number,
        "ContactOrganization": report.case.agency,
        "ContactName": report.generated_by,
        "SourceApplicationName": "Custos",
        "SourceApplicationVersion": report.custos_version,
        "TotalMediaFiles": sum(len(m["MediaFiles"]) for m in media),
        "CaseMetadata": [
            {
                "CaseID": stable_uuid(report.case.number, "case"),
                "PropertyName": "ReportID",
                "PropertyValue": report.report_id,
            },
            {
                "CaseID": stable_uuid(report.case.number, "case"),
                "PropertyName": "ExportedAt",
                "PropertyValue": report.generated_at,
            },
        ],
        "Media": media,
    }
    context = CASES_CONTEXT.format(region=report.category_region)
    return json_bytes({"@odata.context": context, "value": [case]})
