"""The manifest that puts a seized device on a lab's ingest backlog (``custos lab watch``, docs/cluster.md).

A manifest is a small JSON object in a file ending ``.json`` in the watched folder::

    {
      "custos_manifest": 1,
      "case": "cases/2026-0042",
      "item": "EXH-07",
      "evidence": "images/EXH-07.E01",
      "examiner": "Alice Example",
      "profile": "triage",
      "intake": {"description": "Samsung phone, seal 41-7", "seized_by": "SI Khan"}
    }

``case`` (a case folder) and ``evidence`` (an image, folder or phone extraction) are paths, relative ones
to the manifest's folder; ``item`` is the new evidence item's name; ``examiner`` the case member the
watcher acts as (intake and ingest are signed with that examiner's key); ``profile`` a processing profile
(default ``triage``); ``intake`` optional intake fields as ``custos evidence add`` takes them (``seal``
for the seal number). Other keys are refused, as are a file over :data:`MANIFEST_MAX_BYTES`, text that is
not UTF-8 JSON, and a missing or empty field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensics.case.store import INTAKE_FIELDS
from forensics.core.errors import CustosError
from forensics.pipeline.processing_profiles import DEFAULT_PROFILE

MANIFEST_VERSION = 1
MANIFEST_SUFFIX = ".json"
MANIFEST_MAX_BYTES = 64 * 1024  # a manifest is a few hundred bytes; anything larger is not one
REQUIRED = ("case", "item", "evidence", "examiner")
OPTIONAL = ("profile", "intake")
ITEM_MAX_CHARS = 200  # the item column's width (lab_claims, evidence)


class ManifestError(CustosError):
    """A manifest that cannot be used: what is wrong and in which file."""


@dataclass(frozen=True)
class Manifest:
    """One backlog entry: which evidence goes into which case as which item, by whom, how."""

    path: Path
    sha256: str
    case: Path
    item: str
    evidence: Path
    examiner: str
    profile: str = DEFAULT_PROFILE
    intake: dict[str, str] = field(default_factory=dict)


def read_manifest(path: Path) -> Manifest:
    """The manifest in ``path``; :class:`ManifestError` naming the file and the problem otherwise."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MANIFEST_MAX_BYTES + 1)
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the manifest: {exc.strerror or exc}") from exc
    if len(data) > MANIFEST_MAX_BYTES:
        raise ManifestError(f"{path}: larger than {MANIFEST_MAX_BYTES} bytes: not a manifest")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ManifestError(f"{path}: not UTF-8 JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ManifestError(f"{path}: a manifest is a JSON object")
    return _manifest(path, hashlib.sha256(data).hexdigest(), value)


def _manifest(path: Path, digest: str, value: dict[str, Any]) -> Manifest:
    version = value.get("custos_manifest")
    if version != MANIFEST_VERSION:
        raise ManifestError(f'{path}: "custos_manifest" must be {MANIFEST_VERSION}, got {version!r}')
    unknown = sorted(set(value) - {"custos_manifest", *REQUIRED, *OPTIONAL})
    if unknown:
        raise ManifestError(f"{path}: unknown field(s) {', '.join(unknown)}")
    text: dict[str, str] = {}
    for name in (*REQUIRED, "profile"):
        given = value.get(name, DEFAULT_PROFILE if name == "profile" else None)
        if not isinstance(given, str) or not given.strip():
            raise ManifestError(f'{path}: "{name}" must be a non-empty string')
        text[name] = given.strip()
    if len(text["item"]) > ITEM_MAX_CHARS:
        raise ManifestError(f'{path}: "item" is longer than {ITEM_MAX_CHARS} characters')
    intake = value.get("intake", {})
    if not isinstance(intake, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in intake.items()
    ):
        raise ManifestError(f'{path}: "intake" must be an object of strings')
    fields = {("seal_number" if k == "seal" else k): v for k, v in intake.items()}
    unknown = sorted(set(fields) - set(INTAKE_FIELDS))
    if unknown:
        raise ManifestError(f"{path}: unknown intake field(s) {', '.join(unknown)}")
    return Manifest(
        path=path,
        sha256=digest,
        case=_resolved(path, text["case"]),
        item=text["item"],
        evidence=_resolved(path, text["evidence"]),
        examiner=text["examiner"],
        profile=text["profile"],
        intake=fields,
    )


def _resolved(manifest: Path, given: str) -> Path:
    """``given`` as an absolute path; a relative one is relative to the manifest's folder."""
    candidate = Path(given)
    return candidate if candidate.is_absolute() else (manifest.parent / candidate).resolve()


def manifests_in(folder: Path) -> list[Path]:
    """The manifest files of ``folder`` (not its sub-folders), by name."""
    try:
        return sorted(p for p in folder.iterdir() if p.name.endswith(MANIFEST_SUFFIX) and p.is_file())
    except OSError as exc:
        raise ManifestError(f"{folder}: cannot list the watched folder: {exc.strerror or exc}") from exc
