"""CASE/UCO 1.4 JSON-LD: the investigation, its actions (acquisition, verification, ingest, matching),
provenance records, the tools and examiners, and the files with findings with their hashes.

Identifiers are stable (uuid5 of the case number and the object), so the same case gives the same graph.
Only files with findings are described one by one; the full listing goes to DFXML/CSV.
"""

from __future__ import annotations

from typing import Any

from forensics.reports.exports.common import json_bytes, stable_uuid
from forensics.reports.model import EvidenceSection, FindingRow, ReportData

CONTEXT = {
    "case-investigation": "https://ontology.caseontology.org/case/investigation/",
    "kb": "http://example.org/kb/",
    "uco-action": "https://ontology.unifiedcyberontology.org/uco/action/",
    "uco-core": "https://ontology.unifiedcyberontology.org/uco/core/",
    "uco-identity": "https://ontology.unifiedcyberontology.org/uco/identity/",
    "uco-observable": "https://ontology.unifiedcyberontology.org/uco/observable/",
    "uco-tool": "https://ontology.unifiedcyberontology.org/uco/tool/",
    "uco-types": "https://ontology.unifiedcyberontology.org/uco/types/",
    "uco-vocabulary": "https://ontology.unifiedcyberontology.org/uco/vocabulary/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
HASH_NAMES = {"md5": "MD5", "sha1": "SHA1", "sha256": "SHA256"}
# Custos job/verification states in UCO's ActionStatusTypeVocab.
ACTION_STATUS = {
    "finished": "Complete/Finish",
    "match": "Success",
    "mismatch": "Fail",
    "failure": "Fail",
    "no-reference": "Success",
    "error": "Error",
    "failed": "Error",
    "cancelled": "Fail",
    "stopped": "Aborted",  # ended at the first alert (field triage): resumable, not complete
    "running": "Ongoing",
}


def _time(value: str) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value}


def _ref(node_id: str) -> dict[str, str]:
    return {"@id": node_id}


class _Graph:
    """Collects JSON-LD nodes with stable identifiers."""

    def __init__(self, case_number: str) -> None:
        self.case_number = case_number
        self.nodes: list[dict[str, Any]] = []

    def node_id(self, kind: str, key: str) -> str:
        return f"kb:{kind}-{stable_uuid(self.case_number, f'{kind}/{key}')}"

    def add(self, kind: str, key: str, node_type: str, **props: Any) -> str:
        node_id = self.node_id(kind, key)
        self.nodes.append(
            {"@id": node_id, "@type": node_type, **{k: v for k, v in props.items() if v is not None}}
        )
        return node_id

    def hashes(self, owner: str, values: dict[str, str | None]) -> list[dict[str, Any]]:
        return [
            {
                "@id": self.node_id("hash", f"{owner}/{algorithm}"),
                "@type": "uco-types:Hash",
                "uco-types:hashMethod": HASH_NAMES[algorithm],
                "uco-types:hashValue": {"@type": "xsd:hexBinary", "@value": value.lower()},
            }
            for algorithm, value in values.items()
            if value
        ]


def _action(
    graph: _Graph,
    key: str,
    name: str,
    *,
    start: str | None,
    end: str | None = None,
    performer: str | None = None,
    instrument: str | None = None,
    objects: list[str] | None = None,
    results: list[str] | None = None,
    status: str | None = None,
) -> str:
    return graph.add(
        "investigative-action",
        key,
        "case-investigation:InvestigativeAction",
        **{
            "uco-core:name": name,
            "uco-action:startTime": _time(start) if start else None,
            "uco-action:endTime": _time(end) if end else None,
            "uco-action:performer": _ref(performer) if performer else None,
            "uco-action:instrument": _ref(instrument) if instrument else None,
            "uco-action:object": [_ref(o) for o in objects] if objects else None,
            "uco-action:result": [_ref(r) for r in results] if results else None,
            "uco-action:actionStatus": ACTION_STATUS.get(status, "Pending") if status else None,
        },
    )


def _provenance(graph: _Graph, key: str, item: str | None, description: str, objects: list[str]) -> str:
    return graph.add(
        "provenance-record",
        key,
        "case-investigation:ProvenanceRecord",
        **{
            "case-investigation:exhibitNumber": item,
            "uco-core:description": description,
            "uco-core:object": [_ref(o) for o in objects] if objects else None,
        },
    )


