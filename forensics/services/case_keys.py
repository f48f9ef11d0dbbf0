"""The case key's life: made when a case is first opened by this version, wrapped for each examiner
added, made anew (and every picture sealed again) when an examiner is taken off the case."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection

from forensics.case.db import CaseDatabase
from forensics.case.pictures import PICTURE_TABLES, PictureCipher, reseal_pictures, seal_plain_pictures
from forensics.case.seal import finish_seal, plan_seal
from forensics.core.errors import AccessDenied
from forensics.core.sqldialect import execute, upsert_sql
from forensics.custody import actions, case_key
from forensics.custody.log import CustodyLog
from forensics.custody.roster import load_members


def _wraps(conn: Connection) -> dict[str, tuple[int, dict[str, Any]]]:
    rows = execute(conn, "SELECT key_id, generation, wrapped_json FROM case_keys").all()
    return {key_id: (generation, json.loads(text)) for key_id, generation, text in rows}


def _store(conn: Connection, key: bytes, generation: int, members: dict[str, str]) -> list[str]:
    """Wrap ``key`` for each member (key id -> public key) in place of every earlier wrapping."""
    execute(conn, "DELETE FROM case_keys")
    for key_id, public in sorted(members.items()):
        wrapped = json.dumps(case_key.wrap(key, public, key_id), sort_keys=True)
        execute(
            conn,
            "INSERT INTO case_keys (key_id, generation, wrapped_json) VALUES (?, ?, ?)",
            (key_id, generation, wrapped),
        )
    return sorted(members)


def _active(conn: Connection, leaving: str | None = None) -> dict[str, str]:
    return {m.key_id: m.public_key for m in load_members(conn).values() if m.active and m.key_id != leaving}


# The result tables whose rows hold pictures (their seals follow a re-encryption).
PICTURE_RESULTS = tuple(table for table, _column, _owner in PICTURE_TABLES)


def open_case_key(
    db: CaseDatabase, signing_key: Ed25519PrivateKey, key_id: str, custody: CustodyLog | None
) -> bytes | None:
    """The case key, unwrapped with the examiner's key; made first (``case_key_created``, pictures stored
    in the clear sealed) when the case has none and it is opened for writing. None for a read-only open of
    a case that has none yet."""
    with db.engine.connect() as conn:
        wraps = _wraps(conn)
    if key_id in wraps:
        try:
            return case_key.unwrap(wraps[key_id][1], signing_key, key_id)
        except (InvalidTag, ValueError, KeyError) as exc:
            raise AccessDenied(
                "the case key wrapped for this examiner cannot be unwrapped with their key"
            ) from exc
    if wraps:
        raise AccessDenied(
            "the case key is not wrapped for this examiner: an examiner on the case must add them again "
            "(custos examiner add) or open the case once with this version"
        )
    if custody is None:
        return None
    with db.engine.connect() as conn:
        last = conn.exec_driver_sql("SELECT entry_hash FROM custody_log ORDER BY seq DESC LIMIT 1").scalar()
    key = custody.derive_case_key(f"created after {last}".encode("ascii"))

    def write(conn: Connection) -> dict[str, Any]:
        plan = plan_seal(conn, PICTURE_RESULTS)
        sealed = seal_plain_pictures(conn, PictureCipher(key))
        return {
            "generation": 1,
            "wrapped_for": _store(conn, key, 1, _active(conn)),
            "pictures_sealed": sealed,
            **finish_seal(conn, plan),  # the pictures' rows changed: their seal follows them
        }

    custody.append(actions.CASE_KEY_CREATED, with_writes=write)
    return key


def wrap_for_new_member(
    key: bytes | None, public_hex: str, key_id: str
) -> Callable[[Connection], dict[str, Any]]:
    """The writes that wrap the case key for an examiner being added (with their ``examiner_added``)."""

    def write(conn: Connection) -> dict[str, Any]:
        if key is None:
            return {}
        wraps = _wraps(conn)
        generation = max((g for g, _w in wraps.values()), default=1)
        wrapped = json.dumps(case_key.wrap(key, public_hex, key_id), sort_keys=True)
        execute(
            conn,
            upsert_sql(conn, "case_keys", ("key_id", "generation", "wrapped_json"), "key_id"),
            (key_id, generation, wrapped),
        )
        return {"case_key_wrapped": True}

    return write


def rotate_without(
    custody: CustodyLog, key: bytes | None, leaving_key_id: str, new_key: list[bytes]
) -> Callable[[Connection], dict[str, Any]]:
    """The writes that make a new case key without the leaving examiner (with their ``examiner_removed``):
    every picture sealed again, the key wrapped for the members who stay. ``new_key`` receives the key."""

    def write(conn: Connection) -> dict[str, Any]:
        if key is None:
            return {}
        generation = max((g for g, _w in _wraps(conn).values()), default=1) + 1
        last = conn.exec_driver_sql("SELECT entry_hash FROM custody_log ORDER BY seq DESC LIMIT 1").scalar()
        fresh = custody.derive_case_key(f"generation {generation} after {last}".encode("ascii"))
        plan = plan_seal(conn, PICTURE_RESULTS)
        resealed = reseal_pictures(conn, PictureCipher(key), PictureCipher(fresh))
        members = _store(conn, fresh, generation, _active(conn, leaving=leaving_key_id))
        new_key.append(fresh)
        return {
            "case_key_generation": generation,
            "case_key_wrapped_for": members,
            "pictures_resealed": resealed,
            **finish_seal(conn, plan),
        }

    return write
