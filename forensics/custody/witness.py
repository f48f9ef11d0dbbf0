"""The witness store: every case's custody checkpoints, kept outside the case as they are made.

A case's log can be cut at its end, or replaced wholesale by one signed with freshly made keys, by
whoever holds the case folder; both leave a chain that is consistent in itself. Each append is also
written here, outside the case (``<custos home>/witness/<case id>.jsonl`` on this workstation; a lab's
shared store can take the same lines): entry number and entry hash. A verifier then holds the log to
what was witnessed: an entry witnessed but missing, or with another hash, is a cut or a replacement.
The case id is the hash of the log's first entry (the founder's registration), which no later entry
can change.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from forensics.core.paths import custos_home

log = logging.getLogger(__name__)

ENV_WITNESS = "CUSTOS_WITNESS_DIR"


def witness_dir() -> Path:
    """Where this workstation keeps its witness files (``$CUSTOS_WITNESS_DIR`` or the Custos home)."""
    override = os.environ.get(ENV_WITNESS)
    return Path(override) if override else custos_home() / "witness"


@dataclass(frozen=True)
class Checkpoint:
    """One witnessed state of a case's log: its entry ``seq`` had hash ``head``."""

    case: str
    seq: int
    head: str


def witness_file(case_id: str, folder: Path | None = None) -> Path:
    return (folder or witness_dir()) / f"{case_id}.jsonl"


def note(case_id: str, seq: int, head: str, ts: str, case_dir: str | None = None) -> None:
    """Witness one entry (best effort: a store that cannot be written is logged, the append stands)."""
    path = witness_file(case_id)
    line = json.dumps(
        {"case": case_id, "seq": seq, "head": head, "at": ts, "case_dir": case_dir}, sort_keys=True
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
    except OSError as exc:
        log.warning("custody witness store %s not written: %s", path, exc)


def checkpoints(case_id: str, path: Path | None = None) -> Iterator[Checkpoint]:
    """Every checkpoint witnessed for the case (lines that cannot be read are skipped)."""
    path = path or witness_file(case_id)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    for line in lines:
        try:
            data = json.loads(line)
            if data.get("case") == case_id:
                yield Checkpoint(case_id, int(data["seq"]), str(data["head"]))
        except (ValueError, KeyError, TypeError):
            continue


def note_new_case(case_id: str, case_dir: Path | str) -> None:
    """A case created by Custos in ``case_dir``: earlier cases witnessed there were deleted by their
    examiners, not replaced by a forged log (a forger does not create the case through Custos)."""
    earlier = others_for_folder(case_dir, case_id)
    if not earlier:
        return
    path = witness_file(case_id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"case": case_id, "supersedes": earlier, "case_dir": str(case_dir)}) + "\n")
    except OSError as exc:
        log.warning("custody witness store %s not written: %s", path, exc)


def _superseded(case_id: str, root: Path) -> set[str]:
    try:
        lines = witness_file(case_id, root).read_text(encoding="utf-8").splitlines()
    except OSError:
        return set()
    found: set[str] = set()
    for line in lines:
        try:
            found.update(json.loads(line).get("supersedes") or [])
        except ValueError:
            continue
    return found


def place_key(place: Path | str) -> str:
    """A case's place as compared: a folder resolved, a server database's URL as it is."""
    text = str(place)
    return text if "://" in text else str(Path(text).resolve())


def others_for_folder(case_dir: Path | str, case_id: str, folder: Path | None = None) -> list[str]:
    """Case ids other than ``case_id`` that this store witnessed for the same case folder (a replaced log),
    leaving out those a case created by Custos there superseded. ``case_dir``: the folder, or for a case
    on a database server the database's URL (``CaseDatabase.place``)."""
    target = place_key(case_dir)
    found: set[str] = set()
    root = folder or witness_dir()
    for path in sorted(root.glob("*.jsonl")) if root.is_dir() else []:
        if path.stem == case_id:
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if data.get("case_dir") and place_key(data["case_dir"]) == target:
                found.add(str(data.get("case")))
                break
    return sorted(found - _superseded(case_id, root))