def _image(graph: _Graph, evidence: EvidenceSection) -> str:
    """The evidence image as an observable file, with the hashes computed at verification."""
    latest = evidence.verifications[-1] if evidence.verifications else None
    hashes = (
        {"md5": latest.md5, "sha1": latest.sha1, "sha256": latest.sha256}
        if latest
        else {"md5": evidence.stored_md5, "sha1": evidence.stored_sha1}
    )
    facets: list[dict[str, Any]] = [
        {
            "@id": graph.node_id("file-facet", f"image/{evidence.item}"),
            "@type": "uco-observable:FileFacet",
            "uco-observable:fileName": ", ".join(evidence.image_files),
        }
    ]
    content_hashes = graph.hashes(f"image/{evidence.item}", hashes)
    if content_hashes:
        content: dict[str, Any] = {
            "@id": graph.node_id("content-data-facet", f"image/{evidence.item}"),
            "@type": "uco-observable:ContentDataFacet",
            "uco-observable:hash": content_hashes,
        }
        if evidence.media_size:
            content["uco-observable:sizeInBytes"] = evidence.media_size
        facets.append(content)
    return graph.add(
        "file",
        f"image/{evidence.item}",
        "uco-observable:File",
        **{"uco-core:description": f"Evidence image of item {evidence.item}", "uco-core:hasFacet": facets},
    )


Frames = tuple[tuple[int, float, int, str], ...]  # a video's sampled frames: number, seconds, quality, PDQ
VPDQ_TAG = "vPDQ"


def _vpdq_annotation(graph: _Graph, file_node: str, path: str, key: str, frames: Frames) -> str:
    """A video's vPDQ hash as an Annotation of its File: UCO has no vPDQ (nor PDQ) hash method, so the
    hash is given in Meta's reference text (``frame_number,quality,pdq_hex,timestamp`` per line)."""
    lines = "".join(f"{number},{quality},{pdq},{stamp:.3f}\n" for number, stamp, quality, pdq in frames)
    return graph.add(
        "annotation",
        f"{key}/vpdq",
        "uco-core:Annotation",
        **{
            "uco-core:name": f"vPDQ of {path}",
            "uco-core:tag": [VPDQ_TAG],
            "uco-core:description": lines,
            "uco-core:object": [_ref(file_node)],
        },
    )


def _file(graph: _Graph, row: FindingRow) -> str:
    key = f"file/{row.file_id}"
    file_facet: dict[str, Any] = {
        "@id": graph.node_id("file-facet", key),
        "@type": "uco-observable:FileFacet",
        "uco-observable:fileName": row.path.rsplit("/", 1)[-1],
        "uco-observable:filePath": row.path,
        "uco-observable:isDirectory": False,
        "uco-observable:allocationStatus": "allocated" if row.allocated else "unallocated",
    }
    if row.size is not None:
        file_facet["uco-observable:sizeInBytes"] = row.size
    for prop, value in (
        ("observableCreatedTime", row.crtime),
        ("modifiedTime", row.mtime),
        ("accessedTime", row.atime),
        ("metadataChangeTime", row.ctime),
    ):
        if value:
            file_facet[f"uco-observable:{prop}"] = _time(value)
    content = {
        "@id": graph.node_id("content-data-facet", key),
        "@type": "uco-observable:ContentDataFacet",
        "uco-observable:hash": graph.hashes(key, {"md5": row.md5, "sha1": row.sha1, "sha256": row.sha256}),
    }
    return graph.add("file", key, "uco-observable:File", **{"uco-core:hasFacet": [file_facet, content]})


def _containment(graph: _Graph, report: ReportData, files: dict[int, str]) -> list[str]:
    """A file found inside another (archive member, embedded object, carved file) is ``Contained_Within``
    its parent, which is described by its place (the locator chain in words)."""
    nodes: list[str] = []
    holders = dict(files)
    related: set[int] = set()
    for row in report.findings:
        if row.parent_id is None or row.file_id in related:
            continue
        related.add(row.file_id)
        parent = holders.get(row.parent_id)
        if parent is None:
            parent = holders[row.parent_id] = graph.add(
                "file",
                f"file/{row.parent_id}",
                "uco-observable:File",
                **{"uco-core:description": f"the item holding {row.path}: {row.located}"},
            )
            nodes.append(parent)
        nodes.append(
            graph.add(
                "relationship",
                f"contained/{row.file_id}",
                "uco-observable:ObservableRelationship",
                **{
                    "uco-core:source": [_ref(files[row.file_id])],
                    "uco-core:target": [_ref(parent)],
                    "uco-core:kindOfRelationship": "Contained_Within",
                    "uco-core:isDirectional": True,
                },
            )
        )
    return nodes


