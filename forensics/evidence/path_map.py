"""Where a machine of the lab finds evidence recorded under another machine's path (a shared read-only share).

An evidence item keeps the path it was added under (``/srv/evidence/EXH-01.E01`` on the intake machine); a
cluster worker that mounts the same share elsewhere (``/mnt/evidence``, ``E:\\evidence``) says so in the
environment variable :data:`EVIDENCE_MAP_VARIABLE`: ``FROM=TO`` pairs separated by ``;`` on every system
(a Windows ``FROM`` holds a drive's ``:``), e.g. ``/srv/evidence=/mnt/evidence;E:\\cases=/mnt/cases``. The
longest ``FROM`` that is a whole-component prefix of the recorded path wins, and the rest of the path takes
the separators of ``TO``'s system; other paths are used as recorded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from forensics.core.errors import EvidenceError

EVIDENCE_MAP_VARIABLE = "CUSTOS_EVIDENCE_MAP"
_SEPARATORS = ("/", "\\")
PAIR_SEPARATOR = ";"


def parse_path_map(text: str, separator: str = PAIR_SEPARATOR) -> list[tuple[str, str]]:
    """``FROM=TO`` pairs of ``text`` (longest ``FROM`` first); refuses a pair without ``=``."""
    pairs: list[tuple[str, str]] = []
    for part in text.split(separator):
        part = part.strip()
        if not part:
            continue
        source, equals, target = part.partition("=")
        if not equals or not source.strip() or not target.strip():
            raise EvidenceError(f"{EVIDENCE_MAP_VARIABLE}: expected FROM=TO, got {part!r}")
        pairs.append((source.strip().rstrip("/\\") or "/", target.strip()))
    return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)


def map_path(path: str, pairs: list[tuple[str, str]]) -> str:
    """``path`` with the first matching ``FROM`` prefix (a whole path component) replaced by its ``TO``."""
    for source, target in pairs:
        if path == source:
            return target
        if path.startswith(source) and (source in _SEPARATORS or path[len(source)] in _SEPARATORS):
            rest = path[len(source) :].lstrip("/\\")
            if not rest:
                return target
            sep = "\\" if "\\" in target else "/"  # the target machine's spelling
            rest = rest.replace("\\" if sep == "/" else "/", sep)
            return target.rstrip("/\\") + sep + rest
    return path


def mapped_evidence_path(path: str, environ: Mapping[str, str] | None = None) -> str:
    """The recorded evidence ``path`` as this machine reaches it (see the module's description)."""
    environ = os.environ if environ is None else environ
    text = environ.get(EVIDENCE_MAP_VARIABLE, "")
    return map_path(path, parse_path_map(text)) if text else path
