"""Signed checkpoints: the state of a case's log that a report carries, and their checking.

A report carries ``{"format", "case", "entries", "head", "report_id", "examiner", "key_id"}`` and
``signature``: the examiner's Ed25519 signature over the SHA-256 of the canonical JSON of the other keys
(as custody entries are signed). A verifier reads it back from the report file (HTML: the
``<script type="application/json" id="custos-checkpoint">`` element; PDF: the document keywords
``custos-checkpoint-v1:<hex of the JSON>``), checks the signature with the examiner's trusted key, and
holds the log to it: entry ``entries`` must exist with hash ``head``. A log cut after the report, or
replaced, fails.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from forensics.core.errors import CustosError
from forensics.custody import keys
from forensics.custody.canonical import canonical_json

FORMAT = "custos-checkpoint/1"
PDF_PREFIX = "custos-checkpoint-v1:"
HTML_ID = "custos-checkpoint"
_HTML = re.compile(rf'<script type="application/json" id="{HTML_ID}">(.*?)</script>', re.S)
_PDF = re.compile(rb"custos-checkpoint-v1:([0-9a-f]+)")


def digest(checkpoint: Mapping[str, Any]) -> str:
    """The hex SHA-256 that is signed: of the canonical JSON of every key but ``signature``."""
    body = {k: v for k, v in checkpoint.items() if k != "signature"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def pdf_keywords(checkpoint: Mapping[str, Any]) -> str:
    return PDF_PREFIX + canonical_json(dict(checkpoint)).encode("utf-8").hex()


def html_element(checkpoint: Mapping[str, Any]) -> str:
    text = canonical_json(dict(checkpoint)).replace("</", "<\\/")
    return f'<script type="application/json" id="{HTML_ID}">{text}</script>'


def read_checkpoint(path: Path | str) -> dict[str, Any]:
    """The checkpoint a report file carries (HTML or PDF); CustosError when it has none."""
    data = Path(path).read_bytes()
    found = _PDF.search(data)
    if found:
        return json.loads(bytes.fromhex(found.group(1).decode("ascii")).decode("utf-8"))
    html = _HTML.search(data.decode("utf-8", "replace"))
    if html:
        return json.loads(html.group(1).replace("<\\/", "</"))
    raise CustosError(f"{path}: no custody checkpoint in this file (not a Custos report, or altered)")


def check(
    checkpoint: Mapping[str, Any], case_id: str, heads: Mapping[int, str], trusted: Mapping[str, str]
) -> list[str]:
    """What is wrong with the log given a report's checkpoint (empty: the log holds it).

    ``heads``: entry number -> entry hash of the log; ``trusted``: name key -> trusted public key (hex).
    """
    from forensics.custody.examiners import name_key

    problems: list[str] = []
    report = checkpoint.get("report_id", "?")
    if checkpoint.get("format") != FORMAT:
        return [f"report {report}: unknown checkpoint format {checkpoint.get('format')!r}"]
    if checkpoint.get("case") != case_id:
        problems.append(f"report {report}: its checkpoint is of another case (or of a replaced log)")
    public = trusted.get(name_key(str(checkpoint.get("examiner", ""))))
    signature = str(checkpoint.get("signature", ""))
    if public is None:
        problems.append(
            f"report {report}: no trusted key for {checkpoint.get('examiner')!r} to check its signature"
        )
    elif keys.key_id_of(public) != checkpoint.get("key_id") or not keys.signature_valid(
        keys.load_public_key(public), digest(checkpoint), signature
    ):
        problems.append(f"report {report}: the checkpoint's signature does not verify with the trusted key")
    entries, head = checkpoint.get("entries"), checkpoint.get("head")
    if not isinstance(entries, int) or heads.get(entries) != head:
        state = "missing" if isinstance(entries, int) and entries not in heads else "different"
        problems.append(
            f"report {report}: the log's entry {entries} is {state} (the report saw head "
            f"{str(head)[:16]}...): entries were removed or the log was replaced"
        )
    return problems