def _people_and_tools(graph: _Graph, report: ReportData) -> tuple[dict[str, str], str]:
    people = {
        p.name: graph.add(
            "person",
            p.name,
            "uco-identity:Person",
            **{"uco-core:name": p.name, "uco-core:description": f"{p.role}, {p.agency or '-'}"},
        )
        for p in report.examiners
    }
    custos = ""
    for tool in report.tools:
        node = graph.add(
            "tool",
            tool.name,
            "uco-tool:AnalyticTool",
            **{
                "uco-core:name": tool.name,
                "uco-tool:version": tool.version,
                "uco-core:description": tool.role,
            },
        )
        custos = node if tool.name == "Custos" else custos
    return people, custos


def case_uco_bytes(report: ReportData) -> bytes:
    """The CASE/UCO 1.4 JSON-LD graph of the case."""
    graph = _Graph(report.case.number)
    people, custos = _people_and_tools(graph, report)
    performer = people.get(report.generated_by) or next(iter(people.values()), None)
    members: list[str] = [*people.values(), custos]
    images: dict[str, str] = {}
    for evidence in report.evidence:
        image = _image(graph, evidence)
        images[evidence.item] = image
        record = _provenance(
            graph,
            f"acquired/{evidence.item}",
            evidence.item,
            f"Evidence item {evidence.item} as received",
            [image],
        )
        acquired = dict(evidence.intake).get("Acquisition date")
        members += [
            image,
            record,
            _action(
                graph,
                f"acquisition/{evidence.item}",
                "acquired",
                start=acquired,
                objects=[image],
                results=[record],
            ),
        ]
        for number, run in enumerate(evidence.verifications, start=1):
            verdict = _provenance(
                graph,
                f"verified/{evidence.item}/{number}",
                evidence.item,
                f"Acquisition hash verification: {run.result}",
                [image],
            )
            members += [
                verdict,
                _action(
                    graph,
                    f"verification/{evidence.item}/{number}",
                    "verified",
                    start=run.started_at,
                    end=run.finished_at,
                    performer=performer,
                    instrument=custos,
                    objects=[image],
                    results=[verdict],
                    status=run.result,
                ),
            ]
    for job in report.methodology.ingest_jobs:
        job_image = images.get(job["item"])
        record = _provenance(
            graph,
            f"ingested/{job['job']}",
            job["item"],
            f"Files enumerated and hashed (profile {job['profile']})",
            [job_image] if job_image else [],
        )
        members += [
            record,
            _action(
                graph,
                f"ingest/{job['job']}",
                "ingested",
                start=job["started_at"],
                end=job["finished_at"],
                performer=performer,
                instrument=custos,
                objects=[job_image] if job_image else None,
                results=[record],
                status=job["status"],
            ),
        ]
    videos = {video.file_id: video.frames for video in report.video_hashes}
    files: dict[int, str] = {}
    for row in report.findings:
        if row.file_id and row.file_id not in files:  # one node per file, however many findings it has
            files[row.file_id] = _file(graph, row)
            frames = videos.get(row.file_id)
            if frames:
                key = f"file/{row.file_id}"
                members.append(_vpdq_annotation(graph, files[row.file_id], row.path, key, frames))
    file_ids = list(dict.fromkeys(files.values()))
    for match_run in report.methodology.match_runs:
        record = _provenance(
            graph,
            f"matched/{match_run['run']}",
            None,
            f"Files matching hash sets {', '.join(match_run['sets'])}",
            file_ids,
        )
        members += [
            record,
            _action(
                graph,
                f"match/{match_run['run']}",
                "matched",
                start=match_run["started_at"],
                end=match_run["finished_at"],
                performer=performer,
                instrument=custos,
                results=[record],
                status=match_run["status"],
            ),
        ]
    for row in report.findings:
        label = row.examiner_category_label or row.list_category_label
        members.append(
            graph.add(
                "annotation",
                f"finding/{row.number}",
                "uco-core:Annotation",
                **{
                    "uco-core:tag": [label] if label else ["uncategorised"],
                    "uco-core:description": f"Finding {row.number}: {row.set_name}, {row.entry}; {row.basis}",
                    "uco-core:object": [_ref(files[row.file_id])],
                },
            )
        )
    members += file_ids
    members += _containment(graph, report, files)
    investigation = graph.add(
        "investigation",
        "case",
        "case-investigation:Investigation",
        **{
            "uco-core:name": report.case.number,
            "case-investigation:focus": report.case.title,
            "uco-core:object": [_ref(m) for m in dict.fromkeys(members) if m],
        },
    )
    graph.add(
        "bundle",
        report.report_id,
        "uco-core:Bundle",
        **{
            "uco-core:description": f"Custos export of case {report.case.number}",
            "uco-core:object": [_ref(investigation)],
        },
    )
    return json_bytes({"@context": CONTEXT, "@graph": graph.nodes})
